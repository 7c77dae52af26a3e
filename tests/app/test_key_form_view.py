"""Issue 23: the key form's result in view at 80x24 and 200x50, Enter after a rejection
edits (never saves), Esc asks before a typed key is lost, a `key<Tab>secret` paste fills the
fields in turn."""

from __future__ import annotations

from typing import Any

import pytest
from textual import events
from textual.widget import Widget
from textual.widgets import Button, Input

from tests.app.conftest import AppFactory, make_keyfile
from tests.app.helpers import screen_name, set_value, unlock, wait_for
from tests.app.test_key_entry import fill, open_key_entry
from tui.base.paths import Locations


def in_view(pilot: Any, selector: str) -> bool:
    """Drawn whole on the screen, above the footer's row."""
    screen = pilot.app.screen
    widget: Widget = screen.query_one(selector)
    region = widget.region
    visible = widget.visible and widget.display and region.height > 0
    return bool(visible and region.y >= 0 and region.bottom <= screen.size.height - 1)


@pytest.mark.parametrize("size", [(80, 24), (200, 50)])
async def test_rejection_is_in_view_and_enter_edits_instead_of_saving(
    size: tuple[int, int],
    make_app: AppFactory,
    locations: Locations,
    fast_kdf: dict[str, Any],
    sim: Any,
) -> None:
    make_keyfile(locations, fast_kdf)
    credentials = dict(sim.account("binance", "main").credentials)
    credentials["secret"] = "x" * 64
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await unlock(pilot)
        await open_key_entry(pilot, "binance")
        fill(pilot, credentials, sim.endpoint("binance"))
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: pilot.app.screen.query_one("#problem").display)
        await pilot.pause()
        for part in ("#problem-title", "#problem-fix", "#edit", "#save-anyway"):
            assert in_view(pilot, part), part
        assert pilot.app.focused is pilot.app.screen.query_one("#edit")
        # the user who saw "nothing happen" presses Enter again: back to the key, not saved
        await pilot.press("enter")
        key = pilot.app.screen.query_one("#cred-apiKey", Input)
        await wait_for(pilot, lambda: key.has_focus)
        await pilot.pause()
        assert not pilot.app.screen.query_one("#problem").display
        assert in_view(pilot, "#cred-apiKey")
        assert app.session is not None and app.session.accounts == []


async def test_cannot_reach_is_in_view_at_80x24(
    make_app: AppFactory, locations: Locations, fast_kdf: dict[str, Any], sim: Any
) -> None:
    make_keyfile(locations, fast_kdf)
    credentials = dict(sim.account("binance", "main").credentials)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await unlock(pilot)
        await open_key_entry(pilot, "binance")
        fill(pilot, credentials, "http://127.0.0.1:9")  # nothing listens there
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: pilot.app.screen.query_one("#problem").display, limit=30)
        await pilot.pause()
        assert in_view(pilot, "#problem-title") and in_view(pilot, "#edit")
        assert pilot.app.focused is pilot.app.screen.query_one("#edit")


async def test_escape_asks_before_a_typed_key_is_lost(
    make_app: AppFactory, locations: Locations, fast_kdf: dict[str, Any]
) -> None:
    make_keyfile(locations, fast_kdf)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await unlock(pilot)
        await open_key_entry(pilot, "kucoin")
        await pilot.press("escape")  # nothing typed: leaves at once
        await wait_for(pilot, lambda: screen_name(pilot) == "ExchangeListScreen")
        set_value(pilot, "#filter", "")
        await open_key_entry(pilot, "kucoin")
        pilot.app.screen.query_one("#cred-apiKey", Input).value = "half-typed-key"
        await pilot.press("escape")
        await wait_for(pilot, lambda: screen_name(pilot) == "ConfirmScreen", what="question")
        await pilot.press("enter")  # the default is "Keep editing"
        await wait_for(pilot, lambda: screen_name(pilot) == "KeyEntryScreen")
        assert pilot.app.screen.query_one("#cred-apiKey", Input).value == "half-typed-key"
        pilot.app.screen.query_one("#cancel", Button).press()  # the Cancel button asks too
        await wait_for(pilot, lambda: screen_name(pilot) == "ConfirmScreen", what="question")
        await pilot.click("#confirm")
        await wait_for(pilot, lambda: screen_name(pilot) == "ExchangeListScreen")


async def test_a_tab_separated_paste_fills_the_fields_in_turn(
    make_app: AppFactory, locations: Locations, fast_kdf: dict[str, Any]
) -> None:
    make_keyfile(locations, fast_kdf)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await unlock(pilot)
        await open_key_entry(pilot, "kucoin")  # key, secret, passphrase
        screen = pilot.app.screen
        key = screen.query_one("#cred-apiKey", Input)
        assert key.has_focus
        key.post_message(events.Paste("the-api-key\tthe-secret-value\n"))
        await pilot.pause()
        assert key.value == "the-api-key"
        assert screen.query_one("#cred-secret", Input).value == "the-secret-value"
        passphrase = screen.query_one("#cred-password", Input)
        assert passphrase.value == "" and passphrase.has_focus  # the next field to fill
        # more values than fields: the extra is left out, and the user is told
        key.post_message(events.Paste("a\tb\tc\td"))
        await pilot.pause()
        assert passphrase.value == "c"
        assert any("left out" in n.message for n in pilot.app._notifications)


async def test_the_form_opens_at_its_title_and_the_notice_only_where_it_belongs(
    make_app: AppFactory, locations: Locations, fast_kdf: dict[str, Any]
) -> None:
    """At 80x24 the demo's Bitget form opened scrolled past its title, and the Bitget
    credentials showed in the Bitfinex form too (issue 23)."""
    make_keyfile(locations, fast_kdf)
    notice = "Demo · keyfile password: x\nConnect bitget by hand (c): key k · secret s · endpoint e"
    app = make_app(notice=notice)
    async with app.run_test(size=(80, 24)) as pilot:
        await unlock(pilot)
        await open_key_entry(pilot, "bitget")
        await pilot.pause()
        await pilot.pause()
        assert pilot.app.screen.query("#key-notice")
        assert in_view(pilot, ".panel-title") and in_view(pilot, "#cred-apiKey")
        assert pilot.app.screen.query_one("#cred-apiKey").has_focus
        await pilot.press("escape")
        await wait_for(pilot, lambda: screen_name(pilot) == "ExchangeListScreen")
        set_value(pilot, "#filter", "")
        await open_key_entry(pilot, "bitfinex")
        assert not pilot.app.screen.query("#key-notice")


async def test_a_toast_does_not_cover_a_dialogs_buttons(
    make_app: AppFactory, locations: Locations, fast_kdf: dict[str, Any]
) -> None:
    """Issue 23: toasts (bottom right) covered the buttons of dialogs at 80x24."""
    make_keyfile(locations, fast_kdf)
    app = make_app()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await unlock(pilot)
        await open_key_entry(pilot, "kucoin")
        pilot.app.screen.query_one("#cred-apiKey", Input).value = "half-typed-key"
        await pilot.press("escape")
        await wait_for(pilot, lambda: screen_name(pilot) == "ConfirmScreen", what="question")
        pilot.app.notify("A toast with a few words in it\nand a second line", timeout=30)
        await wait_for(pilot, lambda: pilot.app.screen.query("Toast"), what="the toast")
        await pilot.pause()
        toasts = [toast.region for toast in pilot.app.screen.query("Toast")]
        # at the top right, away from where dialogs keep their buttons (their bottom)
        assert all(toast.y < pilot.app.screen.size.height // 2 for toast in toasts)
        for button in pilot.app.screen.query(Button):
            assert not any(button.region.overlaps(toast) for toast in toasts), button.id
