"""The app tells about a change once (a toast), never every round, and its portfolio line
comes from the stored history, so it outlives lock and restart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.app.conftest import PASSWORD, SIZE, AppFactory, make_keyfile, sim_account
from tests.app.helpers import screen_name, unlock, wait_for
from tui.base.paths import Locations
from tui.base.settings import Settings


def toasts(app: Any) -> list[str]:
    """Every notification raised so far (Textual keeps them in a private list)."""
    return [f"{n.title} {n.message}" for n in app._notifications]


async def test_a_key_that_starts_failing_is_toasted_once(
    make_app: AppFactory, locations: Locations, fast_kdf: dict[str, Any], sim: Any
) -> None:
    make_keyfile(locations, fast_kdf, [sim_account(sim, "binance")])
    app = make_app(settings=Settings(refresh_interval_s=0))
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot, to_list=False)
        session = app.session
        await wait_for(pilot, lambda: len(session.reports) == 1, limit=20)
        await wait_for(pilot, lambda: not app.screen.refreshing)
        assert not any("rejected" in t for t in toasts(app))  # what is shown is not news
        sim.set_faults("binance", "main", expired=True)
        await pilot.press("r")
        await wait_for(pilot, lambda: any("rejected" in t for t in toasts(app)), limit=20)
        failed = [t for t in toasts(app) if "rejected" in t]
        assert len(failed) == 1 and "Binance · main" in failed[0]
        await pilot.press("r")  # still failing: no second toast
        await pilot.pause(0.5)
        await wait_for(pilot, lambda: not app.screen.refreshing, limit=20)
        assert len([t for t in toasts(app) if "rejected" in t]) == 1
        sim.clear_faults()
        await pilot.press("r")
        await wait_for(
            pilot,
            lambda: any("recover" in t.lower() or "works" in t.lower() for t in toasts(app)),
            limit=20,
        )


async def test_the_portfolio_line_comes_from_the_stored_history(
    make_app: AppFactory, locations: Locations, fast_kdf: dict[str, Any], sim: Any
) -> None:
    from tui.connect import Connector
    from tui.core.history.store import History
    from tui.core.session import Session
    from tui.vault import Vault

    make_keyfile(locations, fast_kdf, [sim_account(sim, "binance")])
    # Two earlier sessions, hours apart, recorded what the account held.
    vault = Vault.open(locations.keyfile, PASSWORD, **fast_kdf)
    session = Session(vault, Connector(cache_dir=locations.cache_dir, timeout_s=5))
    reports = [r async for r in session.refresh()]
    history = History.for_vault(vault)
    now = datetime.now(UTC)
    history.record(reports, now=now - timedelta(hours=5))
    history.record(reports, now=now - timedelta(hours=2))
    history.close()
    await session.aclose()

    app = make_app(settings=Settings(refresh_interval_s=0))
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot, to_list=False)
        # Two stored points, hours apart: the line starts at the first one, and says so.
        await wait_for(pilot, lambda: app.screen.history_span.startswith("since"), limit=20)
        assert len(app.screen.model.history) >= 2
        await pilot.press("p")  # 24 h -> 7 d
        await wait_for(pilot, lambda: app.screen._history.span_index == 1)

        def said() -> list[str]:
            return [n.message for n in app._notifications if n.title == "Portfolio span"]

        # p says which span it chose, and that the history is shorter (issue 23)
        await wait_for(pilot, said, what="the span's toast")
        assert "covers 7 d" in said()[-1] and "since" in said()[-1]


async def test_removing_an_account_can_forget_its_history(
    make_app: AppFactory, locations: Locations, fast_kdf: dict[str, Any], sim: Any
) -> None:
    from tui.connect import Connector
    from tui.core.history.store import History
    from tui.core.session import Session
    from tui.vault import Vault

    make_keyfile(locations, fast_kdf, [sim_account(sim, "binance"), sim_account(sim, "okx")])
    vault = Vault.open(locations.keyfile, PASSWORD, **fast_kdf)
    session = Session(vault, Connector(cache_dir=locations.cache_dir, timeout_s=5))
    reports = [r async for r in session.refresh()]
    history = History.for_vault(vault)
    history.record(reports, now=datetime.now(UTC) - timedelta(hours=3))
    history.close()
    await session.aclose()

    app = make_app(settings=Settings(refresh_interval_s=0))
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot, to_list=False)
        await wait_for(pilot, lambda: app.screen.history_span.startswith("since"), limit=20)
        binance = next(a for a in app.session.accounts if a.exchange == "binance")
        app.action_remove_account("binance")
        await wait_for(pilot, lambda: screen_name(pilot) == "ChoiceScreen")
        await pilot.click("#forget")
        await wait_for(pilot, lambda: len(app.session.accounts) == 1)
        await app.workers.wait_for_complete()
        stored = History.for_vault(app.session.vault)
        try:
            assert all(binance.id not in p.holdings for p in stored.points())
        finally:
            stored.close()
