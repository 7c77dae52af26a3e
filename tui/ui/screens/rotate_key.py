"""Rotate a key: enter the new one, verify it, compare its rights with the old key's, save it,
then delete the old key at the exchange and let Keydeck check that it no longer works.

The old key stays in the keyfile (encrypted, out of every list) until that check says it is
revoked or the user drops it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from tui.core.rotation import check_revoked, compare_rights, retired_keys
from tui.ui.messages import AccountSaved, TaskFailed
from tui.ui.screens.key_entry import KeyEntryScreen
from tui.ui.screens.worker_errors import ReportsWorkerErrors
from tui.ui.widgets.theme import Palette

if TYPE_CHECKING:
    from tui.connect.catalog import ExchangeInfo
    from tui.connect.models import AccountReport
    from tui.core.session import Session
    from tui.vault.account import Account


class RotateKeyScreen(KeyEntryScreen):
    """Key entry for a new key of an existing account (its label and history kept)."""

    def __init__(self, session: Session, info: ExchangeInfo, account: Account, **kw: Any) -> None:
        super().__init__(session, info, replace=account, **kw)
        self.account = account
        self._old_report = session.reports.get(account.id)  # before the new key's replaces it

    def on_mount(self) -> None:
        self.query_one("#label", Input).disabled = True  # the same account, the same label
        self.query_one("#save-anyway", Button).display = False  # a rotation is verified
        self.sub_title = f"New key for {self.info.name} · {self.account.label}"

    def action_submit(self) -> None:
        """No "replace?" question: replacing this account's key is why the form is open."""
        if self.query_one("#verifying").display:
            return
        self._hide_problem()
        entered = self.read_form()
        if entered is None:
            return
        if entered.credentials.get("apiKey") == self.account.credentials.get("apiKey"):
            self.form_fields.set_error(self.info.credentials[0].name, "This is the key in use now.")
            return
        new = self.account.replace(
            credentials=entered.credentials,
            sandbox=entered.sandbox,
            endpoint=entered.endpoint,
            verified_at=None,
        )
        self._start_verify(new, self.account)

    @work(thread=True, exclusive=True, exit_on_error=False, group="save")
    def _write(self, account: Account, replaces: Account | None, verified: bool) -> None:
        from tui.vault.errors import VaultError

        if self.session.closed or self._report is None:
            return
        try:
            self._retired = self.session.rotate_key(self.account, account, self._report)
        except (VaultError, ValueError, OSError) as error:
            self.post_message(TaskFailed("The new key was not saved", error, blocking=True))
            self.app.call_from_thread(self._set_busy, False)
            return
        self.post_message(AccountSaved(account, replaced=True, verified=True))

    def on_account_saved(self, message: AccountSaved) -> None:
        message.stop()
        message.prevent_default()  # not KeyEntryScreen's findings: the rotation's own summary
        done = RotationDoneScreen(
            self.session, self.info, message.account, self._retired, self._old_report, self._report
        )
        self.app.push_screen(done, self._after_findings)


class RotationDoneScreen(ReportsWorkerErrors, ModalScreen[None]):
    """The new key is saved: what it may do next to the old one, and the old key's end."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Later", id="rotation.later"),
    ]

    def __init__(
        self,
        session: Session,
        info: ExchangeInfo,
        account: Account,
        retired: Account,
        old_report: AccountReport | None,
        new_report: AccountReport | None,
    ) -> None:
        super().__init__()
        self.session = session
        self.info = info
        self.account = account
        self.retired = retired
        self.old_report = old_report
        self.new_report = new_report

    def compose(self) -> ComposeResult:
        palette = Palette(self.app.theme_variables)
        with Vertical(classes="dialog findings-dialog"):
            yield Static(
                Text(f"✓ {self.info.name} · {self.account.label}: new key verified and saved"),
                classes="dialog-title",
            )
            with VerticalScroll(classes="findings-body"):
                yield Static(self._rights(palette), id="rights")
                yield Static(self._next_steps(), id="next-steps", markup=False)
                yield Static("", id="revocation", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Check the old key is revoked", id="check", variant="primary")
                yield Button("Drop the old key now", id="drop", variant="warning")
                yield Button("Later", id="later")

    def _rights(self, palette: Palette) -> Table | Text:
        old = self.old_report.permissions if self.old_report is not None else None
        new = self.new_report.permissions if self.new_report is not None else None
        rows = compare_rights(old, new)
        if not rows:
            return Text(f"{self.info.name} does not report what either key may do.", "dim")
        table = Table(title="What each key may do", title_justify="left", box=None)
        table.add_column("")
        table.add_column("old key")
        table.add_column("new key")
        for words, before, after, danger in rows:
            mark = Text(_word(after))
            if danger:
                mark = Text(f"{_word(after)}  ⚠ gained", style=palette.style("bold $error"))
            table.add_row(words, _word(before), mark)
        return table

    def _next_steps(self) -> str:
        where = self.info.api_keys_help or self.info.website or f"{self.info.name}'s website"
        return (
            f"Now delete the old key at {where}. Until then it still works for anyone who "
            "has it. Keydeck keeps it (encrypted) only to check that it is gone: once you have "
            "deleted it, choose Check, and Keydeck tries it once."
        )

    @on(Button.Pressed, "#check")
    def _check(self, event: Button.Pressed) -> None:
        event.stop()
        self.query_one("#revocation", Static).update("Trying the old key once…")
        self._try_old_key()

    @work(exclusive=True, group="rotation", exit_on_error=False)
    async def _try_old_key(self) -> None:
        verdict, report = await check_revoked(self.session, self.retired)
        if verdict == "revoked":
            await self._drop()
            text = "Revoked: the old key no longer works. Keydeck has forgotten it."
        elif verdict == "works":
            text = (
                "The old key STILL WORKS. Delete it at the exchange, then check again. "
                "Keydeck keeps it until then."
            )
        else:
            problem = report.problem
            reason = problem.title if problem is not None else "no answer"
            text = f"The exchange could not say ({reason}). Try the check again later."
        self.query_one("#revocation", Static).update(text)

    @on(Button.Pressed, "#drop")
    def _drop_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self._drop_now()

    @work(exclusive=True, group="rotation", exit_on_error=False)
    async def _drop_now(self) -> None:
        await self._drop()
        self.notify("The old key is forgotten. Delete it at the exchange too.", markup=False)
        self.dismiss(None)

    async def _drop(self) -> None:
        import asyncio

        if any(a.id == self.retired.id for a in retired_keys(self.session, self.account.id)):
            await asyncio.to_thread(self.session.remove_account, self.retired.id)

    @on(Button.Pressed, "#later")
    def action_close(self) -> None:
        self.dismiss(None)


def _word(value: bool | None) -> str:
    return "?" if value is None else "yes" if value else "no"
