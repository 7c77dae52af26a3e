"""The dashboard on a Session: the main screen after unlock.

`SessionDashboard` gets the Session (its refresh source and acknowledgement store), the
exchange catalog and the settings in its constructor. It follows the keyfile (an account
added or removed refreshes it) and opens the exchange list to connect a key.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.binding import Binding, BindingType
from textual.widgets import DataTable
from textual.worker import Worker, WorkerState

from tui.ui.dashboard import heap
from tui.ui.dashboard.changes import SPANS, ChangeTracker, Portfolio, PortfolioHistory
from tui.ui.dashboard.config import DashboardSettings
from tui.ui.dashboard.screen import DashboardScreen
from tui.ui.messages import AccountsChanged
from tui.ui.widgets import textual_leaks

if TYPE_CHECKING:
    from tui.connect.models import AccountReport
    from tui.core.exchange_catalog import ExchangeCatalog
    from tui.core.session import Session


log = logging.getLogger(__name__)

SPAN_LENGTHS = dict(SPANS)
_TOAST_SEVERITY = {"critical": "error", "warning": "warning"}


class SessionDashboard(DashboardScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "c",
            "connect",
            "Connect a key",
            id="dashboard.connect",
            tooltip="Connect a key: the list of every exchange; type to filter",
        ),
        Binding(
            "d",
            "details",
            "Details",
            id="dashboard.details",
            tooltip="Details: everything about the selected account, and what to do with it",
        ),
        Binding(
            "p",
            "history_span",
            "Portfolio span",
            id="dashboard.history_span",
            tooltip="Portfolio span: the portfolio line over 24 h, 7 d or 30 d",
        ),
    ]

    def __init__(
        self,
        session: Session,
        catalog: ExchangeCatalog,
        settings: Any,
        notice: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            session,
            session.accounts,
            DashboardSettings.from_app_settings(settings),
            acknowledgements=session,
            notice=notice,
            **kwargs,
        )
        self.session = session
        self.catalog = catalog
        self._known = _fingerprint(self.accounts)
        self._unsubscribe: Callable[[], None] | None = None
        self._changes = ChangeTracker(session.is_acknowledged)
        self._history: PortfolioHistory | None = None
        self._history_failed = False
        self._announce_span = False  # `p` was pressed: say which span its line covers
        self._settle_heap = True
        """Freeze the long-lived heap after the next round (the first, or the first with new
        clients and their markets): see tui/ui/dashboard/heap.py."""

    def on_mount(self) -> None:
        # No super().on_mount(): Textual calls every class's own `on_mount` in the MRO, so
        # DashboardScreen's runs anyway (calling it here started a second 1 s clock).
        self._unsubscribe = self.session.subscribe(lambda: self.post_message(AccountsChanged()))
        self._open_history()

    def release_accounts(self) -> None:
        """Lock (or this screen going away): also stop following the session, and close the
        history, whose key comes from the keyfile's."""
        first = not self._released
        super().release_accounts()
        if not first:
            return
        unsubscribe, self._unsubscribe = self._unsubscribe, None
        if unsubscribe is not None:
            unsubscribe()
        self._known = ()
        history, self._history = self._history, None
        if history is not None:  # write what is pending off the UI thread, then wipe its key
            threading.Thread(target=history.close, name="keydeck-history-close").start()
        heap.release()  # the session's clients and markets may now be garbage
        with contextlib.suppress(Exception):  # not mounted (a test's bare screen)
            textual_leaks.let_go(self.app)  # nor may the screens closed before

    # ---- what changed: toasts once per change, and the history across sessions --------------

    def round_complete(self, reports: list[AccountReport]) -> None:
        if self._released or self.session.closed:
            return
        for event in self._changes.round(reports, (a.id for a in self.accounts)):
            name = self.catalog.display_name(event.exchange or "")
            self.notify(
                f"{event.title}\n{event.detail}" if event.detail else event.title,
                title=f"{name} · {event.label}",
                severity=_TOAST_SEVERITY.get(event.severity, "information"),
                timeout=12 if event.severity == "critical" else 8,
                markup=False,
            )
        if reports:
            self._record_history(list(self.session.reports.values()))
            textual_leaks.let_go(self.app)  # the toasts and screens closed since the last one
        if reports and self._settle_heap:
            self._settle_heap = False
            self.call_after_refresh(heap.settle)  # once the round's last frame is out

    @work(thread=True, exclusive=True, group="history", exit_on_error=False)
    def _open_history(self) -> None:
        history = PortfolioHistory.open(self.session.vault)
        if history is not None:
            self.app.call_from_thread(self._history_opened, history)

    def _history_opened(self, history: PortfolioHistory) -> None:
        if self._released or not self.is_mounted:
            history.close()
            return
        self._history = history
        self._load_portfolio()

    # A description given: Textual's default is the repr of every argument, here every
    # account's report, each round (~1 ms a round at 100 accounts).
    @work(thread=True, group="history", exit_on_error=False, description="record history")
    def _record_history(self, reports: list[AccountReport]) -> None:
        history = self._history
        if history is None:
            return
        history.record(reports)
        portfolio = history.portfolio()
        self.app.call_from_thread(self._show_portfolio, portfolio)

    @work(thread=True, group="history", exit_on_error=False)
    def _load_portfolio(self) -> None:
        history = self._history
        if history is not None:
            portfolio = history.portfolio()
            self.app.call_from_thread(self._show_portfolio, portfolio)

    def _show_portfolio(self, portfolio: Portfolio) -> None:
        if self._announce_span:
            self._announce_span = False
            self.notify(span_message(portfolio), title="Portfolio span", markup=False)
        if len(portfolio.points) < 2:
            return  # not enough stored yet: keep this session's line
        self.model.history = list(portfolio.points)
        first = portfolio.points[0][0]
        covered = portfolio.points[-1][0] - first
        # "over 7 d" only when the stored history covers most of it; else since when.
        if covered >= SPAN_LENGTHS[portfolio.span] * 0.9:
            self.history_span = f"over {portfolio.span}"
        else:
            self.history_span = f"since {first.astimezone():%b %d %H:%M}"
        self._draw_picture()

    @work(thread=True, group="history", exit_on_error=False)
    def forget_history(self, account_id: str) -> None:
        """Drop a removed account's past balances (the user chose so)."""
        if self._history is not None:
            self._history.forget(account_id)
        self._load_portfolio()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A history failure (a full disk...) is said once; the dashboard goes on without."""
        if event.worker.group != "history" or event.state is not WorkerState.ERROR:
            return
        log.warning("portfolio history: %s", type(event.worker.error).__name__)
        if not self._history_failed:
            self._history_failed = True
            self.notify(
                "The portfolio history could not be read or written; details are in the log. "
                "Everything else works.",
                title="Portfolio history",
                severity="warning",
            )

    def action_history_span(self) -> None:
        """`p`: the portfolio line over 24 h, 7 d or 30 d."""
        if self._history is None:
            self.notify("No stored history yet: it grows with each refresh.", title="Portfolio")
            return
        self._history.next_span()
        self._announce_span = True  # said once the span's line is read (issue 23)
        self._load_portfolio()

    def on_accounts_changed(self, message: AccountsChanged) -> None:
        message.stop()
        if self._released or self.session.closed:
            return
        accounts = self.session.accounts
        known = _fingerprint(accounts)
        if known != self._known:
            self._known = known
            self._settle_heap = True  # new clients load their markets in the next round
            self.set_accounts(accounts)
        else:
            self._draw_warnings()  # an acknowledgement given or taken back

    @on(DataTable.RowSelected, "#status-table")
    @on(DataTable.RowSelected, "#balance-table")
    @on(DataTable.RowSelected, "#balance-accounts")
    def _open_detail(self, event: DataTable.RowSelected) -> None:
        """Enter on an account's row (status, or per-account balances): everything about
        it, and what can be done."""
        event.stop()
        self.action_details()

    def action_details(self) -> None:
        """`d`: the detail of the account selected in the focused table."""
        account_id = self.selected_account_id()
        if account_id is not None:
            self._show_detail(account_id)

    def _show_detail(self, account_id: str) -> None:
        from tui.ui.screens.account_detail import AccountDetailScreen

        if self.session.account(account_id) is not None:
            detail = AccountDetailScreen(self.session, self.catalog, account_id, clock=self.clock)
            self.app.push_screen(detail)

    def action_connect(self) -> None:
        from tui.ui.screens.exchanges import ExchangeListScreen

        self.app.push_screen(ExchangeListScreen(self.session, self.catalog))


def span_message(portfolio: Portfolio) -> str:
    """Which span `p` chose, and how much of it the stored history covers."""
    points = portfolio.points
    text = f"The portfolio line now covers {portfolio.span}."
    if len(points) < 2:
        return f"{text} Too little is stored yet to draw it: the line shows this session."
    first = points[0][0]
    if points[-1][0] - first < SPAN_LENGTHS[portfolio.span] * 0.9:
        text += f" History is stored since {first.astimezone():%b %d %H:%M} only."
    return f"{text} p: the next span."


def _fingerprint(accounts: list[Any]) -> tuple[tuple[str, Any], ...]:
    """Which accounts exist and when each last changed (keys replaced, label edited)."""
    return tuple((a.id, getattr(a, "updated_at", None)) for a in accounts)
