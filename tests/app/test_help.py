"""F1 help: built from the keys of the screen under it, so it lists what the keys do there."""

from __future__ import annotations

from typing import Any

from textual.widgets import Markdown

from tests.app.conftest import SIZE, AppFactory, make_keyfile
from tests.app.helpers import screen_name, unlock, wait_for
from tui.base.paths import Locations
from tui.ui.screens.help import HelpScreen, KeyRow


def unreachable_account() -> Any:
    from tui.vault import Account

    return Account(
        exchange="kraken",
        label="main",
        credentials={"apiKey": "kraken-api-key-0000-1111-abcd", "secret": "c2VjcmV0"},
        endpoint="http://127.0.0.1:9",
    )


def rows_of(screen: Any) -> tuple[dict[str, str], dict[str, str]]:
    assert isinstance(screen, HelpScreen)

    def as_map(rows: tuple[KeyRow, ...]) -> dict[str, str]:
        return {row.keys: row.does for row in rows}

    return as_map(screen.keys.this_screen), as_map(screen.keys.everywhere)


async def test_help_on_the_dashboard_lists_the_dashboard_keys(
    make_app: AppFactory, locations: Locations, fast_kdf: dict[str, Any]
) -> None:
    make_keyfile(locations, fast_kdf, [unreachable_account()])
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot, to_list=False)
        assert screen_name(pilot) == "SessionDashboard"
        await pilot.press("f1")
        await wait_for(pilot, lambda: screen_name(pilot) == "HelpScreen")
        here, everywhere = rows_of(app.screen)
        for key, does in {
            "r": "Check all",
            "R": "Check row",
            "d": "Details",
            "p": "Portfolio span",
            "v": "View",
            "s": "Sort",
            "h": "Small balances",
            "b": "Bars",
            "/": "Filter",
            "c": "Connect a key",
        }.items():
            assert here.get(key, "").startswith(does), (key, here)
        assert any(does.startswith("Acknowledge") for does in here.values())
        assert "between the panes" in here["Tab / shift+Tab"]  # issue 23
        assert "focused table" in here["d / R / Enter"]
        assert everywhere["F2"].startswith("Home")
        assert everywhere["ctrl+l"].startswith("Lock")
        assert everywhere["ctrl+q"].startswith("Quit")
        assert everywhere["F1"].startswith("Help")
        prose = app.screen.query_one("#help-prose", Markdown).source
        assert "never Withdraw" in prose
        await pilot.press("escape")
        await wait_for(pilot, lambda: screen_name(pilot) == "SessionDashboard")


async def test_help_on_the_exchange_list_lists_its_keys_not_the_dashboards(
    make_app: AppFactory, locations: Locations, fast_kdf: dict[str, Any]
) -> None:
    make_keyfile(locations, fast_kdf)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot)
        await pilot.press("f1")
        await wait_for(pilot, lambda: screen_name(pilot) == "HelpScreen")
        here, everywhere = rows_of(app.screen)
        assert here["type"] == "filter the exchange list"
        assert here["Enter"] == "Connect"
        assert "Remove account" in here.values()
        assert "↑" in here and "↓" in here
        assert "r" not in here and "Refresh" not in here.values()
        assert everywhere["ctrl+l"].startswith("Lock")


async def test_help_before_unlock_has_no_session_keys(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: screen_name(pilot) == "CreateKeyfileScreen")
        await pilot.press("f1")
        await wait_for(pilot, lambda: screen_name(pilot) == "HelpScreen")
        _, everywhere = rows_of(app.screen)
        assert "ctrl+l" not in everywhere and "F2" not in everywhere
        assert everywhere["ctrl+q"].startswith("Quit")
