"""One API key, one account: entering a stored key under a new label offers to update the
account that holds it, instead of saving it twice."""

from __future__ import annotations

from typing import Any

from tests.app.conftest import SIZE, AppFactory, make_keyfile, sim_account
from tests.app.helpers import screen_name, set_value, unlock, wait_for
from tui.base.paths import Locations


async def test_the_same_key_under_a_new_label_offers_to_update_the_stored_one(
    make_app: AppFactory, locations: Locations, fast_kdf: dict[str, Any], sim: Any
) -> None:
    stored = sim_account(sim, "binance", "main")
    make_keyfile(locations, fast_kdf, [stored])
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot)
        await pilot.press(*"binance")
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen_name(pilot) == "KeyEntryScreen")
        credentials = sim.account("binance", "main").credentials
        set_value(pilot, "#label", "second")
        set_value(pilot, "#cred-apiKey", credentials["apiKey"])
        set_value(pilot, "#cred-secret", credentials["secret"])
        set_value(pilot, "#endpoint", sim.endpoint("binance"))  # never the real exchange
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen_name(pilot) == "ConfirmScreen")
        body = str(app.screen.query_one(".dialog-body").render())
        assert "already stored as" in body and "main" in body
        await pilot.press("escape")  # back to the form: nothing saved
        await wait_for(pilot, lambda: screen_name(pilot) == "KeyEntryScreen")
        assert [a.label for a in app.session.accounts] == ["main"]
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen_name(pilot) == "ConfirmScreen")
        await pilot.click("#confirm")
        await wait_for(
            pilot,
            lambda: screen_name(pilot) == "FindingsScreen",
            limit=20,
            what=f"findings {screen_name(pilot)}",
        )
        assert [a.label for a in app.session.accounts] == ["main"]
