"""An outage with the app open: the keys go "unreachable", the outage and its end are each
told once per key, and the keys recover by themselves within one refresh interval of the
exchange coming back (no restart, no `r`)."""

from __future__ import annotations

import gc
import weakref
from typing import Any

from tests.app.conftest import AppFactory, make_keyfile, sim_account
from tests.app.helpers import unlock, wait_for
from tui.base.paths import Locations
from tui.base.settings import Settings
from tui.connect.problems import ProblemKind

EXCHANGES = ("binance", "okx", "kraken")
INTERVAL_S = 2


class Toasts:
    """Every toast raised, collected while waiting (each lives only 8 s on screen)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.seen: dict[str, str] = {}

    def look(self) -> list[str]:
        for note in self.app._notifications:
            self.seen.setdefault(note.identity, f"{note.title} {note.message}")
        return list(self.seen.values())


async def test_an_outage_is_told_once_and_recovers_by_itself(
    make_app: AppFactory, locations: Locations, fast_kdf: dict[str, Any], sim: Any
) -> None:
    make_keyfile(locations, fast_kdf, [sim_account(sim, e) for e in EXCHANGES])
    app = make_app(settings=Settings(refresh_interval_s=INTERVAL_S))
    async with app.run_test(size=(120, 36)) as pilot:
        await unlock(pilot, to_list=False)
        session = app.session
        assert session is not None
        health = session.connector._health
        toasts = Toasts(app)

        def kinds() -> set[Any]:
            toasts.look()
            return {r.problem.kind if r.problem else None for r in session.reports.values()}

        await wait_for(pilot, lambda: len(session.reports) == 3 and kinds() == {None}, limit=20)
        await sim.go_offline()
        await wait_for(pilot, lambda: kinds() == {ProblemKind.unreachable}, limit=20)
        # Several automatic rounds fail: every key now waits out a network back-off.
        await wait_for(
            pilot,
            lambda: (
                toasts.look() is not None
                and all(health.of(a).consecutive_failures >= 3 for a in session.accounts)
            ),
            limit=60,  # about 17 s: the third waits out a 15 s back-off (longer on a busy machine)
            what="three failed rounds",
        )
        told = toasts.look()
        await sim.go_online()
        # A round starts within one interval, and recovers every key in that round.
        await wait_for(pilot, lambda: kinds() == {None}, limit=INTERVAL_S + 8, what="back")
        await wait_for(pilot, lambda: not app.screen.refreshing, limit=20)
        after = toasts.look()[len(told) :]
        assert app.is_running
    down = [t for t in told if "reach" in t.lower()]
    back = [t for t in after if "reach" not in t.lower()]
    assert len(down) == len(EXCHANGES), told
    assert len(back) == len(EXCHANGES), after


async def test_the_clients_closed_in_an_outage_are_freed_once_it_is_over(
    make_app: AppFactory, locations: Locations, fast_kdf: dict[str, Any], sim: Any
) -> None:
    """After a network failure the connector closes the key's client (its connections may be
    dead). The dashboard has frozen the long-lived heap by then (tui/ui/dashboard/heap.py), and
    frozen garbage in reference cycles is never collected: the closed clients must not stay
    alive, or every outage of a long day would keep one client per key."""
    make_keyfile(locations, fast_kdf, [sim_account(sim, e) for e in EXCHANGES])
    app = make_app(settings=Settings(refresh_interval_s=INTERVAL_S))
    async with app.run_test(size=(120, 36)) as pilot:
        await unlock(pilot, to_list=False)
        session = app.session
        assert session is not None
        connector = session.connector

        def kinds() -> set[Any]:
            return {r.problem.kind if r.problem else None for r in session.reports.values()}

        await wait_for(pilot, lambda: len(session.reports) == 3 and kinds() == {None}, limit=20)
        await wait_for(pilot, lambda: gc.get_freeze_count() > 0, what="the heap settled")
        old = [weakref.ref(entry.client) for entry in connector._pool._clients.values()]
        assert len(old) == len(EXCHANGES)
        await sim.go_offline()
        await wait_for(pilot, lambda: not connector._pool._clients, limit=20, what="clients closed")
        await sim.go_online()
        await wait_for(pilot, lambda: kinds() == {None}, limit=INTERVAL_S + 8, what="back")
        await wait_for(pilot, lambda: not app.screen.refreshing, limit=20)

        def freed() -> bool:
            gc.collect()  # what a frozen heap hides, it never collects
            return all(ref() is None for ref in old)

        await wait_for(pilot, freed, limit=10, what="the closed clients freed")
