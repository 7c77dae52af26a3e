"""The exchange list: every catalog exchange, filter, keyboard movement, connected first;
the command palette; themes persisted; the first frame comes before ccxt is imported."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from textual.widgets import DataTable, Input, LoadingIndicator

from tests.app.conftest import PASSWORD, SIZE, AppFactory, make_keyfile, sim_account
from tests.app.helpers import screen_name, text_of, type_keys, unlock, wait_for
from tui.base.paths import Locations
from tui.base.settings import load_settings


def rows(pilot: Any) -> list[str]:
    table = pilot.app.screen.query_one("#exchanges", DataTable)
    return [str(table.get_row_at(i)[0]) for i in range(table.row_count)]


def selected(pilot: Any) -> str | None:
    return pilot.app.screen.selected_exchange()


async def test_lists_every_exchange_connected_first_and_filters(
    make_app: AppFactory,
    locations: Locations,
    fast_kdf: dict[str, Any],
    catalog: list[Any],
    sim: Any,
) -> None:
    make_keyfile(locations, fast_kdf, [sim_account(sim, "okx")])
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot)
        names = rows(pilot)
        assert len(names) == len(catalog)
        assert names[0] == "OKX"  # connected first
        # then the exchanges most traders use, then the rest by name
        from tui.ui.screens.exchanges import POPULAR

        by_id = {info.name: info.id for info in catalog}
        popular = [n for n in names[1:] if by_id[n] in POPULAR]
        assert names[1 : 1 + len(popular)] == popular
        assert popular[:3] == ["Binance", "Bybit", "Coinbase Advanced"]  # OKX: connected, above
        rest = names[1 + len(popular) :]
        assert rest == sorted(rest, key=str.lower)
        # movement keys work while the filter box keeps the focus
        await pilot.press("down", "down")
        assert selected(pilot) == app.screen.visible_exchanges()[2].id
        await pilot.press("end")
        assert selected(pilot) == app.screen.visible_exchanges()[-1].id
        await pilot.press("home")
        assert selected(pilot) == "okx"
        await pilot.press("pagedown")
        assert selected(pilot) != "okx"
        await pilot.press("pageup")
        assert selected(pilot) == "okx"
        # type to filter; fuzzy letters in order work too
        await type_keys(pilot, "kcn")
        assert rows(pilot)[0] == "KuCoin"
        await pilot.press("escape")
        await type_keys(pilot, "bybit")
        assert rows(pilot)[0] == "Bybit"
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen_name(pilot) == "KeyEntryScreen")
        assert pilot.app.screen.info.id == "bybit"
        await pilot.press("escape")
        await wait_for(pilot, lambda: screen_name(pilot) == "ExchangeListScreen")


async def test_command_palette_connects_and_locks(
    make_app: AppFactory, locations: Locations, fast_kdf: dict[str, Any]
) -> None:
    make_keyfile(locations, fast_kdf)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot)
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: screen_name(pilot) == "CommandPalette")
        await type_keys(pilot, "connect kraken")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen_name(pilot) == "KeyEntryScreen")
        assert pilot.app.screen.info.id == "kraken"
        await pilot.press("escape")
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: screen_name(pilot) == "CommandPalette")
        await type_keys(pilot, "lock")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen_name(pilot) == "UnlockScreen")
        assert app.session is None


async def test_dashboard_home_status_command_and_escape_back(
    make_app: AppFactory, locations: Locations, fast_kdf: dict[str, Any], sim: Any
) -> None:
    make_keyfile(locations, fast_kdf, [sim_account(sim, "binance")])
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: screen_name(pilot) == "UnlockScreen")
        pilot.app.screen.query_one("#password").value = PASSWORD
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen_name(pilot) == "SessionDashboard")
        await wait_for(pilot, lambda: app.catalog.loaded)
        await pilot.press("c")
        await wait_for(pilot, lambda: screen_name(pilot) == "ExchangeListScreen")
        await pilot.press("escape")  # empty filter: back to the dashboard
        await wait_for(pilot, lambda: screen_name(pilot) == "SessionDashboard")
        await pilot.press("c")
        await wait_for(pilot, lambda: screen_name(pilot) == "ExchangeListScreen")
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: screen_name(pilot) == "CommandPalette")
        await type_keys(pilot, "status")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen_name(pilot) == "SessionDashboard")


async def test_catalog_failure_is_explained_and_can_be_retried(
    make_app: AppFactory, locations: Locations, fast_kdf: dict[str, Any], catalog: list[Any]
) -> None:
    make_keyfile(locations, fast_kdf)
    attempts: list[int] = []

    def flaky_loader(_cache: Path | None) -> list[Any]:
        attempts.append(1)
        if len(attempts) == 1:
            raise OSError(28, "No space left on device")
        return list(catalog)

    app = make_app(catalog_loader=flaky_loader)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: screen_name(pilot) == "UnlockScreen")
        pilot.app.screen.query_one("#password").value = PASSWORD
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen_name(pilot) == "ErrorScreen")
        assert "No space left" in text_of(pilot, ".dialog-body")
        await pilot.press("escape")
        await wait_for(pilot, lambda: screen_name(pilot) == "ExchangeListScreen")
        assert "F5" in text_of(pilot, "#catalog-status")
        assert not pilot.app.screen.query(LoadingIndicator)  # nothing under way: no spinner
        await pilot.press("f5")
        await wait_for(pilot, lambda: app.catalog.loaded)
        assert len(rows(pilot)) == len(catalog)
        await pilot.pause()
        assert not pilot.app.screen.query(LoadingIndicator)  # loaded: the spinner is gone


async def test_secret_reveal_toggle(
    make_app: AppFactory, locations: Locations, fast_kdf: dict[str, Any]
) -> None:
    make_keyfile(locations, fast_kdf)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot)
        await type_keys(pilot, "kraken")
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen_name(pilot) == "KeyEntryScreen")
        secret = pilot.app.screen.query_one("#cred-secret", Input)
        secret.focus()
        assert secret.password
        await pilot.press("ctrl+r")
        assert not secret.password
        await pilot.press("ctrl+r")
        assert secret.password


async def test_theme_choice_is_saved(
    make_app: AppFactory, locations: Locations, fast_kdf: dict[str, Any]
) -> None:
    make_keyfile(locations, fast_kdf)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        app.theme = "nord"
        await pilot.pause()
        await app.workers.wait_for_complete()
    assert load_settings(locations.settings).settings.theme == "nord"


def test_first_frame_comes_before_ccxt_is_imported(tmp_path: Path) -> None:
    """A fresh interpreter shows the first-run screen without importing ccxt."""
    code = """
import asyncio, sys
from tui.ui.app import KeydeckApp
from tui.base.paths import Locations

async def main():
    app = KeydeckApp(Locations.resolve(sys.argv[1]))
    async with app.run_test() as pilot:
        await pilot.pause()
        print(type(app.screen).__name__, "ccxt" in sys.modules)

asyncio.run(main())
"""
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "cfg")],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=root,
    )
    assert result.stdout.split() == ["CreateKeyfileScreen", "False"], result.stderr[-2000:]
