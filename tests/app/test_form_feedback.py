"""Forms answer as the user types: errors go once fixed, a long label says so,
"Edit and try again" keeps the key, a wrong current password keeps the new ones."""

from __future__ import annotations

from typing import Any

from textual.widgets import Input

from tests.app.conftest import PASSWORD, SIZE, AppFactory, make_keyfile
from tests.app.helpers import screen_name, set_value, text_of, type_keys, unlock, wait_for
from tests.app.test_key_entry import fill, open_key_entry
from tui.base.paths import Locations
from tui.ui.screens.key_form import MAX_LABEL_CHARS


def error_shown(pilot: Any, selector: str) -> str:
    widget = pilot.app.screen.query_one(selector)
    return text_of(pilot, selector) if widget.display else ""


async def test_key_field_errors_follow_the_field_once_touched(
    make_app: AppFactory, locations: Locations, fast_kdf: dict[str, Any]
) -> None:
    make_keyfile(locations, fast_kdf)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot)
        await open_key_entry(pilot, "kucoin")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "API key is empty" in error_shown(pilot, "#error-apiKey")
        assert pilot.app.screen.query_one("#cred-apiKey").has_focus
        await type_keys(pilot, "abc")
        await pilot.pause()
        assert error_shown(pilot, "#error-apiKey") == ""
        await type_keys(pilot, " d")
        await pilot.pause()
        assert "space inside" in error_shown(pilot, "#error-apiKey")
        await pilot.press("backspace", "backspace")
        await pilot.pause()
        assert error_shown(pilot, "#error-apiKey") == ""
        # the secret's error (shown by the same submit) goes when it is filled
        assert "Secret is empty" in error_shown(pilot, "#error-secret")
        set_value(pilot, "#cred-secret", "s" * 32)
        await pilot.pause()
        assert error_shown(pilot, "#error-secret") == ""


async def test_leaving_a_filled_field_checks_it_and_a_long_label_says_so(
    make_app: AppFactory, locations: Locations, fast_kdf: dict[str, Any]
) -> None:
    make_keyfile(locations, fast_kdf)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot)
        await open_key_entry(pilot, "kucoin")
        assert error_shown(pilot, "#error-apiKey") == ""
        await type_keys(pilot, "key with space")
        await pilot.press("tab")
        await pilot.pause()
        assert "space inside" in error_shown(pilot, "#error-apiKey")
        label = pilot.app.screen.query_one("#label", Input)
        label.value = ""
        label.focus()
        await type_keys(pilot, "x" * (MAX_LABEL_CHARS + 15))
        # not cut silently at the limit: kept, and the error says how long it is
        assert len(label.value) == MAX_LABEL_CHARS + 15
        shown = error_shown(pilot, "#error-label")
        assert f"{MAX_LABEL_CHARS + 15} characters" in shown and str(MAX_LABEL_CHARS) in shown
        await pilot.press(*["backspace"] * 15)
        assert error_shown(pilot, "#error-label") == ""


async def test_edit_and_try_again_puts_the_cursor_after_the_key(
    make_app: AppFactory, locations: Locations, fast_kdf: dict[str, Any], sim: Any
) -> None:
    make_keyfile(locations, fast_kdf)
    credentials = dict(sim.account("binance", "main").credentials)
    credentials["secret"] = "x" * 64
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot)
        await open_key_entry(pilot, "binance")
        fill(pilot, credentials, sim.endpoint("binance"))
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: pilot.app.screen.query_one("#problem").display)
        assert pilot.app.focused is pilot.app.screen.query_one("#edit")  # the default now
        await pilot.press("enter")
        key = pilot.app.screen.query_one("#cred-apiKey", Input)
        await wait_for(pilot, lambda: key.has_focus)
        await pilot.pause()
        assert key.selection.is_empty
        assert key.cursor_position == len(credentials["apiKey"])
        await type_keys(pilot, "Z")
        assert key.value == credentials["apiKey"] + "Z"
        # Tab into a filled field still selects it, so a paste replaces the key
        key.blur()
        await pilot.pause()
        key.focus()
        await pilot.pause()
        assert not key.selection.is_empty


async def test_create_form_error_goes_when_fixed(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: screen_name(pilot) == "CreateKeyfileScreen")
        set_value(pilot, "#password", PASSWORD)
        set_value(pilot, "#confirm", PASSWORD + "x")
        await pilot.click("#create")
        await pilot.pause()
        assert "differ" in error_shown(pilot, "#create-error")
        pilot.app.screen.query_one("#confirm", Input).focus()
        await type_keys(pilot, PASSWORD[:5])  # typing it again: the line waits
        await pilot.pause()
        assert "differ" in error_shown(pilot, "#create-error")
        set_value(pilot, "#confirm", PASSWORD)
        await pilot.pause()
        assert error_shown(pilot, "#create-error") == ""
        set_value(pilot, "#password", "password")  # a new fault shows as it is made
        await pilot.pause()
        assert "too easy to guess" in error_shown(pilot, "#create-error")


async def test_wrong_current_password_keeps_the_new_ones(
    make_app: AppFactory, locations: Locations, fast_kdf: dict[str, Any]
) -> None:
    make_keyfile(locations, fast_kdf)
    app = make_app()
    new_password = "violet harbour kettle 77"
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot)
        app.action_change_password()
        await wait_for(pilot, lambda: screen_name(pilot) == "ChangePasswordScreen")
        set_value(pilot, "#current", "not the password")
        set_value(pilot, "#new", new_password)
        set_value(pilot, "#confirm", new_password)
        pilot.app.screen.query_one("#confirm", Input).focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: "wrong" in error_shown(pilot, "#change-error"))
        screen = pilot.app.screen
        assert screen.query_one("#current", Input).value == ""
        assert screen.query_one("#current", Input).has_focus
        assert screen.query_one("#new", Input).value == new_password
        assert screen.query_one("#confirm", Input).value == new_password
        await type_keys(pilot, "x")
        await pilot.pause()
        assert error_shown(pilot, "#change-error") == ""  # the error was about that field
        set_value(pilot, "#current", PASSWORD)
        screen.query_one("#confirm", Input).focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen_name(pilot) != "ChangePasswordScreen", limit=20)
