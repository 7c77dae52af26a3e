"""Locking in the middle of a trader's day: during a slow refresh, at random moments, and
unlocking again while the old round still runs. Nothing may crash, nothing that finishes
after the lock may reach the closed keyfile, and no decrypted account or secret stays
reachable from the app."""

from __future__ import annotations

import gc
import random
from typing import Any

import pytest

from tests.app.conftest import AppFactory, make_keyfile, sim_account
from tests.app.helpers import screen_name, unlock, wait_for
from tui import redact
from tui.paths import Locations
from tui.settings import Settings
from tui.vault import Account

LATENCY_MS = 800
EXCHANGES = ("binance", "okx", "kraken")


def _keyfile(locations: Locations, fast_kdf: dict[str, Any], sim: Any) -> set[str]:
    """Write the keyfile in a frame of its own, so the test keeps no Account alive; returns
    the accounts' ids and secret values (what must not survive a lock)."""
    accounts = [sim_account(sim, exchange) for exchange in EXCHANGES]
    make_keyfile(locations, fast_kdf, accounts)
    marks = {a.id for a in accounts}
    for account in accounts:
        marks |= {
            v.reveal() if isinstance(v, redact.Secret) else str(v)
            for v in account.credentials.values()
        }
    return marks


def _slow(sim: Any) -> None:
    for exchange in EXCHANGES:
        sim.set_faults(exchange, latency_ms=LATENCY_MS)


def live_secrets(marks: set[str]) -> list[str]:
    """What of this keyfile is still reachable: its Account objects and the Secret objects
    holding its credentials (other tests' objects in this process do not count)."""
    gc.collect()
    found = []
    for thing in gc.get_objects():
        if isinstance(thing, Account) and thing.id in marks:
            found.append("Account")
        elif isinstance(thing, redact.Secret) and thing.reveal() in marks:
            found.append("Secret")
    return found


@pytest.mark.slow
async def test_lock_at_random_moments_of_a_slow_refresh_never_crashes(
    make_app: AppFactory, locations: Locations, fast_kdf: dict[str, Any], sim: Any
) -> None:
    _keyfile(locations, fast_kdf, sim)
    _slow(sim)
    app = make_app(settings=Settings(refresh_interval_s=1))
    moments = random.Random(19)
    async with app.run_test(size=(120, 36)) as pilot:
        for attempt in range(20):
            await unlock(pilot, to_list=False)
            if attempt % 3 == 0:
                await pilot.press("r")  # a forced round on top of the first one
            await pilot.pause(moments.uniform(0.0, 2.5 * LATENCY_MS / 1000))
            if attempt % 2:
                await app.lock("Locked after 10 idle minutes.")  # as the idle lock does
            else:
                await pilot.press("ctrl+l")
            await wait_for(pilot, lambda: screen_name(pilot) == "UnlockScreen", what="locked")
            assert app.session is None
        await pilot.pause(2 * LATENCY_MS / 1000)  # the old rounds' answers arrive now
        assert app.is_running
        assert screen_name(pilot) == "UnlockScreen"
        assert app.return_code is None


async def test_unlock_right_after_lock_while_the_old_round_still_runs(
    make_app: AppFactory, locations: Locations, fast_kdf: dict[str, Any], sim: Any
) -> None:
    _keyfile(locations, fast_kdf, sim)
    _slow(sim)
    app = make_app(settings=Settings(refresh_interval_s=0))
    async with app.run_test(size=(120, 36)) as pilot:
        await unlock(pilot, to_list=False)
        await pilot.pause(0.3)
        await pilot.press("ctrl+l")
        await unlock(pilot, to_list=False)  # the first round's answers are still on the way
        session = app.session
        assert session is not None
        await wait_for(
            pilot, lambda: len(session.reports) == len(EXCHANGES), limit=20, what="reports"
        )
        assert all(r.problem is None for r in session.reports.values())
        assert app.is_running


async def test_nothing_decrypted_stays_reachable_after_a_lock_mid_refresh(
    make_app: AppFactory, locations: Locations, fast_kdf: dict[str, Any], sim: Any
) -> None:
    marks = _keyfile(locations, fast_kdf, sim)
    _slow(sim)
    app = make_app(settings=Settings(refresh_interval_s=1))
    async with app.run_test(size=(120, 36)) as pilot:
        await unlock(pilot, to_list=False)
        await pilot.press("d")  # the account detail holds an account too
        await pilot.pause(0.5)  # the refresh is in flight
        await pilot.press("ctrl+l")
        await wait_for(pilot, lambda: screen_name(pilot) == "UnlockScreen", what="locked")
        await pilot.pause(2 * LATENCY_MS / 1000)  # old work finishes (and is dropped)
        await wait_for(pilot, lambda: not live_secrets(marks), limit=20, what="no secret left")
