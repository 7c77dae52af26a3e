"""The account detail (d, or Enter on a status row): state, endpoint, rights, findings;
accept a risk and take it back; edit the label without the secrets; check now."""

from __future__ import annotations

from typing import Any

from tests.app.conftest import SIZE, AppFactory, make_keyfile, sim_account
from tests.app.helpers import screen_name, set_value, text_of, unlock, wait_for
from tui.base.paths import Locations
from tui.base.settings import Settings


def body(app: Any) -> str:
    return text_of(app, "#detail-body")


async def test_detail_shows_the_account_and_its_actions_work(
    make_app: AppFactory, locations: Locations, fast_kdf: dict[str, Any], sim: Any
) -> None:
    make_keyfile(locations, fast_kdf, [sim_account(sim, "okx", "risky")])
    app = make_app(settings=Settings(refresh_interval_s=0))
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot, to_list=False)
        session = app.session
        await wait_for(pilot, lambda: len(session.reports) == 1, limit=20)
        account = session.accounts[0]
        await pilot.press("d")
        await wait_for(pilot, lambda: screen_name(pilot) == "AccountDetailScreen")
        text = body(app)
        assert sim.endpoint("okx") in text  # where the calls go
        assert "Withdraw" in text and "Withdrawals are enabled" in text
        await pilot.press("k")
        await wait_for(pilot, lambda: session.is_acknowledged(account.id, "withdraw_enabled"))
        await wait_for(pilot, lambda: "Accepted by you" in body(app))
        assert "✔ accepted" in body(app) and "critical" not in body(app).split("Accepted")[0]
        await pilot.press("u")
        await wait_for(pilot, lambda: not session.is_acknowledged(account.id, "withdraw_enabled"))
        before = session.reports[account.id]
        await pilot.press("c")
        await wait_for(pilot, lambda: session.reports[account.id] is not before, limit=20)
        await pilot.press("e")
        await wait_for(pilot, lambda: screen_name(pilot) == "EditAccountScreen")
        set_value(pilot, "#label", "desk")
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen_name(pilot) == "AccountDetailScreen")
        assert session.accounts[0].label == "desk"
        assert (
            session.accounts[0].credentials["apiKey"].reveal()
            == (sim.account("okx", "risky").credentials["apiKey"])
        )
        await pilot.press("escape")
        await wait_for(pilot, lambda: screen_name(pilot) == "SessionDashboard")


async def test_an_endpoint_edit_is_checked(
    make_app: AppFactory, locations: Locations, fast_kdf: dict[str, Any], sim: Any
) -> None:
    make_keyfile(locations, fast_kdf, [sim_account(sim, "binance")])
    app = make_app(settings=Settings(refresh_interval_s=0))
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot, to_list=False)
        await pilot.press("d")
        await wait_for(pilot, lambda: screen_name(pilot) == "AccountDetailScreen")
        await pilot.press("e")
        await wait_for(pilot, lambda: screen_name(pilot) == "EditAccountScreen")
        set_value(pilot, "#endpoint", "ftp://example.com")
        await pilot.press("enter")
        await pilot.pause(0.2)
        assert screen_name(pilot) == "EditAccountScreen"
        assert "Endpoint" in text_of(pilot, "#error-endpoint")
        assert app.session.accounts[0].endpoint == sim.endpoint("binance")


async def test_the_palette_takes_back_an_accepted_risk(
    make_app: AppFactory, locations: Locations, fast_kdf: dict[str, Any], sim: Any
) -> None:
    make_keyfile(locations, fast_kdf, [sim_account(sim, "okx", "risky")])
    app = make_app(settings=Settings(refresh_interval_s=0))
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot, to_list=False)
        session = app.session
        await wait_for(pilot, lambda: len(session.reports) == 1, limit=20)
        account = session.accounts[0]
        await pilot.press("k")
        await wait_for(pilot, lambda: session.is_acknowledged(account.id, "withdraw_enabled"))
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: screen_name(pilot) == "CommandPalette")
        await pilot.press(*"take back")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen_name(pilot) == "AccountPickerScreen")
        await pilot.press("enter")
        await wait_for(pilot, lambda: not session.is_acknowledged(account.id, "withdraw_enabled"))


async def test_detail_shows_the_allowlist_the_key_had_and_the_address_refused(
    make_app: AppFactory, locations: Locations, fast_kdf: dict[str, Any], sim: Any
) -> None:
    make_keyfile(locations, fast_kdf, [sim_account(sim, "okx")])
    app = make_app(settings=Settings(refresh_interval_s=0))
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot, to_list=False)
        session = app.session
        await wait_for(pilot, lambda: len(session.reports) == 1, limit=20)
        account = session.accounts[0]
        home = sim.state.client_ip
        await wait_for(pilot, lambda: "ip_allowlist" in session.account(account.id).notes)
        sim.state.client_ip = "2001:db8::1"
        await pilot.press("d")
        await wait_for(pilot, lambda: screen_name(pilot) == "AccountDetailScreen")
        await pilot.press("c")
        await wait_for(pilot, lambda: "2001:db8::1" in " ".join(body(app).split()), limit=20)
        text = " ".join(body(app).split())
        assert "OKX saw 2001:db8::1 (IPv6): this machine now reaches OKX over IPv6." in text
        assert "IP allowlist when the key last worked (as read on" in text
        assert text.count(home) >= 2  # in the comparison and in the allowlist line


async def test_detail_at_80_columns_has_help_and_every_key_in_its_footer(
    make_app: AppFactory, locations: Locations, fast_kdf: dict[str, Any], sim: Any
) -> None:
    """Issue 23: F1 did nothing here, and the footer was cut before n, o and the remove key."""
    from textual.widgets import Footer

    make_keyfile(locations, fast_kdf, [sim_account(sim, "okx", "risky")])
    app = make_app(settings=Settings(refresh_interval_s=0))
    async with app.run_test(size=(80, 24)) as pilot:
        await unlock(pilot, to_list=False)
        session = app.session
        await wait_for(pilot, lambda: len(session.reports) == 1, limit=20)
        await pilot.press("d")
        await wait_for(pilot, lambda: screen_name(pilot) == "AccountDetailScreen")
        await pilot.pause()

        def footer_keys() -> dict[str, bool]:
            """Each key shown in the footer, and whether it is drawn whole within 80 columns."""
            keys = app.screen.query_one(Footer).query("FooterKey")
            return {key.key: key.region.right <= 80 and key.region.width > 0 for key in keys}

        shown = footer_keys()
        for key in ("escape", "f1", "c", "k", "e", "n", "f8"):
            assert shown.get(key), (key, shown)
        assert "u" not in shown and "o" not in shown  # nothing accepted, no replaced key
        await pilot.press("f1")
        await wait_for(pilot, lambda: screen_name(pilot) == "HelpScreen")
        await pilot.press("escape")
        await wait_for(pilot, lambda: screen_name(pilot) == "AccountDetailScreen")
