"""The dashboard screen: status, balances, the portfolio picture and permission warnings.

Its services come in through the constructor (a refresh source, normally the Session; the
accounts, settings, a clock, an acknowledgement store), so a test builds it around the
simulator or a scripted source. The refresh runs in an async worker that consumes
`source.refresh(accounts, force=...)` and posts
one `ReportArrived` per account as it completes; panes update in place from those messages,
drawn through `DashboardPanes` (tui/ui/dashboard/panes.py).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Header, Input, Static
from textual.worker import Worker

from tui.connect.models import AccountReport
from tui.ui.dashboard.acknowledging import AcknowledgeRisks
from tui.ui.dashboard.balance_pane import ACCOUNT_ROW, BalancePane, BalanceView
from tui.ui.dashboard.config import Acknowledgements, DashboardSettings, MemoryAcknowledgements
from tui.ui.dashboard.keys import DASHBOARD_BINDINGS, PANE_ACTIONS, PANE_NOTES
from tui.ui.dashboard.messages import (
    ViewChosen,
)
from tui.ui.dashboard.model import (
    SORT_CYCLE,
    AccountLike,
    AllocationBy,
    BalanceFilter,
    DashboardModel,
    SortKey,
)
from tui.ui.dashboard.panes import DashboardPanes
from tui.ui.dashboard.picture import PicturePane
from tui.ui.dashboard.rounds import (
    NO_SOURCE,
    WAKE_LOOK_S,
    Forced,
    RefreshRounds,
    RefreshSource,
)
from tui.ui.dashboard.status_pane import StatusPane
from tui.ui.dashboard.warnings_panel import CriticalBanner, WarningsPanel

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]

WIDE_NOTICE_COLUMNS = 160
SMALL_TERMINAL = (80, 24)
"""Below this the dashboard still works, and says once that a larger terminal shows more."""


FIRST_RUN_TEXT = (
    "No keys yet. Press c to connect your first exchange.\n\n"
    "Keydeck checks each key with its exchange, shows its status, balances and what it is "
    "allowed to do, and warns when a key can withdraw."
)

_SORT_BY_COLUMN: dict[str, SortKey] = {
    "asset": SortKey.asset,
    "total": SortKey.total,
    "used": SortKey.in_orders,
    "free": SortKey.total,
    "usd": SortKey.value,
    "share": SortKey.value,
}


def utc_now() -> datetime:
    return datetime.now(UTC)


_Choice = TypeVar("_Choice", bound=StrEnum)


def _choice(kind: type[_Choice], value: str, default: _Choice) -> _Choice:
    """A kept view choice; the default for a word this version does not know."""
    try:
        return kind(value)
    except ValueError:
        return default


class DashboardScreen(RefreshRounds, AcknowledgeRisks, Screen[None]):
    CSS_PATH = Path(__file__).with_name("dashboard.tcss")
    # Classes for the layout by width (dashboard.tcss): 80x24 to wide desk monitors.
    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = [
        (0, "-narrow"),
        (110, "-normal"),
        (170, "-wide"),
    ]
    VERTICAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = [(0, "-short"), (34, "-tall")]

    BINDINGS: ClassVar[list[BindingType]] = list(DASHBOARD_BINDINGS)
    HELP_NOTES: ClassVar[tuple[tuple[str, str], ...]] = PANE_NOTES

    def __init__(
        self,
        source: RefreshSource,
        accounts: Sequence[AccountLike],
        settings: DashboardSettings | None = None,
        *,
        clock: Clock = utc_now,
        acknowledgements: Acknowledgements | None = None,
        notice: str | None = None,
        auto_start: bool = True,
        name: str | None = None,
        id: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id)
        self.source: RefreshSource = source
        self.accounts: list[AccountLike] = list(accounts)
        self.settings = settings or DashboardSettings()
        self.clock = clock
        self.acknowledgements: Acknowledgements = acknowledgements or MemoryAcknowledgements()
        self.notice = notice
        self.auto_start = auto_start
        self.model = DashboardModel.for_accounts(self.accounts)
        self.balance_filter = BalanceFilter(
            hide_small=self.settings.hide_small_balances,
            threshold_usd=self.settings.small_balance_usd,
            sort=_choice(SortKey, self.settings.balance_sort, SortKey.value),
        )
        self.balance_view = _choice(BalanceView, self.settings.balance_view, BalanceView.all)
        self.allocation_by = _choice(
            AllocationBy, self.settings.allocation_by, AllocationBy.exchange
        )
        self._auto_timer: Timer | None = None
        self._refresh_worker: Worker[None] | None = None
        self.panes = DashboardPanes(self)
        self._said_small = False
        self.history_span = "this session"
        """What the portfolio line covers; a subclass with a stored history changes it."""
        self._round_reports: list[AccountReport] = []
        self._draw_timer: Timer | None = None
        self._round_timer: Timer | None = None
        self._draw_due = False
        self._draw_at = 0.0
        self._last_report_draw = 0.0
        self._released = False
        self._queued: list[AccountLike] = []
        self._round_ids: list[str] = []
        self._round_force: Forced = False

    # --- composition -----------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        yield CriticalBanner(id="critical-banner")
        yield Static(FIRST_RUN_TEXT, id="first-run", markup=False)
        with Horizontal(id="dashboard-top"):
            yield StatusPane(id="status-pane")
            yield PicturePane(id="picture-pane")
        with Horizontal(id="dashboard-bottom"):
            yield BalancePane(id="balance-pane")
            yield WarningsPanel(id="warnings-panel")
        if self.notice:
            yield Static(self._notice_for(self.app.size.width), id="dashboard-notice", markup=False)
        yield Footer()

    def _notice_for(self, width: int) -> str:
        """The demo's notice: its first line on a small terminal (the rest is on the key form,
        where it is used), all of it where there is room."""
        first, *rest = (self.notice or "").splitlines() or [""]
        # A key to connect by hand goes once its exchange is connected (issue 23).
        held = {account.exchange for account in self.accounts}
        rest = [line for line in rest if not any(f" {e} " in line.lower() for e in held)]
        return "\n".join([first, *rest]) if width >= WIDE_NOTICE_COLUMNS else first

    def _show_notice(self) -> None:
        if self.notice and self.panes.drawable:
            text = self._notice_for(self.app.size.width)
            self.query_one("#dashboard-notice", Static).update(text)

    def on_resize(self, event: events.Resize) -> None:
        self.call_after_refresh(self._draw_status)  # fixes shown by the pane's new width
        self._say_if_small(event.size.width, event.size.height)
        if self.notice:
            notice = self.query_one("#dashboard-notice", Static)
            notice.update(self._notice_for(event.size.width))

    def _say_if_small(self, width: int, height: int) -> None:
        """Below 80x24 the panes lose rows and columns: say once how to see them all."""
        small = width < SMALL_TERMINAL[0] or height < SMALL_TERMINAL[1]
        if small and not self._said_small:
            self.notify(
                f"This terminal is {width}x{height}: Keydeck is laid out for "
                f"{SMALL_TERMINAL[0]}x{SMALL_TERMINAL[1]} or larger. Make the window larger "
                "(or the font smaller) to see every row and column.",
                title="Small terminal",
                severity="warning",
                timeout=10,
            )
        self._said_small = small

    def on_mount(self) -> None:
        self.sub_title = "Dashboard"
        self.panes.drawable = True  # `is_mounted` turns true only after this handler
        self.redraw()
        self.set_interval(WAKE_LOOK_S, self._tick, name="dashboard-clock")
        # A signal, not `watch(app, "theme")`: the app keeps watchers until the theme next
        # changes, and with them this screen and the accounts it held after a lock.
        self.app.theme_changed_signal.subscribe(self, self._on_theme_changed)
        self._schedule_auto_refresh()
        if self.auto_start:
            self.start_refresh()
        self.query_one("#status-table", DataTable).focus()  # d, R, Enter act on its row

    def _schedule_auto_refresh(self) -> None:
        if self._auto_timer is not None:
            self._auto_timer.stop()
            self._auto_timer = None
        interval = self.settings.refresh_interval_s
        if interval and interval > 0:
            self._auto_timer = self.set_interval(
                interval, self._refresh_on_schedule, name="auto-refresh"
            )

    def on_unmount(self) -> None:
        self.release_accounts()

    def release_accounts(self) -> None:
        """Lock: stop every timer and worker of this screen and forget the accounts, now.
        The screen itself goes away a little later; anything of its work that still arrives
        finds nothing to draw and no keyfile to read."""
        self._released = True
        self.panes.drawable = False
        self.panes.forget()
        self._cancel_due_draw()
        with contextlib.suppress(Exception):  # not mounted (a test's bare screen)
            self.app.theme_changed_signal.unsubscribe(self)
        for timer in (self._auto_timer, self._draw_timer, self._round_timer):
            if timer is not None:
                timer.stop()
        self._auto_timer = self._round_timer = None
        self.workers.cancel_node(self)
        self._refresh_worker = None
        self._queued = []
        self._round_reports = []
        self.accounts = []
        self.model = DashboardModel.for_accounts([])
        self.source = NO_SOURCE
        self.acknowledgements = MemoryAcknowledgements()

    # --- public surface for the app --------------------------------------------------------

    def set_accounts(self, accounts: Sequence[AccountLike]) -> None:
        """Follow changes to the keyfile (an account added or removed), then refresh."""
        self.accounts = list(accounts)
        self.model.set_accounts(self.accounts)
        self.panes.forget()
        self._show_notice()
        self.refresh_bindings()
        self.redraw()
        self.start_refresh(restart=True)

    def apply_settings(self, settings: DashboardSettings) -> None:
        self.settings = settings
        self.balance_filter.hide_small = settings.hide_small_balances
        self.balance_filter.threshold_usd = settings.small_balance_usd
        self._schedule_auto_refresh()
        self.redraw()

    # --- drawing: through the panes (tui/ui/dashboard/panes.py) ------------------------------

    def redraw(self) -> None:
        self.panes.all()

    def _draw_status(self) -> None:
        self.panes.status()

    def _draw_balances(self) -> None:
        self.panes.balances()

    def _draw_balance_subtitle(self) -> None:
        self.panes.balance_subtitle()

    def _draw_picture(self) -> None:
        self.panes.picture()

    def _draw_warnings(self) -> None:
        self.panes.warnings()

    def _tick(self) -> None:
        """The 1 s clock: did the computer sleep, and which "… ago" texts moved."""
        self.look_for_wake()
        self.panes.tick()

    def _on_theme_changed(self, _theme: object = None) -> None:
        self.panes.theme_changed()

    # --- actions ---------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """With no account, the pane keys are hidden (footer and help): nothing to act on."""
        return bool(self.accounts) or action not in PANE_ACTIONS

    def action_recheck_selected(self) -> None:
        """Check the account on the status table's selected row now (back-off bypassed)."""
        row_key = self.selected_account_id()
        if row_key is None:
            self.notify("No accounts yet: connect an exchange first.", title="Check")
            return
        self.check_now(row_key)

    def selected_account_id(self) -> str | None:
        """The account the user sees selected: the balance table's row when that table has
        the focus and its row belongs to one account (the per-account view), else the status
        table's row (issue 23: the arrows moved one table while the keys acted on another)."""
        balances = self.query_one(BalancePane).table
        if self.focused is balances and balances.row_count:
            key = str(balances.coordinate_to_cell_key(balances.cursor_coordinate).row_key.value)
            if key.startswith(ACCOUNT_ROW):
                return key.removeprefix(ACCOUNT_ROW).split(":", 1)[0]
        status = self.query_one("#status-table", DataTable)
        if not status.row_count:
            return None
        return str(status.coordinate_to_cell_key(status.cursor_coordinate).row_key.value)

    def action_switch_view(self) -> None:
        views = list(BalanceView)
        self.balance_view = views[(views.index(self.balance_view) + 1) % len(views)]
        self._chosen(balance_view=self.balance_view.value)
        self.panes.balance_view()  # the other table, kept current: one frame

    def action_cycle_sort(self) -> None:
        index = SORT_CYCLE.index(self.balance_filter.sort)
        self.balance_filter.sort = SORT_CYCLE[(index + 1) % len(SORT_CYCLE)]
        self._chosen(balance_sort=self.balance_filter.sort.value)
        self._draw_balances()

    def action_toggle_small(self) -> None:
        self.balance_filter.hide_small = not self.balance_filter.hide_small
        self._chosen(hide_small_balances=self.balance_filter.hide_small)
        self._draw_balances()

    def action_switch_allocation(self) -> None:
        self.allocation_by = (
            AllocationBy.asset
            if self.allocation_by is AllocationBy.exchange
            else AllocationBy.exchange
        )
        self._chosen(allocation_by=self.allocation_by.value)
        self._draw_picture()

    def _chosen(self, **changes: Any) -> None:
        """A view choice: kept here, and offered to the app to keep in the settings."""
        self.settings = self.settings.with_changes(**changes)
        self.post_message(ViewChosen(**changes))

    def action_focus_filter(self) -> None:
        self.query_one("#balance-filter", Input).focus()

    def action_leave_filter(self) -> None:
        if isinstance(self.focused, Input):
            self.query_one(BalancePane).table.focus()

    @on(Input.Changed, "#balance-filter")
    def _on_filter(self, event: Input.Changed) -> None:
        self.balance_filter.text = event.value.strip()
        self._draw_balances()

    @on(Input.Submitted, "#balance-filter")
    def _on_filter_done(self) -> None:
        self.query_one(BalancePane).table.focus()

    @on(DataTable.HeaderSelected, "#balance-table")
    @on(DataTable.HeaderSelected, "#balance-accounts")
    def _on_header(self, event: DataTable.HeaderSelected) -> None:
        key = _SORT_BY_COLUMN.get(str(event.column_key.value))
        if key is not None:
            self.balance_filter.sort = key
            self._draw_balances()
