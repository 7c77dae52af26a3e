"""Each event redraws only the panes it changes, so frames stay cheap (counted, not timed)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from textual.widgets import DataTable

from tests.dashboard.conftest import SIZE, DashboardHost, settle
from tests.dashboard.sample import ACCOUNTS, NOW, ScriptedConnector
from tui.base import format as fmt
from tui.ui.dashboard import DashboardScreen, DashboardSettings, MemoryAcknowledgements
from tui.ui.dashboard.rounds import ROUND_SHOWN_AFTER_S
from tui.ui.dashboard.status_pane import LATENCY_HOLD


class MovableClock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


def host(
    clock: Callable[[], datetime], connector: ScriptedConnector | None = None
) -> DashboardHost:
    screen = DashboardScreen(
        connector or ScriptedConnector(),
        ACCOUNTS,
        DashboardSettings(refresh_interval_s=0),
        clock=clock,
        acknowledgements=MemoryAcknowledgements(),
    )
    return DashboardHost(screen)


def count_calls(obj: Any, name: str) -> list[tuple[Any, ...]]:
    """Record every call of `obj.name` (the call still happens)."""
    calls: list[tuple[Any, ...]] = []
    original = getattr(obj, name)

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append((args, kwargs))
        return original(*args, **kwargs)

    setattr(obj, name, counting)
    return calls


def layouts(calls: list[tuple[Any, ...]]) -> int:
    return sum(1 for args, kwargs in calls if kwargs.get("layout"))


async def test_the_clock_tick_renews_only_the_ago_texts() -> None:
    clock = MovableClock()
    app = host(clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.dashboard
        status = screen.query_one("#status-table", DataTable)
        balances = screen.query_one("#balance-table", DataTable)
        warnings_updates = count_calls(screen.query_one("#warnings-text"), "update")
        total_updates = count_calls(screen.query_one("#portfolio-total"), "update")
        balance_clears = count_calls(balances, "clear")
        balance_cells = count_calls(balances, "update_cell")
        status_cells = count_calls(status, "update_cell")
        pane_refreshes = count_calls(screen.query_one("#balance-pane"), "refresh")

        await pilot.pause(1.3)  # a tick with the clock standing still: nothing to do
        assert pane_refreshes == [] and status_cells == []

        clock.now = NOW + timedelta(seconds=30)
        for _ in range(50):  # the next tick; up to 5 s on a loaded machine
            if "30 s ago" in str(screen.query_one("#balance-pane").border_subtitle):
                break
            await pilot.pause(0.1)
        assert "updated 30 s ago" in str(screen.query_one("#balance-pane").border_subtitle)
        # "Checked" says "just now" for a minute: no row of the status table changes
        assert str(status.get_cell("acc-binance", "checked")).strip() == "just now"
        assert status_cells == []
        assert warnings_updates == [] and total_updates == []
        assert balance_clears == [] and balance_cells == []
        assert layouts(pane_refreshes) == 0

        # Later in the same 30 s step neither age moves: nothing is painted.
        status_cells.clear()
        pane_refreshes.clear()
        for seconds in (31, 45):
            clock.now = NOW + timedelta(seconds=seconds)
            await pilot.pause(1.3)
            assert "updated 30 s ago" in str(screen.query_one("#balance-pane").border_subtitle)
            assert status_cells == [] and pane_refreshes == []

        # A minute on, the ages move to minutes: only the "Checked" cells change.
        clock.now = NOW + timedelta(seconds=61)
        for _ in range(50):
            if "1 min ago" in str(status.get_cell("acc-binance", "checked")):
                break
            await pilot.pause(0.1)
        assert str(status.get_cell("acc-binance", "checked")).strip() == "1 min ago"
        assert {args[1] for args, _ in status_cells} == {"checked"}


async def test_a_tick_before_any_ago_text_can_change_does_no_work() -> None:
    clock = MovableClock()
    app = host(clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.dashboard
        status_ticks = count_calls(screen.query_one("#status-pane"), "tick")
        balance_ticks = count_calls(screen.query_one("#balance-pane"), "tick")

        async def next_tick() -> None:
            before = len(balance_ticks)
            for _ in range(50):  # up to 5 s on a loaded machine
                if len(balance_ticks) > before:
                    return
                await pilot.pause(0.1)

        clock.now = NOW + timedelta(seconds=30)
        await next_tick()
        assert "updated 30 s ago" in str(screen.query_one("#balance-pane").border_subtitle)
        looked = len(status_ticks), len(balance_ticks)
        # The next change is about a minute on ("1 min ago"): ticks well before then look
        # at no pane.
        clock.now = NOW + timedelta(seconds=45)
        await pilot.pause(2.5)  # two ticks or more
        assert (len(status_ticks), len(balance_ticks)) == looked
        # A draw (a new sort) may change what the texts say: the next tick looks again.
        await pilot.press("s")
        await next_tick()
        assert len(balance_ticks) > looked[1]
        # A wall clock set back looks again too.
        clock.now = NOW + timedelta(seconds=5)
        await next_tick()
        assert "updated just now" in str(screen.query_one("#balance-pane").border_subtitle)


async def test_sorting_redraws_the_balances_and_nothing_else() -> None:
    app = host(MovableClock())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.dashboard
        balances = screen.query_one("#balance-table", DataTable)
        before = [str(row.key.value) for row in balances.ordered_rows]
        warnings_updates = count_calls(screen.query_one("#warnings-text"), "update")
        picture_updates = count_calls(screen.query_one("#portfolio-total"), "update")
        bars_updates = count_calls(screen.query_one("#allocation-title"), "update")
        status_cells = count_calls(screen.query_one("#status-table", DataTable), "update_cell")
        status_refreshes = count_calls(screen.query_one("#status-pane"), "refresh")

        await pilot.press("s")
        await pilot.pause()

        assert [str(row.key.value) for row in balances.ordered_rows] != before
        assert "by asset" in str(screen.query_one("#balance-pane").border_subtitle)
        assert warnings_updates == [] and picture_updates == [] and bars_updates == []
        assert status_cells == [] and status_refreshes == []


async def test_switching_the_bars_and_acknowledging_touch_only_their_panes() -> None:
    app = host(MovableClock())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.dashboard
        warnings_updates = count_calls(screen.query_one("#warnings-text"), "update")
        banner_updates = count_calls(screen.query_one("#critical-banner"), "update")
        title_updates = count_calls(screen.query_one("#allocation-title"), "update")
        balance_clears = count_calls(screen.query_one("#balance-table", DataTable), "clear")

        await pilot.press("b")
        await pilot.pause()
        assert len(title_updates) == 1
        assert "by asset" in str(screen.query_one("#allocation-title").render())
        assert warnings_updates == [] and banner_updates == []

        await pilot.press("k")
        await pilot.pause()
        assert len(warnings_updates) == 1  # "(acknowledged)" appears
        assert len(title_updates) == 1
        assert balance_clears == []


def rendered_heights(widget: Any) -> list[int]:
    """Record the height of every crop `widget.render_lines` is asked for (the compositor
    asks every widget that overlaps a dirty region)."""
    heights: list[int] = []
    original = widget.render_lines

    def recording(crop: Any) -> Any:
        heights.append(crop.height)
        return original(crop)

    widget.render_lines = recording
    return heights


async def test_the_ago_subtitle_repaints_only_the_border_line() -> None:
    clock = MovableClock()
    app = host(clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.dashboard
        pane = screen.query_one("#balance-pane")

        async def tick_to(seconds: int, shown: str) -> None:
            clock.now = NOW + timedelta(seconds=seconds)
            for _ in range(50):  # the next tick; up to 5 s on a loaded machine
                if f"updated {shown}" in str(pane.border_subtitle):
                    break
                await pilot.pause(0.1)
            await pilot.pause()

        await tick_to(30, "30 s ago")
        pane_lines = rendered_heights(pane)
        table_lines = rendered_heights(screen.query_one("#balance-table", DataTable))
        filter_lines = rendered_heights(screen.query_one("#balance-filter"))
        # Only the balance pane's age is let move here: the status pane's "Checked" (which
        # turns to "1 min ago" at the same instant) is held still, so what is painted is the
        # subtitle's doing alone.
        screen.query_one("#status-pane").tick = lambda *args: None
        await tick_to(60, "1 min ago")
        assert "updated 1 min ago" in str(pane.border_subtitle)
        assert pane_lines  # the pane was painted...
        assert table_lines == [] and filter_lines == []  # ...but not what it contains
        screen_text = "".join(strip.text for strip in app.screen._compositor.render_strips())
        assert "updated 1 min ago" in screen_text  # what a terminal would get


async def test_a_burst_of_reports_is_drawn_once_not_once_per_report() -> None:
    app = host(MovableClock())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.dashboard
        redraws = count_calls(screen, "redraw")
        status_cells = count_calls(screen.query_one("#status-table", DataTable), "update_cell")
        screen.start_refresh()
        await settle(pilot)
        await pilot.pause(0.3)
        # ACCOUNTS reports arrive within one interval: one coalesced draw at most, and the
        # draw at the end of the round, not one per report.
        assert len(ACCOUNTS) >= 4
        assert len(redraws) <= 2
        assert {args[1] for args, _ in status_cells} <= {"state", "latency", "checked", "clock"}


async def test_a_scheduled_round_is_said_once_and_a_manual_one_on_its_rows() -> None:
    """Issue 30: a scheduled round says "rechecking…" in the status subtitle only; the rows
    keep their last state. `r` (the user asked) turns the rows to "checking…" (issue 28)."""
    connector = ScriptedConnector()
    app = host(MovableClock(), connector)
    screen = app.dashboard
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        status = screen.query_one("#status-table", DataTable)
        pane = screen.query_one("#status-pane")

        def checked() -> set[str]:
            return {str(status.get_cell(a.id, "checked")).strip() for a in ACCOUNTS}

        before = checked()
        assert "checking…" not in before
        status_cells = count_calls(status, "update_cell")
        connector.hold = {account.id for account in ACCOUNTS}
        connector._released.clear()
        screen.start_refresh()  # what the timer does
        await pilot.pause()
        await pilot.pause()
        assert "rechecking…" not in str(pane.border_subtitle)  # most rounds end by then
        await pilot.pause(ROUND_SHOWN_AFTER_S + 0.2)
        assert "rechecking…" in str(pane.border_subtitle)
        assert checked() == before and status_cells == []  # no row repainted
        await pilot.press("r")
        await pilot.pause()
        await pilot.pause()
        assert checked() == {"checking…"}
        connector.release()
        await settle(pilot)
        assert "checking…" not in checked()
        assert "rechecking…" not in str(pane.border_subtitle)


async def test_a_quick_scheduled_round_leaves_the_subtitles_alone() -> None:
    """A scheduled round that ends within ROUND_SHOWN_AFTER_S never says "rechecking…" or
    "refreshing…": the subtitles do not flicker every interval, and the pane borders are
    not repainted for it."""
    connector = ScriptedConnector()
    app = host(MovableClock(), connector)
    screen = app.dashboard
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        status_pane = screen.query_one("#status-pane")
        balance_pane = screen.query_one("#balance-pane")
        said = [str(status_pane.border_subtitle), str(balance_pane.border_subtitle)]
        status_refreshes = count_calls(status_pane, "refresh")
        balance_refreshes = count_calls(balance_pane, "refresh")
        assert screen.start_refresh()  # what the timer does
        await settle(pilot)
        assert not screen.refreshing
        await pilot.pause(ROUND_SHOWN_AFTER_S + 0.2)  # the deferred subtitle never comes
        assert [str(status_pane.border_subtitle), str(balance_pane.border_subtitle)] == said
        assert status_refreshes == [] and balance_refreshes == []


async def test_a_lock_before_a_slow_round_is_shown_leaves_nothing_to_draw() -> None:
    """Locked (`release_accounts`) while a scheduled round waits to say "rechecking…": the
    deferred subtitle never comes, and nothing fails when its moment passes."""
    connector = ScriptedConnector()
    app = host(MovableClock(), connector)
    screen = app.dashboard
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        pane = screen.query_one("#status-pane")
        connector.hold = {account.id for account in ACCOUNTS}
        connector._released.clear()
        assert screen.start_refresh()
        await pilot.pause()
        screen.release_accounts()
        await pilot.pause(ROUND_SHOWN_AFTER_S + 0.3)
        assert "rechecking…" not in str(pane.border_subtitle)
        assert not screen.refreshing
        connector.release()
        await pilot.pause()


async def test_a_scheduled_rounds_answers_are_drawn_at_its_end() -> None:
    """Issue 30: answers nobody asked for are drawn when the round ends (or 10 s on), not as
    they arrive: each draw is O(accounts), and nothing on them is urgent."""
    connector = ScriptedConnector()
    app = host(MovableClock(), connector)
    screen = app.dashboard
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        redraws = count_calls(screen, "redraw")
        screen._last_report_draw -= 60  # the last draw a round ago, as between two rounds
        connector.hold = {ACCOUNTS[-1].id}  # the others answer; this one keeps the round open
        connector._released.clear()
        screen.start_refresh()  # what the timer does
        for _ in range(50):
            await pilot.pause(0.02)
        assert screen.model.views[ACCOUNTS[0].id].refreshing is False  # answered, not drawn
        assert redraws == []
        connector.release()
        await settle(pilot)
        assert len(redraws) == 1  # the round's end


async def test_switching_the_view_shows_the_other_table_and_refills_nothing() -> None:
    """Issue 30: both views are kept current, so `v` shows the other table (one frame)."""
    app = host(MovableClock())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.dashboard
        combined = screen.query_one("#balance-table", DataTable)
        per_account = screen.query_one("#balance-accounts", DataTable)
        assert combined.display and not per_account.display
        assert any(str(row.key.value).startswith("acct:") for row in per_account.ordered_rows)
        calls = [count_calls(t, n) for t in (combined, per_account) for n in ("clear", "add_row")]
        cells = [count_calls(t, "update_cell") for t in (combined, per_account)]
        await pilot.press("v")
        await pilot.pause()
        assert per_account.display and not combined.display
        assert "per account" in str(screen.query_one("#balance-pane").border_title)
        await pilot.press("v")
        await pilot.pause()
        assert combined.display and not per_account.display
        assert all(c == [] for c in calls) and all(c == [] for c in cells)


async def test_a_latency_that_moves_a_little_leaves_the_row_alone() -> None:
    """Issue 30: a round trip varies by a few percent from check to check; the figure shown
    stays until the latency moves by more than LATENCY_HOLD, so the row is not re-rendered
    every round. A real change shows at the next round."""
    connector = ScriptedConnector()
    app = host(MovableClock(), connector)
    screen = app.dashboard
    account = ACCOUNTS[0].id
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        status = screen.query_one("#status-table", DataTable)
        shown = str(status.get_cell(account, "latency")).strip()
        first = connector.script[account]
        assert first.status.latency_ms is not None
        status_cells = count_calls(status, "update_cell")

        async def round_with(latency_ms: float) -> None:
            moved = replace(first.status, latency_ms=latency_ms)
            connector.script[account] = replace(first, status=moved)
            screen.start_refresh()
            await settle(pilot)

        await round_with(first.status.latency_ms * (1 + LATENCY_HOLD * 0.9))
        assert str(status.get_cell(account, "latency")).strip() == shown
        assert status_cells == []
        await round_with(first.status.latency_ms * (1 - LATENCY_HOLD * 0.9))  # and back down
        assert str(status.get_cell(account, "latency")).strip() == shown
        assert status_cells == []
        await round_with(first.status.latency_ms * 3)
        assert str(status.get_cell(account, "latency")).strip() == fmt.latency(
            first.status.latency_ms * 3
        )
        assert {args[1] for args, _ in status_cells} == {"latency"}
