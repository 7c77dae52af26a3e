"""The dashboard's panes, drawn from its model: the one interface the screen draws through.

Drawing is kept cheap, because a frame that needs a layout reflows the whole screen: each
event draws only the panes it can change, a pane skips what reads the same as before, and
the 1 s clock renews only the "… ago" texts, and only once one of them can read differently
(each pane's tick says when; any draw looks again at the next tick).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, TypeVar

from tui.ui.dashboard.balance_pane import BalancePane, BalanceView
from tui.ui.dashboard.config import Acknowledgements
from tui.ui.dashboard.model import AccountLike, AllocationBy, BalanceFilter, DashboardModel
from tui.ui.dashboard.picture import PicturePane
from tui.ui.dashboard.status_pane import StatusPane
from tui.ui.dashboard.warnings_panel import CriticalBanner, WarningsPanel
from tui.ui.widgets.theme import Palette

if TYPE_CHECKING:
    from textual.screen import Screen
    from textual.widget import Widget

    PaneT = TypeVar("PaneT", bound=Widget)

NEVER = datetime.max.replace(tzinfo=UTC)
"""A tick due at no time: no "… ago" text is shown; only a draw brings one."""


class DashboardState:
    """What the panes are drawn from (the dashboard screen has all of it)."""

    model: DashboardModel
    accounts: list[AccountLike]
    balance_filter: BalanceFilter
    balance_view: BalanceView
    allocation_by: AllocationBy
    history_span: str
    acknowledgements: Acknowledgements
    clock: Callable[[], datetime]


class DashboardPanes:
    """Draws each pane of `screen`; nothing until `drawable` (mounted), nothing after a lock."""

    def __init__(self, screen: Screen[None]) -> None:
        self.screen = screen
        self.drawable = False
        self._palette_cache: Palette | None = None
        self._tick_due: datetime | None = None
        """When the clock can next change a text on screen; None: at the next tick."""
        self._ticked_at = NEVER
        self._found: dict[type[Widget], Widget] = {}

    @property
    def state(self) -> DashboardState:
        return self.screen  # type: ignore[return-value]

    def all(self) -> None:
        """Bring every pane up to date (each still skips what has not changed)."""
        self.first_run()
        self.status()
        self.balances()
        self.picture()
        self.warnings()

    def first_run(self) -> None:
        """No account: one panel saying what to do, not panes of "…" and an "all clear"
        about accounts that do not exist."""
        if not self.drawable:
            return
        empty = not self.state.accounts
        self.screen.query_one("#first-run").display = empty
        for pane in ("#dashboard-top", "#dashboard-bottom"):
            self.screen.query_one(pane).display = not empty

    def _pane(self, kind: type[PaneT]) -> PaneT:
        """The screen's one widget of `kind`, looked up once: the screen composes each pane
        once, and a query walks the whole screen (most of a 1 s tick's cost)."""
        found = self._found.get(kind)
        if found is None:
            found = self._found[kind] = self.screen.query_one(kind)
        return found  # type: ignore[return-value]

    def status(self) -> None:
        if self.drawable:
            state = self.state
            self._tick_due = None
            self._pane(StatusPane).show(state.model, state.clock(), self.palette())

    def balances(self) -> None:
        if self.drawable:
            state = self.state
            self._tick_due = None
            pane = self._pane(BalancePane)
            view, flt = state.balance_view, state.balance_filter
            pane.show(state.model, flt, view, state.clock(), self.palette())

    def balance_subtitle(self) -> None:
        """The balances' subtitle alone: a round beginning ("refreshing…") changes no row,
        and rebuilding both tables for it cost ~10 ms a round at 100 accounts."""
        if self.drawable:
            state = self.state
            self._tick_due = None
            self._pane(BalancePane).tick(state.model, state.balance_filter, state.clock())

    def balance_view(self) -> None:
        """`v`: the other view's table, kept current by `balances`: a switch, no refill."""
        if self.drawable:
            state = self.state
            self._tick_due = None
            self._pane(BalancePane).show_view(
                state.model, state.balance_filter, state.balance_view, state.clock()
            )

    def picture(self) -> None:
        if self.drawable:
            state = self.state
            self._pane(PicturePane).show(state.model, state.allocation_by, state.history_span)

    def warnings(self) -> None:
        """The permissions panel and the critical banner, which read the same findings."""
        if not self.drawable:
            return
        state = self.state
        groups = state.model.warnings(state.acknowledgements.is_acknowledged)
        # Accounts whose rights are not known (not answered yet, failed) never count as
        # "all clear"; one whose exchange does not report them has its own info finding.
        views = state.model.views.values()
        checking = tuple(v.name for v in views if v.report is None)
        unknown = tuple(
            v.name for v in views if v.report is not None and v.report.permissions is None
        )
        panel = self._pane(WarningsPanel)
        panel.show(groups, self.palette(), checking, unknown)
        self._tick_due = None
        panel.tick(state.model.rights_read_at(), state.clock())
        self._pane(CriticalBanner).show(
            [item for item in groups["critical"] if not item.acknowledged]
        )

    def tick(self) -> None:
        """The 1 s clock: only the "… ago" texts move with time, and only at the instants
        the panes gave (nothing between two of them)."""
        if not self.drawable:
            return
        state = self.state
        now = state.clock()
        if self._tick_due is not None and self._ticked_at <= now < self._tick_due:
            return  # (a wall clock set back looks again)
        self._ticked_at = now
        model = state.model
        due = (
            self._pane(StatusPane).tick(model, now),
            self._pane(BalancePane).tick(model, state.balance_filter, now),
            self._pane(WarningsPanel).tick(model.rights_read_at(), now),
        )
        self._tick_due = min((at for at in due if at is not None), default=NEVER)

    def forget(self) -> None:
        """Drop the rows the panes keep between draws (other accounts, a lock, a theme)."""
        self._tick_due = None
        for pane in self.screen.query(BalancePane):
            pane.forget_rows()
        for pane in self.screen.query(StatusPane):
            pane.forget_rows()

    def palette(self) -> Palette:
        variables = self.screen.app.theme_variables
        if self._palette_cache is None or self._palette_cache.variables is not variables:
            self._palette_cache = Palette(variables)
        return self._palette_cache

    def theme_changed(self) -> None:
        # Table cells hold resolved colours; a new theme needs them (and the texts) again.
        self._palette_cache = None
        self.forget()
        self.screen.call_after_refresh(self.all)
