"""A day of locks and unlocks keeps nothing of the screens it closed. Found by
scripts/soak.py: every lock kept ~3 MB, because Textual holds the `StylesCache` of every
widget it drew (Textualize/textual#6665) and every `Header` that watched the app's title
(tui/ui/widgets/textual_leaks.py)."""

from __future__ import annotations

import gc
from typing import Any

from textual._styles_cache import StylesCache
from textual.widgets import Header

from tests.app.conftest import AppFactory, make_keyfile, sim_account
from tests.app.helpers import screen_name, unlock, wait_for
from tui.base.paths import Locations
from tui.base.settings import Settings

CYCLES = 8


def alive() -> tuple[int, int]:
    """(Header widgets, StylesCaches) that exist in this process."""
    gc.collect()
    headers = caches = 0
    for thing in gc.get_objects():
        if isinstance(thing, Header):
            headers += 1
        elif isinstance(thing, StylesCache):
            caches += 1
    return headers, caches


async def test_locks_and_unlocks_keep_nothing_of_the_closed_screens(
    make_app: AppFactory, locations: Locations, fast_kdf: dict[str, Any], sim: Any
) -> None:
    make_keyfile(locations, fast_kdf, [sim_account(sim, "binance"), sim_account(sim, "okx")])
    app = make_app(settings=Settings(refresh_interval_s=0))
    counts = []
    async with app.run_test(size=(120, 36)) as pilot:
        for _ in range(CYCLES):
            await unlock(pilot, to_list=False)
            await wait_for(pilot, lambda: len(app.session.reports) == 2, limit=20, what="round")
            await wait_for(pilot, lambda: not app.screen.refreshing, limit=20, what="done")
            await pilot.press("ctrl+l")
            await wait_for(pilot, lambda: screen_name(pilot) == "UnlockScreen", what="locked")
            await pilot.pause(0.5)  # the dashboard goes away a little after the lock
            counts.append(alive())
    headers, caches = zip(*counts, strict=True)
    # After a first cycle (what is made once), nothing piles up. On a busy machine a screen
    # or two may still be going away when counted (one Header, ~40 caches each), so the
    # last two counts' lower one is compared; before the fix every lock kept two Headers
    # and ~50 caches for good (+12 Headers over these cycles).
    assert min(headers[-2:]) - max(headers[1:3]) <= 2, counts
    assert min(caches[-2:]) - max(caches[1:3]) <= 80, counts
