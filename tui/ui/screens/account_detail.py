"""One account, everything Keydeck knows about it, and what can be done with it.

Opened with Enter on a dashboard row. Shows the state in plain words, latency, clock, the
endpoint, the key's permissions and findings (acknowledged or not) and its balances; keys
re-check it, accept or take back a risk, edit its label or endpoint (no secret re-entered),
or remove it. It follows the Session: a report that arrives while it is open is shown.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, ClassVar

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from tui.base import format as fmt
from tui.connect.allowlist import last_worked_line
from tui.core.rotation import check_revoked, retired_keys
from tui.ui.messages import AccountsChanged, RecheckRequested, RemoveRequested, TaskFailed
from tui.ui.screens.findings import findings_table, permissions_table
from tui.ui.screens.worker_errors import ReportsWorkerErrors
from tui.ui.widgets.states import look_of
from tui.ui.widgets.theme import Palette

if TYPE_CHECKING:
    from tui.connect.models import AccountReport
    from tui.core.exchange_catalog import ExchangeCatalog
    from tui.core.session import Session
    from tui.vault import Account


def _ago(then: datetime | None, now: datetime) -> str:
    if then is None:
        return "never"
    seconds = int((now - then).total_seconds())
    if seconds < 5:
        return "just now"
    if seconds < 60:
        return f"{seconds} s ago"
    if seconds < 3600:
        return f"{seconds // 60} min ago"
    return f"{seconds // 3600} h ago"


def facts_table(account: Account, report: AccountReport | None, now: datetime) -> Table:
    """Latency, clock, when checked, where the calls go."""
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    status = report.status if report is not None else None
    if status is not None and status.latency_ms is not None:
        table.add_row("Latency", f"{status.latency_ms:.0f} ms")
    if status is not None and status.clock_offset_ms is not None:
        offset = fmt.clock_offset(  # never "-0.0 s" (issue 23)
            status.clock_offset_ms, whole_seconds=account.exchange in fmt.WHOLE_SECOND_CLOCKS
        )
        table.add_row("Clock", f"{offset} against the exchange")
    table.add_row("Checked", _ago(status.checked_at if status else None, now))
    if status is not None and status.retry_at is not None and status.retry_at > now:
        table.add_row("Next try", _ago(now, status.retry_at).replace(" ago", "") + " from now")
    endpoint = Text(account.endpoint) if account.endpoint else Text("the exchange's own API")
    table.add_row("Endpoint", endpoint)
    if account.sandbox:
        table.add_row("Testnet", "yes (test funds)")
    key = account.credentials.get("apiKey")
    if key is not None:
        table.add_row("API key", key.masked())
    return table


def balances_text(report: AccountReport | None) -> Text:
    balances = report.balances if report is not None else None
    if balances is None:
        return Text("Not read yet.", style="dim")
    text = Text(f"${balances.total_usd:,.2f}", style="bold")
    if balances.unpriced_assets:
        text.append(f" + {', '.join(balances.unpriced_assets)} without a price")
    held = sorted(balances.assets, key=lambda a: a.usd if a.usd is not None else -1, reverse=True)
    for row in held[:8]:
        value = f"${row.usd:,.2f}" if row.usd is not None else "unknown"
        text.append(f"\n  {row.asset:<8} {row.total:>18,f}  {value:>14}")
    if len(held) > 8:
        text.append(f"\n  … and {len(held) - 8} more", style="dim")
    return text


class AccountDetailScreen(ReportsWorkerErrors, ModalScreen[None]):
    # Short words, and keys shown only when they can act, so the footer fits 80 columns
    # (issue 23: n, o and the remove key were cut off); F1 lists them all with tooltips.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Back", id="detail.back"),
        Binding("f1", "app.help", "Help", id="detail.help", tooltip="Help: the keys here"),
        Binding("c", "recheck", "Check", id="detail.check", tooltip="Check: this key now"),
        Binding(
            "k",
            "acknowledge",
            "Accept risk",
            id="detail.acknowledge",
            tooltip="Accept risk: keep the key although it is flagged critical",
        ),
        Binding(
            "u",
            "unacknowledge",
            "Undo accept",
            id="detail.unacknowledge",
            tooltip="Undo accept: the critical warning comes back",
        ),
        Binding("e", "edit", "Edit", id="detail.edit", tooltip="Edit: the label or endpoint"),
        Binding(
            "n",
            "new_key",
            "Replace key",
            id="detail.new_key",
            tooltip="Replace key: enter a new key for this account (rotate)",
        ),
        Binding(
            "o",
            "check_old_key",
            "Old key revoked?",
            id="detail.old_key",
            tooltip="Old key revoked?: check that a replaced key no longer works",
        ),
        Binding(
            "f8",
            "remove",
            "Remove",
            id="detail.remove",
            tooltip="Remove: forget this account (asks first)",
        ),
    ]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Keys with nothing to act on now are left out of the footer."""
        if action == "acknowledge":
            return bool(self._critical_codes(acknowledged=False))
        if action == "unacknowledge":
            return bool(self._critical_codes(acknowledged=True))
        if action == "check_old_key":
            return not self.session.closed and bool(retired_keys(self.session, self.account_id))
        return True

    def __init__(
        self,
        session: Session,
        catalog: ExchangeCatalog,
        account_id: str,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        """`clock`: "now" for the ages shown (the dashboard's, so both say the same)."""
        super().__init__()
        self.session = session
        self.catalog = catalog
        self.account_id = account_id
        self.clock = clock
        self._unsubscribe: Callable[[], None] | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog detail-dialog"):
            yield Static(id="detail-title", classes="dialog-title", markup=False)
            with VerticalScroll(classes="findings-body"):
                yield Static(id="detail-body", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self._unsubscribe = self.session.subscribe(
            lambda: self.post_message(AccountsChanged()), reports=True
        )
        self.show()

    def on_unmount(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()

    def on_accounts_changed(self, message: AccountsChanged) -> None:
        message.stop()
        if self.session.closed or self.session.account(self.account_id) is None:
            self.dismiss(None)  # removed (or locked) while open
            return
        self.show()

    @property
    def account(self) -> Account | None:
        return None if self.session.closed else self.session.account(self.account_id)

    def show(self) -> None:
        account = self.account
        if account is None:
            return
        palette = Palette(self.app.theme_variables)
        report = self.session.reports.get(account.id)
        look = look_of(report)
        name = self.catalog.display_name(account.exchange)
        self.query_one("#detail-title", Static).update(Text(f"{name} · {account.label}"))
        parts: list[RenderableType] = [Text(look.text, style=palette.style(f"bold {look.style}"))]
        problem = (report.problem or report.status.problem) if report is not None else None
        if problem is not None:
            parts += [Text(problem.title, style="bold"), Text(f"Fix: {problem.fix}")]
        parts += [Text(""), facts_table(account, report, self.clock())]
        allowlist = last_worked_line(account.notes, self.clock().date())
        if allowlist is not None:
            parts.append(Text(allowlist, style="dim"))
        permissions = report.permissions if report is not None else None
        if permissions is not None and permissions.reported:
            parts += [Text("\nWhat this key may do", style="bold")]
            parts.append(permissions_table(permissions, palette))
        elif report is not None and report.problem is None:
            parts.append(Text("\nThis exchange does not report the key's permissions.", "dim"))
        findings = report.findings if report is not None else ()
        if findings:
            accepted = {
                f.code for f in findings if self.session.is_acknowledged(account.id, f.code)
            }
            table = findings_table(findings, palette, accepted)
            parts += [Text("\nTo look at", style="bold"), table]
        parts += [Text("\nBalances", style="bold"), balances_text(report)]
        old_keys = retired_keys(self.session, account.id)
        if old_keys:
            parts.append(
                Text(
                    f"\nA replaced key is kept until it is revoked ({len(old_keys)}): delete it "
                    "at the exchange, then o checks that it no longer works.",
                    style=palette.style("$warning"),
                )
            )
        self.query_one("#detail-body", Static).update(Group(*parts))
        self.refresh_bindings()  # which keys can act follows the report and the choices

    # ---- actions ---------------------------------------------------------------------------

    def action_close(self) -> None:
        self.dismiss(None)

    def action_recheck(self) -> None:
        self.post_message(RecheckRequested(self.account_id))
        self.notify("Checking now…", title="Check")

    def _critical_codes(self, *, acknowledged: bool) -> list[str]:
        report = self.session.reports.get(self.account_id)
        if report is None:
            return []
        return [
            f.code
            for f in report.findings
            if f.severity == "critical"
            and self.session.is_acknowledged(self.account_id, f.code) == acknowledged
        ]

    def action_acknowledge(self) -> None:
        codes = self._critical_codes(acknowledged=False)
        if not codes:
            self.notify("No critical warning to accept for this key.", title="Accept risk")
            return
        self._set_acknowledged(codes, True)

    def action_unacknowledge(self) -> None:
        codes = self._critical_codes(acknowledged=True)
        if not codes:
            self.notify("Nothing accepted for this key.", title="Undo accept")
            return
        self._set_acknowledged(codes, False)

    @work(thread=True, exclusive=True, group="detail-acknowledge", exit_on_error=False)
    def _set_acknowledged(self, codes: list[str], accept: bool) -> None:
        try:
            for code in codes:
                if accept:
                    self.session.acknowledge(self.account_id, code)
                else:
                    self.session.unacknowledge(self.account_id, code)
        except Exception as error:
            self.post_message(TaskFailed("The change was not saved", error))
            return
        text = "Risk accepted for this key." if accept else "The warning is back for this key."
        self.app.call_from_thread(self.notify, text, title="Permissions")

    def action_edit(self) -> None:
        from tui.ui.screens.edit_account import EditAccountScreen

        account = self.account
        if account is not None:
            self.app.push_screen(EditAccountScreen(self.session, account))

    def action_new_key(self) -> None:
        """Rotate: a new key for this account, compared with the old one before it is saved."""
        from tui.ui.screens.rotate_key import RotateKeyScreen

        account = self.account
        info = self.catalog.info(account.exchange) if account is not None else None
        if account is None or info is None:
            self.notify("The exchange list is still loading; try again in a moment.")
            return
        self.app.push_screen(RotateKeyScreen(self.session, info, account))

    @work(exclusive=True, group="detail-old-key", exit_on_error=False)
    async def action_check_old_key(self) -> None:
        import asyncio

        old_keys = retired_keys(self.session, self.account_id)
        if not old_keys:
            self.notify("No replaced key is waiting for a check.", title="Old key")
            return
        verdict, _report = await check_revoked(self.session, old_keys[0])
        if verdict == "revoked":
            await asyncio.to_thread(self.session.remove_account, old_keys[0].id)
            self.notify("Revoked: the old key no longer works. Keydeck has forgotten it.")
        elif verdict == "works":
            self.notify(
                "The old key STILL WORKS: delete it at the exchange, then check again.",
                title="Old key",
                severity="error",
            )
        else:
            self.notify("The exchange could not say; try again later.", title="Old key")

    def action_remove(self) -> None:
        account = self.account
        if account is not None:
            self.post_message(RemoveRequested(account.exchange, account.id))
