"""A sleep of the computer with the app open: when the lid opens, every account is checked
at once, not at the next tick of a refresh timer that slept too (issue 19)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.app.conftest import AppFactory, make_keyfile, sim_account
from tests.app.helpers import unlock, wait_for
from tui.base.paths import Locations
from tui.base.settings import Settings
from tui.connect.problems import ProblemKind
from tui.ui.dashboard.rounds import WAKE_LOOK_S

EXCHANGES = ("binance", "okx")


async def test_after_a_sleep_every_account_is_checked_at_once(
    make_app: AppFactory, locations: Locations, fast_kdf: dict[str, Any], sim: Any
) -> None:
    make_keyfile(locations, fast_kdf, [sim_account(sim, e) for e in EXCHANGES])
    ahead = [timedelta()]

    def wall() -> datetime:  # the dashboard's own clock, moved forward by the "sleep"
        return datetime.now(UTC) + ahead[0]

    app = make_app(settings=Settings(refresh_interval_s=600), wall_clock=wall)
    await sim.go_offline()  # the Wi-Fi dropped just before the lid closed
    async with app.run_test(size=(120, 36)) as pilot:
        await unlock(pilot, to_list=False)
        session = app.session
        assert session is not None

        def kinds() -> set[Any]:
            return {r.problem.kind if r.problem else None for r in session.reports.values()}

        await wait_for(
            pilot,
            lambda: len(session.reports) == 2 and kinds() == {ProblemKind.unreachable},
            what="unreachable",
        )
        await sim.go_online()  # back while the computer sleeps
        await pilot.pause(2 * WAKE_LOOK_S)  # ordinary time: nothing is checked
        assert kinds() == {ProblemKind.unreachable}
        ahead[0] += timedelta(hours=1)  # the lid opens an hour later
        await wait_for(pilot, lambda: kinds() == {None}, limit=20, what="checked again")
        assert app.is_running
