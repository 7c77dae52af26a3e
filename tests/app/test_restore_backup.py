"""A damaged keyfile with a backup beside it: the problem screen says the backup exists and
restores it after the password opens it; the damaged file is kept."""

from __future__ import annotations

from typing import Any

from tests.app.conftest import PASSWORD, SIZE, AppFactory
from tests.app.helpers import screen_name, text_of, unlock, wait_for
from tui.base.paths import Locations, ensure_private_dir
from tui.vault import Account, Vault


async def test_restore_the_backup_of_a_damaged_keyfile(
    make_app: AppFactory, locations: Locations, fast_kdf: dict[str, Any]
) -> None:
    ensure_private_dir(locations.config_dir)
    keyfile = locations.keyfile
    with Vault.create(keyfile, PASSWORD, state_dir=locations.state_dir, **fast_kdf) as vault:
        vault.add(Account(exchange="binance", label="main", credentials={"apiKey": "k1"}))
        vault.save()
        vault.add(Account(exchange="okx", label="main", credentials={"apiKey": "k2"}))
        vault.save()
    data = bytearray(keyfile.read_bytes())
    data[len(data) // 2] ^= 0xFF
    keyfile.write_bytes(bytes(data))

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: screen_name(pilot) == "KeyfileProblemScreen")
        assert "backup from" in text_of(pilot, "#fix")
        await pilot.click("#restore")
        await wait_for(pilot, lambda: screen_name(pilot) == "RestoreBackupScreen")
        app.screen.query_one("#password").value = "not it"
        await pilot.press("enter")
        await wait_for(pilot, lambda: "Wrong password" in text_of(pilot, "#restore-error"))
        assert keyfile.read_bytes() == bytes(data)  # nothing changed
        app.screen.query_one("#password").value = PASSWORD
        await pilot.press("enter")
        await unlock(pilot, to_list=False)
        assert [a.exchange for a in app.session.accounts] == ["binance"]
    kept = [p for p in locations.config_dir.iterdir() if ".unreadable-" in p.name]
    assert len(kept) == 1 and kept[0].read_bytes() == bytes(data)
