"""`r` checks every key now, failing ones included (their back-off bypassed); `R` checks the
selected row; a failing key in back-off says when the next automatic try is."""

from __future__ import annotations

from typing import Any

from textual.widgets import DataTable

from tests.app.conftest import SIZE, AppFactory, make_keyfile, sim_account
from tests.app.helpers import unlock, wait_for
from tui.base.paths import Locations
from tui.base.settings import Settings


def checked_cell(app: Any) -> str:
    table = app.screen.query_one("#status-table", DataTable)
    return str(table.get_row_at(0)[-1]).strip()


def problem_of(app: Any) -> Any:
    [report] = app.session.reports.values()
    return report.problem


async def test_r_rechecks_a_failing_key_at_once_and_the_row_says_checking(
    make_app: AppFactory, locations: Locations, fast_kdf: dict[str, Any], sim: Any
) -> None:
    make_keyfile(locations, fast_kdf, [sim_account(sim, "binance")])
    sim.set_faults("binance", "main", expired=True)
    app = make_app(settings=Settings(refresh_interval_s=0))
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot, to_list=False)
        await wait_for(pilot, lambda: len(app.session.reports) == 1, limit=20)
        assert problem_of(app) is not None
        first = app.session.reports[app.session.accounts[0].id]
        app.screen.start_refresh()  # an automatic round: a second failure starts a back-off
        await wait_for(pilot, lambda: app.session.reports[first.account_id] is not first)
        await wait_for(pilot, lambda: not app.screen.refreshing)
        assert checked_cell(app).startswith("retry in"), checked_cell(app)
        # The user fixes the key at the exchange and presses r: checked now, not in 15 s.
        sim.clear_faults()
        sim.set_faults("binance", "main", latency_ms=600)
        await pilot.press("r")
        await pilot.pause(0.2)
        assert checked_cell(app) == "checking…"
        await wait_for(pilot, lambda: problem_of(app) is None, limit=20, what="the key works")
        await wait_for(pilot, lambda: checked_cell(app) == "just now")
