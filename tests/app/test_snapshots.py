"""Snapshots of each screen at a fixed size (cursor blink off, fixed paths, simulator data).

Update after a deliberate change with `pytest tests/app/test_snapshots.py --snapshot-update`
and look at the SVGs before committing them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from tests.app.conftest import make_keyfile
from tests.app.helpers import screen_name, set_value, unlock, wait_for
from tui.base.paths import Locations
from tui.base.settings import Settings
from tui.ui.app import KeydeckApp

SNAP_SIZE = (100, 34)


@pytest.fixture
def fixed_locations(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Locations:
    """A unique directory per run; on screen it reads `~/keydeck/...` on every run, since
    Keydeck shows paths under the home directory with `~`."""
    monkeypatch.setenv("HOME", str(tmp_path))
    root = tmp_path / "keydeck"
    monkeypatch.setenv("KEYDECK_CONFIG_DIR", str(root))
    return Locations.resolve(root)


@pytest.fixture(scope="module")
def sim_thread() -> Iterator[Any]:
    from tui.sim import Simulator
    from tui.sim.thread import SimulatorThread

    handle = SimulatorThread.start(Simulator())
    yield handle
    handle.stop()


def thread_account(sim: Any, exchange: str, label: str) -> Any:
    from tui.vault import Account

    provisioned = sim.simulator.account(exchange, label)
    return Account(
        exchange=exchange,
        label=label,
        credentials=dict(provisioned.credentials),
        endpoint=sim.endpoint(exchange),
    )


@pytest.fixture
def snap_app(fixed_locations: Locations, fast_kdf: dict[str, Any], catalog: list[Any]) -> Any:
    def build() -> KeydeckApp:
        from tui.connect.service import Connector

        return KeydeckApp(
            fixed_locations,
            settings=Settings(),
            vault_options=fast_kdf,
            catalog_loader=lambda _cache: list(catalog),
            connector_factory=lambda: Connector(cache_dir=fixed_locations.cache_dir, timeout_s=5),
        )

    return build


def test_first_run(snap_compare: Any, snap_app: Any) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await wait_for(pilot, lambda: screen_name(pilot) == "CreateKeyfileScreen")
        set_value(pilot, "#password", "tangerine orbit")

    assert snap_compare(snap_app(), terminal_size=SNAP_SIZE, run_before=run_before)


def test_unlock_wrong_password(
    snap_compare: Any, snap_app: Any, fixed_locations: Locations, fast_kdf: dict[str, Any]
) -> None:
    make_keyfile(fixed_locations, fast_kdf)

    async def run_before(pilot: Pilot[Any]) -> None:
        await wait_for(pilot, lambda: screen_name(pilot) == "UnlockScreen")
        set_value(pilot, "#password", "not the password")
        await pilot.press("enter")
        await wait_for(pilot, lambda: not pilot.app.screen.query_one("#working").display)

    assert snap_compare(snap_app(), terminal_size=SNAP_SIZE, run_before=run_before)


def test_keyfile_too_open(
    snap_compare: Any, snap_app: Any, fixed_locations: Locations, fast_kdf: dict[str, Any]
) -> None:
    keyfile = make_keyfile(fixed_locations, fast_kdf)
    os.chmod(keyfile, 0o644)

    async def run_before(pilot: Pilot[Any]) -> None:
        # Explained before any password is typed: these checks need none.
        await wait_for(pilot, lambda: screen_name(pilot) == "KeyfileProblemScreen")

    assert snap_compare(snap_app(), terminal_size=SNAP_SIZE, run_before=run_before)


def test_exchange_list(
    snap_compare: Any,
    snap_app: Any,
    fixed_locations: Locations,
    fast_kdf: dict[str, Any],
    sim_thread: Any,
) -> None:
    accounts = [
        thread_account(sim_thread, "binance", "main"),
        thread_account(sim_thread, "okx", "risky"),
    ]
    make_keyfile(fixed_locations, fast_kdf, accounts)

    async def run_before(pilot: Pilot[Any]) -> None:
        await unlock(pilot)
        app = pilot.app
        assert isinstance(app, KeydeckApp)
        await wait_for(
            pilot, lambda: len(app.session.reports) == 2, limit=20, what="account checks"
        )
        await pilot.pause()

    assert snap_compare(snap_app(), terminal_size=SNAP_SIZE, run_before=run_before)


def test_key_entry_with_field_errors(
    snap_compare: Any, snap_app: Any, fixed_locations: Locations, fast_kdf: dict[str, Any]
) -> None:
    make_keyfile(fixed_locations, fast_kdf)

    async def run_before(pilot: Pilot[Any]) -> None:
        await unlock(pilot)
        set_value(pilot, "#filter", "kucoin")
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen_name(pilot) == "KeyEntryScreen")
        set_value(pilot, "#cred-apiKey", "abc def")
        set_value(pilot, "#cred-secret", "")
        await pilot.press("ctrl+s")

    assert snap_compare(snap_app(), terminal_size=(100, 48), run_before=run_before)


def test_key_entry_rejected_key(
    snap_compare: Any,
    snap_app: Any,
    fixed_locations: Locations,
    fast_kdf: dict[str, Any],
    sim_thread: Any,
) -> None:
    make_keyfile(fixed_locations, fast_kdf)

    async def run_before(pilot: Pilot[Any]) -> None:
        await unlock(pilot)
        set_value(pilot, "#filter", "binance")
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen_name(pilot) == "KeyEntryScreen")
        set_value(pilot, "#cred-apiKey", "demo-binance-main-key")
        set_value(pilot, "#cred-secret", "wrong-secret-0123456789")
        set_value(pilot, "#endpoint", sim_thread.endpoint("binance"))
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: pilot.app.screen.query_one("#problem").display, limit=20)
        set_value(pilot, "#endpoint", "")  # the port differs per run; keep the picture stable

    assert snap_compare(snap_app(), terminal_size=(100, 48), run_before=run_before)


async def enter_risky_okx_key(pilot: Pilot[Any], sim_thread: Any) -> None:
    """Key entry with the simulator's withdraw-enabled OKX key, submitted."""
    provisioned = sim_thread.simulator.account("okx", "risky")
    await unlock(pilot)
    set_value(pilot, "#filter", "okx")
    await pilot.press("enter")
    await wait_for(pilot, lambda: screen_name(pilot) == "KeyEntryScreen")
    for name, value in provisioned.credentials.items():
        set_value(pilot, f"#cred-{name}", value)
    set_value(pilot, "#endpoint", sim_thread.endpoint("okx"))
    await pilot.press("ctrl+s")
    await wait_for(pilot, lambda: screen_name(pilot) == "ConfirmScreen", limit=20)


def test_withdraw_key_asks_before_saving(
    snap_compare: Any,
    snap_app: Any,
    fixed_locations: Locations,
    fast_kdf: dict[str, Any],
    sim_thread: Any,
) -> None:
    make_keyfile(fixed_locations, fast_kdf)

    async def run_before(pilot: Pilot[Any]) -> None:
        await enter_risky_okx_key(pilot, sim_thread)

    assert snap_compare(snap_app(), terminal_size=SNAP_SIZE, run_before=run_before)


def test_findings_after_verify(
    snap_compare: Any,
    snap_app: Any,
    fixed_locations: Locations,
    fast_kdf: dict[str, Any],
    sim_thread: Any,
) -> None:
    make_keyfile(fixed_locations, fast_kdf)

    async def run_before(pilot: Pilot[Any]) -> None:
        await enter_risky_okx_key(pilot, sim_thread)
        pilot.app.screen.query_one("#confirm").press()  # save anyway (no mouse: no hover)
        await wait_for(pilot, lambda: screen_name(pilot) == "FindingsScreen", limit=20)

    assert snap_compare(snap_app(), terminal_size=SNAP_SIZE, run_before=run_before)


def test_help(snap_compare: Any, snap_app: Any) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await wait_for(pilot, lambda: screen_name(pilot) == "CreateKeyfileScreen")

    assert snap_compare(snap_app(), press=["f1"], terminal_size=SNAP_SIZE, run_before=run_before)


def test_change_password(
    snap_compare: Any, snap_app: Any, fixed_locations: Locations, fast_kdf: dict[str, Any]
) -> None:
    make_keyfile(fixed_locations, fast_kdf)

    async def run_before(pilot: Pilot[Any]) -> None:
        await unlock(pilot)
        app = pilot.app
        assert isinstance(app, KeydeckApp)
        app.action_change_password()
        await wait_for(pilot, lambda: screen_name(pilot) == "ChangePasswordScreen")
        set_value(pilot, "#new", "short")
        await pilot.pause()

    assert snap_compare(snap_app(), terminal_size=SNAP_SIZE, run_before=run_before)


def test_remove_account_confirm(
    snap_compare: Any,
    snap_app: Any,
    fixed_locations: Locations,
    fast_kdf: dict[str, Any],
) -> None:
    from tui.vault import Account

    account = Account(
        exchange="kraken",
        label="main",
        credentials={"apiKey": "kraken-api-key-0000-1111-abcd", "secret": "c2VjcmV0"},
        endpoint="http://127.0.0.1:9",
    )
    make_keyfile(fixed_locations, fast_kdf, [account])

    async def run_before(pilot: Pilot[Any]) -> None:
        await unlock(pilot)
        app = pilot.app
        assert isinstance(app, KeydeckApp)
        await wait_for(
            pilot, lambda: len(app.session.reports) == 1, limit=20, what="the account check"
        )
        app.action_remove_account("kraken")
        await wait_for(pilot, lambda: screen_name(pilot) == "ChoiceScreen")

    assert snap_compare(snap_app(), terminal_size=SNAP_SIZE, run_before=run_before)
