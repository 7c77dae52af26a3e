"""Restoring the backup over a damaged keyfile: checked first, nothing deleted, accepted."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.vault.conftest import CHEAP, PASSWORD
from tui.vault import Account, KeyfileCorrupt, Vault, WrongPassword
from tui.vault.restore import NoBackup, backup_of, restore_backup


def saved_twice(keyfile: Path, state: Path) -> None:
    with Vault.create(keyfile, PASSWORD, kdf=CHEAP, state_dir=state) as vault:
        vault.add(Account(exchange="binance", label="main", credentials={"apiKey": "k1"}))
        vault.save()
        vault.add(Account(exchange="okx", label="main", credentials={"apiKey": "k2"}))
        vault.save()  # the backup now holds the first save


def damage(keyfile: Path) -> bytes:
    data = bytearray(keyfile.read_bytes())
    data[len(data) // 2] ^= 0xFF
    keyfile.write_bytes(bytes(data))
    return bytes(data)


def test_a_damaged_keyfile_is_replaced_by_its_backup_and_kept_aside(tmp_path: Path) -> None:
    keyfile, state = tmp_path / "keys.kdk", tmp_path / "state"
    saved_twice(keyfile, state)
    damaged = damage(keyfile)
    with pytest.raises(KeyfileCorrupt):
        Vault.open(keyfile, PASSWORD, kdf=CHEAP, state_dir=state)
    backup = backup_of(keyfile)
    assert backup is not None
    aside = restore_backup(keyfile, PASSWORD, state_dir=state, kdf=CHEAP)
    assert aside.read_bytes() == damaged  # nothing deleted
    assert backup.exists()  # copied, not moved
    # It opens without a rollback question: restoring it was the user's choice.
    with Vault.open(keyfile, PASSWORD, kdf=CHEAP, state_dir=state) as vault:
        assert [a.exchange for a in vault.accounts] == ["binance"]


def test_a_wrong_password_changes_nothing(tmp_path: Path) -> None:
    keyfile, state = tmp_path / "keys.kdk", tmp_path / "state"
    saved_twice(keyfile, state)
    damaged = damage(keyfile)
    with pytest.raises(WrongPassword):
        restore_backup(keyfile, "not the password", state_dir=state, kdf=CHEAP)
    assert keyfile.read_bytes() == damaged
    names = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("keys.kdk"))
    assert names == ["keys.kdk", "keys.kdk.bak", "keys.kdk.lock"]  # nothing moved aside


def test_no_backup_is_said_plainly(tmp_path: Path) -> None:
    keyfile = tmp_path / "keys.kdk"
    Vault.create(keyfile, PASSWORD, kdf=CHEAP).close()
    with pytest.raises(NoBackup, match="no backup"):
        restore_backup(keyfile, PASSWORD, kdf=CHEAP)
