"""The long-lived heap is frozen once after the first refresh round and handed back to the
collector on lock (tui/ui/dashboard/heap.py; why: docs/benchmarks.md, responsiveness)."""

from __future__ import annotations

import gc
from typing import Any

from tests.app.conftest import SIZE, AppFactory, make_keyfile, sim_account
from tests.app.helpers import unlock, wait_for
from tui.base.paths import Locations
from tui.base.settings import Settings


async def test_first_round_freezes_the_heap_and_lock_releases_it(
    make_app: AppFactory, locations: Locations, fast_kdf: dict[str, Any], sim: Any
) -> None:
    make_keyfile(locations, fast_kdf, [sim_account(sim, "binance")])
    app = make_app(settings=Settings(refresh_interval_s=0))
    gc.unfreeze()
    try:
        async with app.run_test(size=SIZE) as pilot:
            await unlock(pilot, to_list=False)
            await wait_for(pilot, lambda: gc.get_freeze_count() > 0, limit=20, what="freeze")
            assert gc.get_freeze_count() > 10_000  # Textual's widgets and the client at least
            await pilot.press("ctrl+l")
            await wait_for(pilot, lambda: gc.get_freeze_count() == 0, what="release on lock")
    finally:
        gc.unfreeze()
