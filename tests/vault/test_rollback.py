"""Rollback detection: an older copy of the keyfile put back is not opened silently."""

from __future__ import annotations

import json
import logging
import os
import shutil
from pathlib import Path

import pytest

from tests.vault.conftest import (
    ALL_SECRETS,
    CHEAP,
    PASSWORD,
    FileState,
    another_key,
    binance_account,
    okx_account,
)
from tests.vault.test_golden import DATA, GOLDEN_PASSWORD
from tui.base.paths import Locations
from tui.vault import KeyfileRolledBack, Vault, argon2_available
from tui.vault.container import parse_header
from tui.vault.generations import KEYFILE_ID, STATE_NAME

NEW_PASSWORD = "the new master password"


@pytest.fixture
def state_dir(tmp_path: Path) -> Path:
    return tmp_path / "state"


def saved_twice(keyfile: Path, state_dir: Path) -> bytes:
    """Create (generation 1), save twice (2 and 3); returns the bytes of generation 2."""
    with Vault.create(keyfile, PASSWORD, kdf=CHEAP, state_dir=state_dir) as vault:
        vault.add(binance_account())
        vault.save()
        first_version = keyfile.read_bytes()
        vault.add(okx_account())
        vault.save()
        assert vault.generation == 3
    return first_version


def test_an_older_copy_put_back_is_refused_then_opens_when_accepted(
    keyfile: Path, state_dir: Path
) -> None:
    first_version = saved_twice(keyfile, state_dir)
    keyfile.write_bytes(first_version)
    before = FileState.of(keyfile)
    with pytest.raises(KeyfileRolledBack) as caught:
        Vault.open(keyfile, PASSWORD, kdf=CHEAP, state_dir=state_dir)
    error = caught.value
    assert (error.found, error.seen) == (2, 3)
    assert error.path == keyfile
    assert str(error).startswith(
        "this keyfile is older than the one last opened here (generation 2, last seen 3): "
        "restored from a backup?"
    )
    assert FileState.of(keyfile) == before
    with pytest.raises(KeyfileRolledBack):
        Vault.open(keyfile, PASSWORD, kdf=CHEAP, state_dir=state_dir, read_only=True)

    # The refusal released the write lock, so this writable open can take it.
    with Vault.open(
        keyfile, PASSWORD, kdf=CHEAP, state_dir=state_dir, accept_rollback=True
    ) as vault:
        assert vault.generation == 2 and [a.exchange for a in vault.accounts] == ["binance"]
    # Accepted: generation 2 is now the one to compare with.
    Vault.open(keyfile, PASSWORD, kdf=CHEAP, state_dir=state_dir).close()


def test_the_backup_put_back_is_refused(keyfile: Path, state_dir: Path) -> None:
    saved_twice(keyfile, state_dir)
    shutil.copy2(keyfile.with_name("keys.kdk.bak"), keyfile)
    with pytest.raises(KeyfileRolledBack) as caught:
        Vault.open(keyfile, PASSWORD, kdf=CHEAP, state_dir=state_dir)
    assert (caught.value.found, caught.value.seen) == (2, 3)


def test_the_backup_from_before_a_password_change_is_refused(
    keyfile: Path, state_dir: Path
) -> None:
    """The salt changed with the password; the keyfile id inside the payload did not."""
    saved_twice(keyfile, state_dir)
    with Vault.open(keyfile, PASSWORD, kdf=CHEAP, state_dir=state_dir) as vault:
        vault.change_password(PASSWORD, NEW_PASSWORD, kdf=CHEAP)
        assert vault.generation == 4
    shutil.copy2(keyfile.with_name("keys.kdk.bak"), keyfile)  # generation 3, old password
    with pytest.raises(KeyfileRolledBack) as caught:
        Vault.open(keyfile, PASSWORD, kdf=CHEAP, state_dir=state_dir)
    assert (caught.value.found, caught.value.seen) == (3, 4)


def test_without_a_state_dir_nothing_is_tracked(keyfile: Path, state_dir: Path) -> None:
    first_version = saved_twice(keyfile, None)  # type: ignore[arg-type]
    keyfile.write_bytes(first_version)
    Vault.open(keyfile, PASSWORD, kdf=CHEAP).close()
    assert not state_dir.exists()


def test_read_only_opens_check_but_never_write_the_state(keyfile: Path, state_dir: Path) -> None:
    first_version = saved_twice(keyfile, state_dir)
    record = state_dir / STATE_NAME
    before = FileState.of(record)
    with Vault.open(keyfile, PASSWORD, read_only=True, state_dir=state_dir) as vault:
        vault.reload()
    keyfile.write_bytes(first_version)
    with pytest.raises(KeyfileRolledBack):
        Vault.open(keyfile, PASSWORD, read_only=True, state_dir=state_dir)
    Vault.open(keyfile, PASSWORD, read_only=True, state_dir=state_dir, accept_rollback=True).close()
    assert FileState.of(record) == before
    with pytest.raises(KeyfileRolledBack):  # accepting read-only recorded nothing
        Vault.open(keyfile, PASSWORD, kdf=CHEAP, state_dir=state_dir)
    elsewhere = state_dir.parent / "never-made"
    Vault.open(keyfile, PASSWORD, read_only=True, state_dir=elsewhere).close()
    assert not elsewhere.exists()


def test_the_record_holds_no_secret_and_is_private(keyfile: Path, state_dir: Path) -> None:
    saved_twice(keyfile, state_dir)
    with Vault.open(keyfile, PASSWORD, kdf=CHEAP, state_dir=state_dir) as vault:
        keyfile_id = vault._extra[KEYFILE_ID]
    record = state_dir / STATE_NAME
    text = record.read_text()
    document = json.loads(text)
    assert document["format"] == 1
    assert sorted(e["generation"] for e in document["keyfiles"].values()) == [3, 3]
    salt = parse_header(keyfile.read_bytes()).salt
    for value in (*ALL_SECRETS, keyfile_id, salt.hex(), str(keyfile)):
        assert value not in text
    assert record.stat().st_mode & 0o777 == 0o600
    assert state_dir.stat().st_mode & 0o777 == 0o700


def test_a_keyfile_from_before_the_keyfile_id_is_tracked_by_its_salt(
    tmp_path: Path, state_dir: Path
) -> None:
    name = "keyfile-v1-argon2id.kdk" if argon2_available() else "keyfile-v1-scrypt.kdk"
    golden = tmp_path / "keys.kdk"
    shutil.copyfile(DATA / name, golden)
    os.chmod(golden, 0o600)
    with Vault.open(golden, GOLDEN_PASSWORD, kdf=CHEAP, state_dir=state_dir) as vault:
        assert KEYFILE_ID not in vault._extra and vault.generation == 2
        vault.save()  # generation 3, and from now on a keyfile id
        assert KEYFILE_ID in vault._extra
    shutil.copyfile(DATA / name, golden)
    with pytest.raises(KeyfileRolledBack) as caught:
        Vault.open(golden, GOLDEN_PASSWORD, kdf=CHEAP, state_dir=state_dir)
    assert (caught.value.found, caught.value.seen) == (2, 3)


def test_different_keyfiles_are_tracked_apart(tmp_path: Path, state_dir: Path) -> None:
    saved_twice(tmp_path / "a" / "keys.kdk", state_dir)
    with Vault.create(tmp_path / "b" / "keys.kdk", PASSWORD, kdf=CHEAP, state_dir=state_dir):
        pass
    Vault.open(tmp_path / "b" / "keys.kdk", PASSWORD, kdf=CHEAP, state_dir=state_dir).close()
    Vault.open(tmp_path / "a" / "keys.kdk", PASSWORD, kdf=CHEAP, state_dir=state_dir).close()


def test_an_unreadable_record_is_ignored_and_an_unwritable_one_only_logged(
    keyfile: Path, state_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    saved_twice(keyfile, state_dir)
    record = state_dir / STATE_NAME
    record.write_text("{not json")
    with Vault.open(keyfile, PASSWORD, kdf=CHEAP, state_dir=state_dir) as vault:
        vault.add(another_key(binance_account(), "spot"))
        vault.save()
    assert "ignoring the unreadable generation record" in caplog.text
    assert json.loads(record.read_text())["format"] == 1  # rewritten whole
    blocked = keyfile.parent / "a-file-not-a-directory"
    blocked.write_text("")
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        Vault.open(keyfile, PASSWORD, kdf=CHEAP, state_dir=blocked).close()
    assert "could not record the keyfile generation" in caplog.text


def test_locations_name_the_state_directory(tmp_path: Path) -> None:
    locations = Locations.resolve(tmp_path / "root")
    assert locations.state_dir == tmp_path / "root" / "state"
    assert locations.generations == tmp_path / "root" / "state" / STATE_NAME
    default = Locations.resolve(None) if "KEYDECK_CONFIG_DIR" not in os.environ else None
    if default is not None:
        assert default.state_dir.name == "keydeck"
