"""Key entry against the loopback simulator: verify, save, findings, failures, replace."""

from __future__ import annotations

from typing import Any

from textual.widgets import Input, LoadingIndicator

from tests.app.conftest import PASSWORD, SIZE, AppFactory, make_keyfile, sim_account
from tests.app.helpers import screen_name, set_value, text_of, type_keys, unlock, wait_for
from tui.base.paths import Locations


def stored_accounts(locations: Locations, fast_kdf: dict[str, Any]) -> list[Any]:
    from tui.vault import Vault

    with Vault.open(locations.keyfile, PASSWORD, **fast_kdf) as vault:
        return list(vault.accounts)


async def open_key_entry(pilot: Any, query: str) -> None:
    await type_keys(pilot, query)
    await pilot.press("enter")
    await wait_for(pilot, lambda: screen_name(pilot) == "KeyEntryScreen", what="key entry")


def fill(pilot: Any, credentials: dict[str, str], endpoint: str, label: str = "main") -> None:
    set_value(pilot, "#label", label)
    for name, value in credentials.items():
        set_value(pilot, f"#cred-{name}", value)
    set_value(pilot, "#endpoint", endpoint)


async def test_good_key_is_verified_saved_and_findings_shown(
    make_app: AppFactory, locations: Locations, fast_kdf: dict[str, Any], sim: Any
) -> None:
    make_keyfile(locations, fast_kdf)
    provisioned = sim.account("binance", "main")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot)
        await open_key_entry(pilot, "binance")
        form = pilot.app.screen
        assert "never Withdraw" in text_of(pilot, "#key-hint")
        # secrets are masked, the API key is not
        assert form.query_one("#cred-secret", Input).password
        assert not form.query_one("#cred-apiKey", Input).password
        fill(pilot, dict(provisioned.credentials), sim.endpoint("binance"))
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen_name(pilot) == "FindingsScreen", what="findings")
        assert "verified" in text_of(pilot, ".dialog-title")
        permissions = text_of(pilot, "#permissions")
        assert "Withdraw" in permissions and "Read" in permissions
        await pilot.press("escape")
        await wait_for(pilot, lambda: screen_name(pilot) == "ExchangeListScreen")
        table = pilot.app.screen.query_one("#exchanges")
        first = [str(cell) for cell in table.get_row_at(0)]
        assert first[0] == "Binance" and "main" in first[1] and "ok" in first[2]
    [account] = stored_accounts(locations, fast_kdf)
    assert account.exchange == "binance" and account.verified_at is not None
    assert account.endpoint == sim.endpoint("binance")
    assert account.credentials["secret"].reveal() == provisioned.credentials["secret"]


async def test_rejected_key_shows_problem_keeps_values_and_can_be_saved_unverified(
    make_app: AppFactory, locations: Locations, fast_kdf: dict[str, Any], sim: Any
) -> None:
    make_keyfile(locations, fast_kdf)
    credentials = dict(sim.account("binance", "main").credentials)
    credentials["secret"] = "x" * 64
    before = locations.keyfile.read_bytes()
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot)
        await open_key_entry(pilot, "binance")
        fill(pilot, credentials, sim.endpoint("binance"))
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: pilot.app.screen.query_one("#problem").display)
        assert text_of(pilot, "#problem-title").startswith("✗")
        assert text_of(pilot, "#problem-fix")
        assert pilot.app.screen.query_one("#cred-secret", Input).value == "x" * 64
        # nothing saved before verifying
        assert app.session is not None and app.session.accounts == []
        assert locations.keyfile.read_bytes() == before
        # Enter edits the key; saving it unverified is a deliberate move (issue 23)
        assert pilot.app.focused is pilot.app.screen.query_one("#edit")
        await pilot.press("tab")
        assert pilot.app.focused is pilot.app.screen.query_one("#save-anyway")
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen_name(pilot) == "ExchangeListScreen")
        table = pilot.app.screen.query_one("#exchanges")
        row = [str(cell) for cell in table.get_row("binance")]
        assert "rejected" in row[2] and "unverified" not in row[2]  # as it was when saved
    [account] = stored_accounts(locations, fast_kdf)
    assert account.verified_at is None


async def test_replacing_asks_first_and_shows_the_old_key_masked(
    make_app: AppFactory, locations: Locations, fast_kdf: dict[str, Any], sim: Any
) -> None:
    old = sim_account(
        sim,
        "binance",
        "main",
        credentials={"apiKey": "OLDKEY-1234567890-abcd", "secret": "old-secret-value-xyz"},
    )
    make_keyfile(locations, fast_kdf, [old])
    provisioned = sim.account("binance", "main")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot)
        await open_key_entry(pilot, "binance")
        assert "Already connected" in text_of(pilot, "#existing")
        fill(pilot, dict(provisioned.credentials), sim.endpoint("binance"), label="main")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen_name(pilot) == "ConfirmScreen")
        body = text_of(pilot, ".dialog-body")
        assert "abcd" in body and "OLDKEY-1234567890" not in body
        await pilot.click("#confirm")
        await wait_for(pilot, lambda: screen_name(pilot) == "FindingsScreen", what="findings")
        await pilot.press("escape")
        await wait_for(pilot, lambda: screen_name(pilot) == "ExchangeListScreen")
    [account] = stored_accounts(locations, fast_kdf)
    assert account.id == old.id
    assert account.credentials["apiKey"].reveal() == provisioned.credentials["apiKey"]


async def test_bad_input_names_the_field_and_the_fault(
    make_app: AppFactory, locations: Locations, fast_kdf: dict[str, Any]
) -> None:
    make_keyfile(locations, fast_kdf)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot)
        await open_key_entry(pilot, "kucoin")
        assert not pilot.app.screen.query(LoadingIndicator)  # a spinner only while verifying
        cases = [
            ({"apiKey": ""}, "apiKey", "API key is empty"),
            ({"apiKey": "abc def"}, "apiKey", "API key has a space inside"),
            ({"secret": "s" * 5000}, "secret", "5,000 characters"),
            ({"secret": "abc\u200bdef"}, "secret", "cannot accept"),
        ]
        for values, field, message in cases:
            fill(
                pilot,
                {"apiKey": "k" * 24, "secret": "s" * 32, "password": "pass phrase"},
                "",
                label="main",
            )
            for name, value in values.items():
                set_value(pilot, f"#cred-{name}", value)
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert message in text_of(pilot, f"#error-{field}"), message
            assert pilot.app.screen.query_one(f"#cred-{field}").has_focus
        # a pasted key loses the blank lines and spaces around it
        from textual import events

        key_field = pilot.app.screen.query_one("#cred-apiKey", Input)
        key_field.value = ""
        key_field.focus()
        key_field.post_message(events.Paste("\n  pasted-key-123  \n"))
        await pilot.pause()
        assert key_field.value == "pasted-key-123"
        # a zero-width space in a secret is named without showing the secret
        assert "\u200b" not in text_of(pilot, "#error-secret")
        fill(pilot, {"apiKey": "k" * 24, "secret": "s" * 32, "password": "pp"}, "ftp://x")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "Endpoint" in text_of(pilot, "#error-endpoint")
        assert screen_name(pilot) == "KeyEntryScreen"


async def test_coinbase_pem_key_pasted_multiline_is_accepted(
    make_app: AppFactory, locations: Locations, fast_kdf: dict[str, Any], sim: Any
) -> None:
    from textual import events

    make_keyfile(locations, fast_kdf)
    provisioned = sim.account("coinbase", "main")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot)
        await open_key_entry(pilot, "coinbase")
        # a bad PEM first
        set_value(pilot, "#cred-apiKey", provisioned.credentials["apiKey"])
        set_value(
            pilot,
            "#cred-secret",
            "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----",
        )
        set_value(pilot, "#endpoint", sim.endpoint("coinbase"))
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "does not parse" in text_of(pilot, "#error-secret")
        # then the real one, pasted with surrounding blank lines
        area = pilot.app.screen.query_one("#cred-secret")
        area.text = ""
        area.focus()
        area.post_message(events.Paste("\n\n" + provisioned.credentials["secret"] + "\n\n"))
        await pilot.pause()
        assert area.text == provisioned.credentials["secret"].strip()
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen_name(pilot) == "FindingsScreen", limit=20)
    [account] = stored_accounts(locations, fast_kdf)
    assert account.exchange == "coinbase"


async def test_key_that_can_withdraw_is_flagged_and_remove_account(
    make_app: AppFactory, locations: Locations, fast_kdf: dict[str, Any], sim: Any
) -> None:
    risky = sim_account(sim, "binance", "risky")
    make_keyfile(locations, fast_kdf, [risky])
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot)
        table = pilot.app.screen.query_one("#exchanges")
        await wait_for(
            pilot, lambda: "WITHDRAW" in str(table.get_row_at(0)[3]), limit=20, what="withdraw mark"
        )
        await pilot.press("f8")
        await wait_for(pilot, lambda: screen_name(pilot) == "ChoiceScreen")
        assert "revoke it there" in text_of(pilot, ".dialog-body")
        await pilot.click("#remove")
        await wait_for(pilot, lambda: not app.session.accounts)
        await app.workers.wait_for_complete()
    assert stored_accounts(locations, fast_kdf) == []


async def test_a_key_that_can_withdraw_is_not_saved_without_an_explicit_choice(
    make_app: AppFactory, locations: Locations, fast_kdf: dict[str, Any], sim: Any
) -> None:
    make_keyfile(locations, fast_kdf)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot)
        set_value(pilot, "#filter", "okx")
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen_name(pilot) == "KeyEntryScreen")
        for name, value in sim.account("okx", "risky").credentials.items():
            set_value(pilot, f"#cred-{name}", value)
        set_value(pilot, "#endpoint", sim.endpoint("okx"))
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen_name(pilot) == "ConfirmScreen", limit=20)
        assert "Withdrawals are enabled" in text_of(pilot, ".dialog-body")
        await pilot.press("escape")  # cancel, fix it first
        await wait_for(pilot, lambda: screen_name(pilot) == "KeyEntryScreen")
        assert app.session.accounts == []
        assert not app.screen.query_one("#verifying").display  # the form is usable again
