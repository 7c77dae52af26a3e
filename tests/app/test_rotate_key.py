"""Rotating a key from the account detail: the new key's rights next to the old key's (a
gained withdraw flagged), the old key kept until Keydeck has seen it refused."""

from __future__ import annotations

from typing import Any

from tests.app.conftest import SIZE, AppFactory, make_keyfile, sim_account
from tests.app.helpers import screen_name, set_value, text_of, unlock, wait_for
from tui.base.paths import Locations
from tui.base.settings import Settings
from tui.core.rotation import retired_keys


async def test_rotate_a_key_and_check_the_old_one_is_revoked(
    make_app: AppFactory, locations: Locations, fast_kdf: dict[str, Any], sim: Any
) -> None:
    make_keyfile(locations, fast_kdf, [sim_account(sim, "okx", "main")])
    app = make_app(settings=Settings(refresh_interval_s=0))
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot, to_list=False)
        session = app.session
        await wait_for(pilot, lambda: len(session.reports) == 1, limit=20, what="first report")
        [account] = session.accounts
        await pilot.press("d")
        await wait_for(
            pilot, lambda: screen_name(pilot) == "AccountDetailScreen", what="details on d"
        )
        await pilot.press("n")
        await wait_for(pilot, lambda: screen_name(pilot) == "RotateKeyScreen", what="rotate on n")
        assert app.screen.query_one("#label").disabled
        new = sim.account("okx", "risky").credentials  # this one can withdraw
        for name, value in new.items():
            set_value(pilot, f"#cred-{name}", value)
        set_value(pilot, "#endpoint", sim.endpoint("okx"))
        await pilot.press("ctrl+s")
        await wait_for(
            pilot, lambda: screen_name(pilot) == "ConfirmScreen", limit=20, what="withdraw question"
        )
        await pilot.click("#confirm")  # save anyway: the withdraw question comes first
        await wait_for(
            pilot, lambda: screen_name(pilot) == "RotationDoneScreen", limit=20, what="done"
        )
        rights = text_of(pilot, "#rights")
        assert "withdraw funds" in rights and "gained" in rights
        [current] = session.accounts
        assert current.id == account.id and current.label == "main"
        assert current.credentials["apiKey"].reveal() == new["apiKey"]
        [old] = retired_keys(session, account.id)
        assert (
            old.credentials["apiKey"].reveal() == sim.account("okx", "main").credentials["apiKey"]
        )

        await pilot.click("#check")  # not deleted at the exchange yet
        await wait_for(pilot, lambda: "STILL WORKS" in text_of(pilot, "#revocation"), limit=20)
        assert retired_keys(session, account.id)
        sim.set_faults("okx", "main", expired=True)  # the user deletes it at OKX
        await pilot.click("#check")
        await wait_for(pilot, lambda: "Revoked" in text_of(pilot, "#revocation"), limit=20)
        assert retired_keys(session, account.id) == []
        assert len(session.vault.accounts) == 1
