"""Key entry: the fields an exchange needs, verified against the exchange before saving.

Flow: validate each field -> (replacing? ask, showing the old key masked) -> verify in an
async worker -> ok: save in a thread worker, then show the permission findings;
failure: show the problem's title and fix, keep the values, offer "save anyway (unverified)".
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import (
    Button,
    Collapsible,
    Footer,
    Header,
    Input,
    Static,
    Switch,
)
from textual.worker import Worker, WorkerState

from tui.ui.messages import AccountSaved, TaskFailed, VerifyFinished
from tui.ui.screens import key_entry_questions as questions
from tui.ui.screens.key_entry_questions import field_title, find_account, first_free_label
from tui.ui.screens.key_entry_typing import KeepsTypedKeys
from tui.ui.screens.key_form_fields import FormFields, field_widget, hint_text
from tui.ui.screens.key_problem import ProblemBox
from tui.ui.screens.keyfile_problem import explain_save_failure
from tui.ui.screens.worker_errors import ReportsWorkerErrors
from tui.ui.widgets.field_error import FieldError
from tui.ui.widgets.secret_input import KeyInput
from tui.ui.widgets.spinner import set_spinning

if TYPE_CHECKING:
    from tui.connect.catalog import ExchangeInfo
    from tui.connect.models import AccountReport
    from tui.core.session import Session
    from tui.vault.account import Account

log = logging.getLogger(__name__)


class KeyEntryScreen(ReportsWorkerErrors, KeepsTypedKeys, Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Back", id="key_entry_back"),
        Binding("ctrl+s", "submit", "Verify and save", id="key_entry_submit"),
    ]

    def __init__(
        self,
        session: Session,
        info: ExchangeInfo,
        *,
        replace: Account | None = None,
        notice: str | None = None,
        label: str | None = None,
    ) -> None:
        """`label`: the label to start with (a form kept over an idle lock)."""
        super().__init__()
        self.session = session
        self.info = info
        self.replace_target = replace
        self.notice = notice
        self.start_label = label
        self._pending: Account | None = None
        self._pending_replaces: Account | None = None
        self._report: AccountReport | None = None
        self._touched: set[str] = set()  # fields checked on every change
        self.form_fields = FormFields(self, info)

    # ---- layout ----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        info = self.info
        existing = self._existing_accounts()
        label = (
            self.replace_target.label
            if self.replace_target is not None
            else self.start_label or first_free_label({a.label for a in existing})
        )
        yield Header()
        with VerticalScroll(id="key-form"), Vertical(classes="panel form-panel"):
            yield Static(Text(f"Connect {info.name}"), classes="panel-title")
            yield Static(hint_text(info), id="key-hint", classes="hint-box")
            # the demo's hand-connect credentials, next to their fields (only in the form
            # of the exchange they are for: not in the Bitfinex form, issue 23)
            if self.notice and f" {info.id} " in self.notice.lower():
                yield Static(self.notice, id="key-notice", classes="dim", markup=False)
            if existing:
                yield Static(
                    questions.existing_text(existing), id="existing", classes="dim", markup=False
                )
            yield Static(
                field_title("Label", "a name, so several accounts can coexist"),
                classes="field-label",
            )
            yield Input(label, id="label")
            yield FieldError(id="error-label")
            for field in info.credentials:
                hint = ""
                if field.multiline:
                    hint = "paste all lines, -----BEGIN to -----END"
                if field.secret:
                    hint = f"{hint}; hidden, ctrl+r shows it" if hint else "hidden, ctrl+r shows it"
                yield Static(field_title(field.label, hint), classes="field-label")
                yield field_widget(field)
                yield FieldError(id=f"error-{field.name}")
            if info.has_testnet:
                with Horizontal(classes="switch-row"):
                    yield Switch(
                        value=bool(self.replace_target and self.replace_target.sandbox),
                        id="testnet",
                    )
                    yield Static("Use the testnet (test funds; testnet keys differ)")
            endpoint = self.replace_target.endpoint if self.replace_target else None
            with Collapsible(
                title="Advanced: alternate API endpoint",
                collapsed=not endpoint,
                id="advanced",
            ):
                yield Static(
                    "Send every API call to another base URL (regional host, proxy, or a local "
                    "simulator). Leave empty to use the exchange's own.",
                    classes="field-hint",
                )
                yield Input(endpoint or "", id="endpoint", placeholder="https://…")
                yield FieldError(id="error-endpoint")
            with Horizontal(classes="buttons", id="form-buttons"):
                yield Button("Verify and save", id="submit", variant="primary")
                yield Button("Cancel", id="cancel")
        # Below the scrolling form, above the footer: always in view (issue 23).
        with Vertical(id="form-status"):
            with Horizontal(id="verifying", classes="working"):
                yield Static(Text(f"Verifying the key with {info.name}…"))
            yield ProblemBox(id="problem", classes="problem-box")
        yield Footer()

    def _existing_accounts(self) -> list[Account]:
        return self.session.accounts_of(self.info.id)

    def on_mount(self) -> None:
        self.query_one("#verifying").display = False
        first = self.info.credentials[0].name if self.info.credentials else None
        field = self.query_one(f"#cred-{first}" if first else "#label")
        field.focus(scroll_visible=False)
        self.call_after_refresh(self._show_top_and_field, field)

    def _show_top_and_field(self, field: Widget) -> None:
        """Open at the title (focus scrolled past it at 80x24, issue 23), then scroll only as
        far as the first field needs."""
        self.query_one("#key-form", VerticalScroll).scroll_home(animate=False)
        self.call_after_refresh(field.scroll_visible, animate=False)

    # ---- reading the form (tui/ui/screens/key_form_fields.py) -------------------------------

    def read_form(self) -> Account | None:
        """Build the Account from the form, or show what is wrong and return None. Every
        field is checked again on each change from now on."""
        self._touched |= self.form_fields.ids
        return self.form_fields.read()

    # ---- submit ----------------------------------------------------------------------------

    @on(Button.Pressed, "#submit")
    def _submit_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_submit()

    @on(Input.Submitted)
    def _input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_submit()

    def action_submit(self) -> None:
        if self.query_one("#verifying").display:
            return
        self._hide_problem()
        account = self.read_form()
        if account is None:
            return
        old = find_account(self.session.accounts, account.exchange, account.label)
        twin = self.session.holding_key_of(account)
        if twin is not None and (old is None or twin.id != old.id):
            self._offer_replacing_twin(account, twin)
            return
        if old is None:
            self._start_verify(account, None)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._start_verify(
                    old.replace(
                        credentials=account.credentials,
                        sandbox=account.sandbox,
                        endpoint=account.endpoint,
                        verified_at=None,
                    ),
                    old,
                )

        self.app.push_screen(questions.replace_key(self.info.name, old), answered)

    def _offer_replacing_twin(self, account: Account, twin: Account) -> None:
        """The same API key is stored under another label: one key, one account."""

        def answered(yes: bool | None) -> None:
            if yes:
                updated = twin.replace(
                    credentials=account.credentials,
                    sandbox=account.sandbox,
                    endpoint=account.endpoint,
                    verified_at=None,
                )
                self._start_verify(updated, twin)
            else:
                self.form_fields.set_error(
                    self.info.credentials[0].name, f"Already stored as {twin.label}."
                )

        self.app.push_screen(questions.stored_twice(self.info.name, twin), answered)

    def _start_verify(self, account: Account, replaces: Account | None) -> None:
        self._pending = account
        self._pending_replaces = replaces
        self._set_busy(True)
        self._verify(account)

    @work(exclusive=True, exit_on_error=False, group="verify")
    async def _verify(self, account: Account) -> None:
        report = await self.session.verify(account)
        self.post_message(VerifyFinished(account, report))

    def on_verify_finished(self, message: VerifyFinished) -> None:
        message.stop()
        if message.account is not self._pending:
            return
        self._report = message.report
        if message.report.problem is None:
            criticals = [f for f in message.report.findings if f.severity == "critical"]
            if criticals:
                self._ask_before_saving_a_dangerous_key(message.account, criticals)
            else:
                self._save(message.account, verified=True)
            return
        self._set_busy(False)
        self._show_problem(message.report)

    def _ask_before_saving_a_dangerous_key(self, account: Account, criticals: list[Any]) -> None:
        """A key that can withdraw (or another critical risk): an explicit choice first.
        Nothing runs while the question is open: no spinner under it."""
        self._set_busy(False)

        def answered(save: bool | None) -> None:
            if save:
                self._save(account, verified=True)
            else:
                self.notify(
                    "Not saved. Fix the key at the exchange, then press ctrl+s to verify again.",
                    title="Key not saved",
                    markup=False,
                )

        self.app.push_screen(questions.dangerous_key(criticals), answered)

    def _show_problem(self, report: AccountReport) -> None:
        problem = report.problem
        title = problem.title if problem is not None else "The exchange did not accept the key."
        fix = problem.fix if problem is not None else ""
        self.query_one(ProblemBox).show(title, fix)

    def _hide_problem(self) -> None:
        self.query_one(ProblemBox).hide()

    @on(Button.Pressed, "#save-anyway")
    def _save_anyway(self, event: Button.Pressed) -> None:
        event.stop()
        if self._pending is None:
            return
        self._hide_problem()
        self._save(self._pending, verified=False)

    @on(Button.Pressed, "#edit")
    def _edit(self, event: Button.Pressed) -> None:
        event.stop()
        self._hide_problem()
        first = self.info.credentials[0].name if self.info.credentials else None
        field = self.query_one(f"#cred-{first}" if first else "#label")
        if isinstance(field, KeyInput):
            field.focus_at_end()  # a keystroke must not wipe the key: nothing selected
        else:
            field.focus()
        self.call_after_refresh(field.scroll_visible, animate=False)  # the form grew back

    def _save(self, account: Account, *, verified: bool) -> None:
        from tui.vault.account import utc_now

        if verified:
            account = account.replace(verified_at=utc_now())
        self._pending = account
        self._set_busy(True, saving=True)
        self._write(account, self._pending_replaces, verified)

    @work(thread=True, exclusive=True, exit_on_error=False, group="save")
    def _write(self, account: Account, replaces: Account | None, verified: bool) -> None:
        from tui.vault.errors import VaultError

        if self.session.closed:
            return
        # Saved anyway: the failing report goes with it, so the lists say "rejected", not
        # "unverified", until the next check.
        report = self._report
        try:
            self.session.save_account(account, replaces, report=report)
        except (VaultError, ValueError, OSError) as error:
            text = explain_save_failure(
                error, self.session.backup_path.parent, "choose Verify and save again"
            )
            self.post_message(TaskFailed("The key was not saved", text, blocking=True))
            self.app.call_from_thread(self._set_busy, False)
            return
        self.post_message(AccountSaved(account, replaced=replaces is not None, verified=verified))

    def on_account_saved(self, message: AccountSaved) -> None:
        from tui.ui.screens.findings import FindingsScreen

        message.stop()
        self._set_busy(False)  # saved: no spinner left turning under the findings
        if message.verified and self._report is not None:
            self.app.push_screen(
                FindingsScreen(self.info, message.account, self._report), self._after_findings
            )
        else:
            self.notify(
                f"{self.info.name} · {message.account.label} saved without verification. "
                "Keydeck will keep checking it.",
                title="Saved (unverified)",
                severity="warning",
                markup=False,
            )
            self.dismiss(None)

    def _after_findings(self, _result: object) -> None:
        self.dismiss(None)

    # ---- state ------------------------------------------------------------------------------

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """An unexpected failure is reported by the app; here the form becomes usable again."""
        if event.state in (WorkerState.ERROR, WorkerState.CANCELLED):
            self._set_busy(False)

    def _set_busy(self, busy: bool, *, saving: bool = False) -> None:
        indicator = self.query_one("#verifying")
        indicator.display = busy
        set_spinning(indicator, busy)
        if saving:
            indicator.query_one(Static).update("Saving the key…")
        else:
            indicator.query_one(Static).update(Text(f"Verifying the key with {self.info.name}…"))
        self.query_one("#submit", Button).disabled = busy

    def kept_on_lock(self) -> tuple[str, str]:  # over an idle lock; never a secret
        return self.info.id, self.query_one("#label", Input).value.strip()
