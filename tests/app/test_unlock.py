"""First run, unlock, keyfile problems, lock and idle auto-lock, change password."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

from textual.widgets import Input, LoadingIndicator

from tests.app.conftest import PASSWORD, SIZE, AppFactory, make_keyfile
from tests.app.helpers import screen_name, set_value, text_of, type_keys, unlock, wait_for
from tui.base.paths import Locations


def has_backup(keyfile: Path) -> bool:
    return keyfile.with_name(keyfile.name + ".bak").exists()


def digest(path: Path) -> tuple[str, int]:
    return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns


async def test_first_run_creates_a_keyfile(
    make_app: AppFactory, locations: Locations, fast_kdf: dict[str, Any]
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: screen_name(pilot) == "CreateKeyfileScreen")
        assert "no password recovery" in text_of(pilot, "#no-recovery")
        # Enter on the empty first field says what to do and stays there (issue 23)
        await pilot.press("enter")
        await pilot.pause()
        assert "Choose a master password" in text_of(pilot, "#create-error")
        assert pilot.app.screen.query_one("#password", Input).has_focus
        error = pilot.app.screen.query_one("#create-error")
        confirm = pilot.app.screen.query_one("#confirm", Input)
        assert error.region.y < confirm.region.y  # under the first field, not the second
        # a guessable password is refused, nothing is written
        await type_keys(pilot, "password")
        await pilot.press("enter")
        await type_keys(pilot, "password")
        await pilot.press("enter")
        await pilot.pause()
        assert "too easy to guess" in text_of(pilot, "#create-error")
        assert not locations.keyfile.exists()
        # a mismatch is refused
        set_value(pilot, "#password", PASSWORD)
        set_value(pilot, "#confirm", PASSWORD + "x")
        await pilot.click("#create")
        await pilot.pause()
        assert "differ" in text_of(pilot, "#create-error")
        assert not locations.keyfile.exists()
        # the strength meter follows the password
        set_value(pilot, "#password", PASSWORD)
        await pilot.pause()
        assert "Strength" in text_of(pilot, "#strength")
        set_value(pilot, "#confirm", PASSWORD)
        pilot.app.screen.query_one("#confirm", Input).focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen_name(pilot) == "ExchangeListScreen")
        assert app.session is not None
    assert locations.keyfile.exists()
    from tui.vault import Vault

    with Vault.open(locations.keyfile, PASSWORD, **fast_kdf) as vault:
        assert vault.accounts == ()


async def test_wrong_password_says_so_and_writes_nothing(
    make_app: AppFactory, locations: Locations, fast_kdf: dict[str, Any]
) -> None:
    keyfile = make_keyfile(locations, fast_kdf)
    before = digest(keyfile)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: screen_name(pilot) == "UnlockScreen")
        assert not pilot.app.screen.query(LoadingIndicator)
        await type_keys(pilot, "not it")
        await pilot.press("enter")
        await wait_for(pilot, lambda: "Wrong password" in text_of(pilot, "#unlock-error"))
        field = pilot.app.screen.query_one("#password", Input)
        assert field.value == "" and field.has_focus and not field.disabled
        # The spinner is mounted only while the key is derived (hidden, it still animated
        # 16 times a second and kept the waiting unlock screen busy).
        await pilot.pause()
        assert not pilot.app.screen.query(LoadingIndicator)
        assert digest(keyfile) == before
        await unlock(pilot)
        assert app.session is not None


async def test_too_open_keyfile_names_the_chmod_fix_and_is_untouched(
    make_app: AppFactory, locations: Locations, fast_kdf: dict[str, Any]
) -> None:
    keyfile = make_keyfile(locations, fast_kdf)
    os.chmod(keyfile, 0o644)
    before = digest(keyfile)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        # Explained before any password is typed: these checks need none.
        await wait_for(pilot, lambda: screen_name(pilot) == "KeyfileProblemScreen")
        assert "not private" in text_of(pilot, "#title")
        assert f"chmod 600 {keyfile}" in text_of(pilot, "#fix")
        assert digest(keyfile) == before
        # fixed outside Keydeck, then "Try again"
        os.chmod(keyfile, 0o600)
        await pilot.press("r")
        await unlock(pilot)


async def test_damaged_keyfile_is_explained_and_never_overwritten(
    make_app: AppFactory, locations: Locations, fast_kdf: dict[str, Any]
) -> None:
    keyfile = make_keyfile(locations, fast_kdf)
    data = bytearray(keyfile.read_bytes())
    data[len(data) // 2] ^= 0x40
    keyfile.write_bytes(bytes(data))
    before = digest(keyfile)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        # Explained before any password is typed: these checks need none.
        await wait_for(pilot, lambda: screen_name(pilot) == "KeyfileProblemScreen")
        assert "damaged" in text_of(pilot, "#title")
        assert ".bak" in text_of(pilot, "#fix")
        await pilot.press("q")
        await pilot.pause()
    assert digest(keyfile) == before
    assert app.return_code in (0, None)


async def test_keyfile_from_a_newer_keydeck_is_refused_untouched(
    make_app: AppFactory, locations: Locations, fast_kdf: dict[str, Any]
) -> None:
    keyfile = make_keyfile(locations, fast_kdf)
    body = bytearray(keyfile.read_bytes()[:-32])  # without the SHA-256 trailer
    body[8:10] = (2).to_bytes(2, "big")  # the format version, right after the magic
    keyfile.write_bytes(bytes(body) + hashlib.sha256(body).digest())
    before = digest(keyfile)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        # Explained before any password is typed: these checks need none.
        await wait_for(pilot, lambda: screen_name(pilot) == "KeyfileProblemScreen")
        assert "newer Keydeck" in text_of(pilot, "#title")
        assert "Upgrade" in text_of(pilot, "#fix")
    assert digest(keyfile) == before


async def test_keyfile_in_use_elsewhere_is_explained(
    make_app: AppFactory, locations: Locations, fast_kdf: dict[str, Any]
) -> None:
    from tui.vault import Vault

    keyfile = make_keyfile(locations, fast_kdf)
    with Vault.open(keyfile, PASSWORD, **fast_kdf):
        app = make_app()
        async with app.run_test(size=SIZE) as pilot:
            # Explained before any password is typed: these checks need none.
            await wait_for(pilot, lambda: screen_name(pilot) == "KeyfileProblemScreen")
            assert "Another Keydeck" in text_of(pilot, "#title")


async def test_lock_drops_keys_and_shows_unlock(
    make_app: AppFactory, locations: Locations, fast_kdf: dict[str, Any]
) -> None:
    make_keyfile(locations, fast_kdf)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot)
        vault = app.session.vault
        assert vault is not None
        await pilot.press("f1")
        await wait_for(pilot, lambda: screen_name(pilot) == "HelpScreen")
        await pilot.press("ctrl+l")
        await wait_for(pilot, lambda: screen_name(pilot) == "UnlockScreen")
        assert app.session is None
        await wait_for(pilot, lambda: vault.closed, what="the keyfile closed")
        assert len(app.screen_stack) == 1  # the unlock screen alone: nothing under it
        await unlock(pilot)


async def test_idle_auto_lock(
    make_app: AppFactory, locations: Locations, fast_kdf: dict[str, Any]
) -> None:
    from tui.base.settings import Settings

    make_keyfile(locations, fast_kdf)
    now = [1000.0]
    app = make_app(settings=Settings(idle_lock_minutes=2), clock=lambda: now[0])
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot)
        now[0] += 119
        app.check_idle_lock()
        await pilot.pause()
        assert app.session is not None
        assert "locking in 1 s" in app.sub_title  # the countdown, a minute before
        await pilot.press("a")  # activity resets the idle time
        assert "locking" not in app.sub_title
        now[0] += 100
        app.check_idle_lock()
        await pilot.pause()
        assert app.session is not None
        now[0] += 21
        app.check_idle_lock()
        await pilot.pause()
        await wait_for(pilot, lambda: screen_name(pilot) == "UnlockScreen")
        assert app.session is None


async def test_an_idle_lock_keeps_the_key_form_but_not_its_secrets(
    make_app: AppFactory, locations: Locations, fast_kdf: dict[str, Any]
) -> None:
    from tui.base.settings import Settings

    make_keyfile(locations, fast_kdf)
    now = [1000.0]
    app = make_app(settings=Settings(idle_lock_minutes=10), clock=lambda: now[0])
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot)
        app.screen.query_one("#filter").value = "kraken"
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen_name(pilot) == "KeyEntryScreen")
        app.screen.query_one("#label").value = "desk"
        app.screen.query_one("#cred-apiKey").value = "half-typed-key"
        now[0] += 600
        app.check_idle_lock()
        await wait_for(pilot, lambda: screen_name(pilot) == "UnlockScreen")
        await unlock(pilot, to_list=False)
        await wait_for(pilot, lambda: screen_name(pilot) == "KeyEntryScreen")
        assert app.screen.info.id == "kraken"
        assert app.screen.query_one("#label").value == "desk"
        assert app.screen.query_one("#cred-apiKey").value == ""  # secrets are never kept


async def test_change_password(
    make_app: AppFactory, locations: Locations, fast_kdf: dict[str, Any]
) -> None:
    from tui.vault import Vault, WrongPassword

    make_keyfile(locations, fast_kdf)
    new_password = "quiet lantern harbor 77"
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot)
        app.action_change_password()
        await wait_for(pilot, lambda: screen_name(pilot) == "ChangePasswordScreen")
        set_value(pilot, "#current", "wrong one")
        set_value(pilot, "#new", new_password)
        set_value(pilot, "#confirm", new_password)
        await pilot.click("#change")
        await wait_for(pilot, lambda: "wrong" in text_of(pilot, "#change-error"))
        set_value(pilot, "#current", PASSWORD)
        set_value(pilot, "#new", new_password)
        set_value(pilot, "#confirm", new_password)
        # The second try from the keyboard (Enter in the last field): a click right after the
        # error line reflowed the dialog sometimes missed the button in headless runs.
        pilot.app.screen.query_one("#confirm").focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen_name(pilot) == "ConfirmScreen", what="backup offer")
        assert "OLD password" in text_of(pilot, ".dialog-body")
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen_name(pilot) == "ExchangeListScreen")
        await app.workers.wait_for_complete()
    app_vault_path = locations.keyfile
    with Vault.open(app_vault_path, new_password, **fast_kdf):
        pass
    try:
        Vault.open(app_vault_path, PASSWORD, **fast_kdf).close()
    except WrongPassword:
        pass
    else:
        raise AssertionError("the old password still opens the keyfile")
    assert not has_backup(app_vault_path)


async def test_an_older_keyfile_put_back_is_not_opened_silently(
    make_app: AppFactory, locations: Locations, fast_kdf: dict[str, Any]
) -> None:
    from tui.vault import Account, Vault

    make_keyfile(locations, fast_kdf)
    older = locations.keyfile.read_bytes()
    with Vault.open(locations.keyfile, PASSWORD, state_dir=locations.state_dir, **fast_kdf) as v:
        v.add(Account(exchange="binance", label="main", credentials={"apiKey": "k"}))
        v.save()
    with Vault.open(locations.keyfile, PASSWORD, state_dir=locations.state_dir, **fast_kdf):
        pass  # this machine has now seen the newer generation
    locations.keyfile.write_bytes(older)  # someone (or a restore) puts the old copy back
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: screen_name(pilot) == "UnlockScreen")
        app.screen.query_one("#password").value = PASSWORD
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen_name(pilot) == "ConfirmScreen")
        assert "older than the one last opened here" in text_of(pilot, ".dialog-body")
        await pilot.press("escape")  # do not open it
        await wait_for(pilot, lambda: screen_name(pilot) == "UnlockScreen")
        assert app.session is None
        assert "Not opened" in text_of(pilot, "#unlock-error")
        app.screen.query_one("#password").value = PASSWORD
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen_name(pilot) == "ConfirmScreen")
        await pilot.click("#confirm")
        await wait_for(pilot, lambda: app.session is not None)
        assert app.session.accounts == []  # the older copy, opened on purpose
