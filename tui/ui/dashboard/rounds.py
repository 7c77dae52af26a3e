"""Refresh rounds of the dashboard: started on a timer, by `r` (every account, forced) and
by `R` / "Check now" (one account), run in one worker whose reports arrive as Messages.

A forced check during a round restarts the round with that account (or every account)
forced: the checks under way stop before the new ones start, so never two requests for one
account at once, and the rows say "checking…" at once. After a lock (`release_accounts`)
nothing of a round can reach the screen or the closed keyfile.

After a sleep of the computer (its wall clock jumped past the monotonic one, which stands
still in suspend, as Textual's timers do), a forced round starts at once: every account is
checked again, not at the next tick of a timer that slept too (unless automatic refresh is
off).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable, Collection, Sequence
from datetime import datetime
from typing import Any, Protocol

from textual import events, on, work
from textual.screen import Screen
from textual.timer import Timer
from textual.worker import Worker, WorkerState

from tui.connect.clock import SleepDetector
from tui.connect.models import AccountReport
from tui.ui.dashboard.config import DashboardSettings
from tui.ui.dashboard.messages import RefreshFinished, RefreshStarted, ReportArrived
from tui.ui.dashboard.model import AccountLike, DashboardModel

log = logging.getLogger(__name__)

REFRESH_GROUP = "dashboard-refresh"
DRAW_INTERVAL_S = 0.1
"""Reports arriving closer together than this are drawn together: one draw per pane per
interval, not one per report (which was O(N) per report, O(N²) per round)."""
QUIET_DRAW_INTERVAL_S = 10.0
"""The same for answers nobody asked for (a scheduled round): the round's end draws them
all, a long round every 10 s (each draw is O(accounts); a round of 20 or 100 accounts on
the simulator lasted ~6 s with ccxt's rate limiter, so 5 s drew most rounds twice); a
first answer or a check asked for (`r`) shows within DRAW_INTERVAL_S."""
ROUND_SHOWN_AFTER_S = 1.0
"""A scheduled round of accounts already on screen says "rechecking…" / "refreshing…" only
once it has run this long. Most rounds end sooner: the subtitles flickered on and off every
interval, which told nothing and cost two screen updates a round. A round the user asked
for (`r`, `R`) or of accounts never checked yet says so at once."""
WAKE_LOOK_S = 1.0
"""How often the dashboard looks whether the computer slept: at each tick of the screen's
one clock, which also renews the "… ago" texts. One timer, not two: an idle
dashboard wakes once a second, not twice."""

Forced = bool | Collection[str]
"""Which accounts skip their back-off in a round: all (True), none, or these ids."""


class RefreshSource(Protocol):
    """What the dashboard needs of the session: reports streamed as each account finishes.
    `force` bypasses the back-off of failing accounts (the user asked for a check now)."""

    def refresh(
        self, accounts: Sequence[Any], *, force: Forced = False
    ) -> AsyncIterator[AccountReport]: ...


class _NoSource:
    """The refresh source after a lock: nothing left to check."""

    async def refresh(
        self, accounts: Sequence[Any], *, force: Forced = False
    ) -> AsyncIterator[AccountReport]:
        return
        yield  # an async generator that yields nothing


NO_SOURCE = _NoSource()


class RefreshRounds(Screen[None]):
    """Mixin for the dashboard screen (which has the attributes declared here, `redraw`,
    `_draw_status`, `_draw_balances` and `_draw_balance_subtitle`)."""

    accounts: list[AccountLike]
    model: DashboardModel
    source: RefreshSource
    clock: Callable[[], datetime]
    settings: DashboardSettings
    _released: bool
    _queued: list[AccountLike]
    _round_ids: list[str]
    _round_force: Forced
    _round_reports: list[AccountReport]
    _refresh_worker: Worker[None] | None
    _draw_timer: Timer | None
    _round_timer: Timer | None
    _draw_due: bool
    _draw_at: float
    _last_report_draw: float
    _wake: SleepDetector | None = None

    def redraw(self) -> None:
        raise NotImplementedError

    def _draw_status(self) -> None:
        raise NotImplementedError

    def _draw_balances(self) -> None:
        raise NotImplementedError

    def _draw_balance_subtitle(self) -> None:
        raise NotImplementedError

    @property
    def refreshing(self) -> bool:
        return self._refresh_worker is not None and self._refresh_worker.is_running

    def start_refresh(
        self,
        accounts: Sequence[AccountLike] | None = None,
        *,
        restart: bool = False,
        force: Forced = False,
    ) -> bool:
        """Start a refresh round of every account (or `accounts`); returns False when one is
        running and `restart` is off. `restart` cancels a running round (its checks under
        way are stopped before the new ones start: never two at once for one account).
        `force` checks failing accounts too, whatever their back-off: all (True) or the
        accounts with these ids."""
        if self._released or (self.refreshing and not restart):
            return False
        todo = list(accounts if accounts is not None else self.accounts)
        if not todo:
            return False
        self._round_ids = [a.id for a in todo]
        self._round_force = force
        self._queued = todo  # taken by the worker: its arguments keep no account alive
        self._refresh_worker = self._refresh(force)
        return True

    def check_now(self, account_id: str) -> bool:
        """Check one account now, back-off skipped: alone, or, during a round, by restarting
        the round with this account forced too (its row says "checking…" at once)."""
        if not any(a.id == account_id for a in self.accounts):
            return False
        if not self.refreshing:
            return self.start_refresh([a for a in self.accounts if a.id == account_id], force=True)
        ids = {*self._round_ids, account_id}
        force = self._round_force
        if force is not True:
            force = frozenset({*(force or ()), account_id})
        todo = [a for a in self.accounts if a.id in ids]
        return self.start_refresh(todo, restart=True, force=force)

    # --- the worker ------------------------------------------------------------------------

    @work(exclusive=True, group=REFRESH_GROUP, exit_on_error=False)
    async def _refresh(self, force: Forced) -> None:
        accounts, self._queued = self._queued, []
        self.post_message(RefreshStarted([a.id for a in accounts], self.clock()))
        error: str | None = None
        cancelled = False
        try:
            reports = self.source.refresh(accounts, force=force)
            del accounts  # the round's generator holds them while it runs, no longer
            async with contextlib.aclosing(reports):
                async for report in reports:
                    self.post_message(ReportArrived(report, self.clock()))
        except asyncio.CancelledError:
            cancelled = True
        except Exception as exc:  # the connector itself failed: keep what is shown
            log.exception("refresh failed")
            error = type(exc).__name__
        if cancelled:
            # Raised afresh, outside the handler: Textual keeps a cancelled worker's error,
            # and the original's traceback holds the frames that held the accounts.
            raise asyncio.CancelledError
        self.post_message(RefreshFinished(self.clock(), error))

    @on(events.Mount)
    def _watch_for_wake(self) -> None:
        """Take the reference for `look_for_wake`, on the screen's own wall clock (`clock`, a
        constructor parameter: a test moves it forward to make a sleep)."""
        self._wake = SleepDetector(wall=lambda: self.clock().timestamp())
        self._wake.woke()  # the reference

    def look_for_wake(self) -> None:
        """Whether the computer slept since the last look (every `WAKE_LOOK_S`, called by the
        screen's clock): if so, every account is checked again now."""
        if self._released:
            return
        woke = self._wake is not None and self._wake.woke()
        if woke and self.settings.refresh_interval_s:  # off: no round comes by itself
            log.info("the computer slept: every account is checked again")
            self.action_refresh_now()

    def _refresh_on_schedule(self) -> None:
        # Not `_auto_refresh`: Textual's Widget keeps its own attribute of that name.
        self.start_refresh()

    @on(RefreshStarted)
    def _on_refresh_started(self, message: RefreshStarted) -> None:
        if self._released:
            return
        force, ids = self._round_force, message.account_ids
        asked = ids if force is True else [i for i in ids if force and i in force]
        self.model.begin_round(message.at, ids, asked=asked)
        self._stop_round_timer()
        views = [self.model.views.get(i) for i in ids]
        if asked or any(view is not None and view.report is None for view in views):
            self._show_round()
        else:
            self._round_timer = self.set_timer(
                ROUND_SHOWN_AFTER_S, self._show_round_if_running, name="dashboard-round-shown"
            )

    def _show_round(self) -> None:
        self._draw_status()
        self._draw_balance_subtitle()

    def _show_round_if_running(self) -> None:
        self._round_timer = None
        if not self._released and self.model.refreshing:
            self._show_round()

    def _stop_round_timer(self) -> None:
        if self._round_timer is not None:
            self._round_timer.stop()
            self._round_timer = None

    @on(ReportArrived)
    def _on_report(self, message: ReportArrived) -> None:
        if self._released:
            return  # an answer that arrived after the lock
        view = self.model.views.get(message.report.account_id)
        # A first answer (just unlocked, a key just added) or one asked for shows at once.
        awaited = view is not None and (view.asked or view.report is None)
        if self.model.apply(message.report) is None:
            return
        self._round_reports.append(message.report)
        self._redraw_soon(awaited=awaited)

    def _redraw_soon(self, *, awaited: bool) -> None:
        """Draw the reports that arrived: an awaited one at most `DRAW_INTERVAL_S` after the
        last draw, any other `QUIET_DRAW_INTERVAL_S` after it arrived (the round's end draws
        it sooner). A draw due later is brought forward."""
        if awaited:
            draw_at = self._last_report_draw + DRAW_INTERVAL_S
        else:
            draw_at = time.monotonic() + QUIET_DRAW_INTERVAL_S
        if self._draw_due and self._draw_at <= draw_at:
            return  # a draw is already due by then: it will show this report too
        self._cancel_due_draw()
        self._draw_due, self._draw_at = True, draw_at
        wait = draw_at - time.monotonic()
        if wait > 0:
            self._draw_timer = self.set_timer(wait, self._draw_now, name="dashboard-draw")
        else:  # not `set_timer(0)`: Textual's timer divides by its delay
            self.call_later(self._draw_now)

    def _draw_now(self) -> None:
        self._draw_timer = None
        if not self._draw_due:
            return  # cancelled: the end of the round drew everything
        self._draw_due = False
        self._last_report_draw = time.monotonic()
        self.redraw()

    def _cancel_due_draw(self) -> None:
        self._draw_due = False
        if self._draw_timer is not None:
            self._draw_timer.stop()
            self._draw_timer = None

    @on(RefreshFinished)
    def _on_refresh_finished(self, message: RefreshFinished) -> None:
        if self._released:
            return
        self._cancel_due_draw()  # the redraw below shows every report of the round
        self._stop_round_timer()
        self.model.end_round(message.at)
        reports, self._round_reports = self._round_reports, []
        self.round_complete(reports)
        if message.error:
            self.notify(
                f"The refresh stopped early ({message.error}); details are in the log.",
                title="Refresh",
                severity="error",
            )
        self.redraw()

    def round_complete(self, reports: list[AccountReport]) -> None:
        """A refresh round ended with these reports (a hook: the session dashboard turns
        changes into toasts and records the history)."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == REFRESH_GROUP and event.state is WorkerState.ERROR:
            self.model.end_round(self.clock())
            self.notify("The refresh failed; details are in the log.", severity="error")
            self.redraw()

    def action_refresh_now(self) -> None:
        """Check every account now, failing ones too, even while a round runs (it starts
        again, forced). No toast: the rows say "checking…" at once, and with no account the
        first-run panel says what to do."""
        if not self.accounts:
            return
        every = {a.id for a in self.accounts}
        if self.refreshing and self._round_force is True and every <= set(self._round_ids):
            return  # the round under way is already this one: more presses join it
        self.start_refresh(restart=True, force=True)
