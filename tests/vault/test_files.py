"""File safety: permissions, refusals, locking, change detection, failed writes, backups."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.vault.conftest import (
    CHEAP,
    PASSWORD,
    FileState,
    another_key,
    binance_account,
    okx_account,
)
from tui.vault import (
    KeyfileChanged,
    KeyfileCorrupt,
    KeyfileExists,
    KeyfileLocked,
    KeyfileWriteError,
    UnsafePermissions,
    Vault,
    move_aside,
)
from tui.vault.container import unlock

IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def listing(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


@pytest.fixture(params=[0o000, 0o022], ids=["umask000", "umask022"])
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    previous = os.umask(request.param)
    try:
        yield request.param
    finally:
        os.umask(previous)


def test_modes_are_private_whatever_the_umask(tmp_path: Path, umask: int) -> None:
    keyfile = tmp_path / "new" / "nested" / "keys.kdk"
    with Vault.create(keyfile, PASSWORD, kdf=CHEAP) as vault:
        vault.add(binance_account())
        vault.save()
    assert mode(tmp_path / "new") == 0o700
    assert mode(keyfile.parent) == 0o700
    assert mode(keyfile) == 0o600
    assert mode(keyfile.with_name("keys.kdk.bak")) == 0o600
    assert mode(keyfile.with_name("keys.kdk.lock")) == 0o600
    with Vault.open(keyfile, PASSWORD, kdf=CHEAP) as vault:
        vault.change_password(PASSWORD, "another password", kdf=CHEAP)
    assert mode(keyfile) == 0o600 and mode(keyfile.with_name("keys.kdk.bak")) == 0o600


def test_an_existing_directory_of_the_user_is_not_chmodded(tmp_path: Path) -> None:
    os.chmod(tmp_path, 0o755)  # noqa: S103 (a typical, readable user directory)
    Vault.create(tmp_path / "keys.kdk", PASSWORD, kdf=CHEAP).close()
    assert mode(tmp_path) == 0o755


@pytest.mark.parametrize("bits", [0o640, 0o604, 0o644, 0o660, 0o666, 0o601, 0o610])
def test_too_open_keyfile_is_refused_ssh_style(populated: Path, bits: int) -> None:
    os.chmod(populated, bits)
    before = FileState.of(populated)
    with pytest.raises(UnsafePermissions) as caught:
        Vault.open(populated, PASSWORD, kdf=CHEAP)
    message = str(caught.value)
    assert f"{bits:04o}" in message and "too open" in message
    assert f"chmod 600 {populated}" in message
    assert FileState.of(populated) == before


def test_symlink_is_refused_even_to_a_good_keyfile(populated: Path, tmp_path: Path) -> None:
    link = tmp_path / "link.kdk"
    link.symlink_to(populated)
    with pytest.raises(UnsafePermissions, match="symbolic link"):
        Vault.open(link, PASSWORD, kdf=CHEAP)
    with pytest.raises(KeyfileExists):
        Vault.create(link, PASSWORD, kdf=CHEAP)
    dangling = tmp_path / "dangling.kdk"
    dangling.symlink_to(tmp_path / "nowhere")
    with pytest.raises(KeyfileExists):
        Vault.create(dangling, PASSWORD, kdf=CHEAP)
    assert not (tmp_path / "nowhere").exists()


def test_directory_and_fifo_are_refused(tmp_path: Path) -> None:
    (tmp_path / "dir.kdk").mkdir()
    with pytest.raises(UnsafePermissions, match="directory"):
        Vault.open(tmp_path / "dir.kdk", PASSWORD, kdf=CHEAP)
    os.mkfifo(tmp_path / "pipe.kdk", 0o600)
    with pytest.raises(UnsafePermissions, match="named pipe"):  # and does not hang
        Vault.open(tmp_path / "pipe.kdk", PASSWORD, kdf=CHEAP)


@pytest.mark.skipif(not IS_ROOT, reason="changing a file's owner needs root")
def test_file_owned_by_someone_else_is_refused(populated: Path) -> None:
    os.chown(populated, 4242, -1)
    with pytest.raises(UnsafePermissions, match="belongs to user id 4242"):
        Vault.open(populated, PASSWORD, kdf=CHEAP)


def test_second_opener_in_the_same_process_is_told_it_is_locked(populated: Path) -> None:
    with Vault.open(populated, PASSWORD, kdf=CHEAP):
        with pytest.raises(KeyfileLocked) as caught:
            Vault.open(populated, PASSWORD, kdf=CHEAP)
        assert "Another Keydeck is using this keyfile" in str(caught.value)
        with pytest.raises((KeyfileLocked, KeyfileExists)):
            Vault.create(populated, PASSWORD, kdf=CHEAP)


_CHILD = """
import sys
from tui.vault import KdfParams, KeyfileLocked, Vault
try:
    vault = Vault.open(sys.argv[1], sys.argv[2], kdf=KdfParams.insecure_fast())
except KeyfileLocked as error:
    print("LOCKED:", error)
    sys.exit(3)
print("OPENED", flush=True)
sys.stdin.read()
vault.close()
"""


def run_child(path: Path, **kwargs: object) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(path), PASSWORD],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        **kwargs,  # type: ignore[call-overload]
    )


def test_a_second_process_gets_keyfile_locked(populated: Path) -> None:
    with Vault.open(populated, PASSWORD, kdf=CHEAP):
        child = run_child(populated)
        out, _ = child.communicate(timeout=30)
    assert child.returncode == 3
    assert "Another Keydeck is using this keyfile" in out


def test_a_process_holding_the_keyfile_locks_us_out(populated: Path) -> None:
    child = run_child(populated)
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "OPENED"
        with pytest.raises(KeyfileLocked):
            Vault.open(populated, PASSWORD, kdf=CHEAP)
    finally:
        child.communicate("", timeout=30)
    Vault.open(populated, PASSWORD, kdf=CHEAP).close()


def test_change_on_disk_since_loading_is_never_clobbered(populated: Path) -> None:
    with Vault.open(populated, PASSWORD, kdf=CHEAP) as vault:
        vault.add(another_key(binance_account(), "spot"))
        # Another program puts the backup back in place (a sync tool, a user's cp).
        populated.write_bytes(populated.with_name("keys.kdk.bak").read_bytes())
        theirs = FileState.of(populated)
        with pytest.raises(KeyfileChanged) as caught:
            vault.save()
        assert "changed by another program" in str(caught.value)
        assert FileState.of(populated) == theirs
        assert vault.dirty


def test_deleted_or_symlinked_file_is_not_recreated_behind_the_users_back(
    populated: Path, tmp_path: Path
) -> None:
    with Vault.open(populated, PASSWORD, kdf=CHEAP) as vault:
        populated.rename(tmp_path / "moved.kdk")
        with pytest.raises(KeyfileChanged, match="deleted or moved"):
            vault.save()
        assert not populated.exists()
        populated.symlink_to(tmp_path / "moved.kdk")
        with pytest.raises(KeyfileChanged):
            vault.save()
        assert populated.is_symlink()


def test_a_chmod_alone_is_not_a_change_and_the_save_restores_0600(populated: Path) -> None:
    with Vault.open(populated, PASSWORD, kdf=CHEAP) as vault:
        os.chmod(populated, 0o644)
        vault.save()
    assert mode(populated) == 0o600


def fail_with(number: int) -> Callable[..., None]:
    def failing(*args: object, **kwargs: object) -> None:
        raise OSError(number, os.strerror(number))

    return failing


@pytest.mark.parametrize(
    ("target", "name", "number"),
    [
        (os, "replace", errno.ENOSPC),
        (os, "fsync", errno.EIO),
        (tempfile, "mkstemp", errno.EROFS),
    ],
)
def test_failed_write_keeps_the_original_and_removes_temps(
    populated: Path, monkeypatch: pytest.MonkeyPatch, target: object, name: str, number: int
) -> None:
    before = FileState.of(populated)
    files_before = listing(populated.parent)
    with Vault.open(populated, PASSWORD, kdf=CHEAP) as vault:
        vault.add(another_key(binance_account(), "spot"))
        with monkeypatch.context() as patch:
            patch.setattr(target, name, fail_with(number))
            with pytest.raises(KeyfileWriteError) as caught:
                vault.save()
        assert os.strerror(number) in str(caught.value)
        assert "previous version is intact" in str(caught.value)
        assert FileState.of(populated) == before
        assert listing(populated.parent) == files_before
        assert vault.dirty
        vault.save()  # works once the disk is fine again
    with Vault.open(populated, PASSWORD, kdf=CHEAP) as vault:
        assert vault.get("binance", "spot") is not None


def test_failed_password_change_keeps_the_old_password(
    populated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Vault.open(populated, PASSWORD, kdf=CHEAP) as vault:
        with monkeypatch.context() as patch:
            patch.setattr(os, "replace", fail_with(errno.ENOSPC))
            with pytest.raises(KeyfileWriteError):
                vault.change_password(PASSWORD, "new password", kdf=CHEAP)
        assert vault.check_password(PASSWORD)
        vault.save()
    Vault.open(populated, PASSWORD, kdf=CHEAP).close()


def test_stale_temp_files_are_cleaned_under_the_lock(populated: Path) -> None:
    directory = populated.parent
    stale = [directory / ".keys.kdk.x1y2z3.tmp", directory / ".keys.kdk.abcdef.tmp"]
    for temp in stale:
        temp.write_bytes(b"half a keyfile")
    unrelated = [directory / "notes.txt", directory / ".other.kdk.abc.tmp"]
    for path in unrelated:
        path.write_text("mine")
    Vault.open(populated, PASSWORD, kdf=CHEAP).close()
    assert not any(p.exists() for p in stale)
    assert all(p.exists() for p in unrelated)


def test_backup_holds_the_previous_version(keyfile: Path) -> None:
    with Vault.create(keyfile, PASSWORD, kdf=CHEAP) as vault:
        vault.add(binance_account())
        vault.save()
        vault.add(okx_account())
        vault.save()
        backup = vault.backup_path
    assert [a.exchange for a in unlock(backup.read_bytes(), PASSWORD).accounts] == ["binance"]
    with Vault.open(keyfile, PASSWORD, kdf=CHEAP) as vault:
        assert vault.remove_backup() and not backup.exists()
        assert not vault.remove_backup()


def test_unreadable_file_is_never_overwritten_and_can_be_moved_aside(populated: Path) -> None:
    damaged = bytearray(populated.read_bytes())
    damaged[100] ^= 0x01
    populated.write_bytes(bytes(damaged))
    before = FileState.of(populated)
    with pytest.raises(KeyfileCorrupt) as caught:
        Vault.open(populated, PASSWORD, kdf=CHEAP)
    assert "keys.kdk.bak" in str(caught.value) and "will not be changed" in str(caught.value)
    with pytest.raises(KeyfileExists):
        Vault.create(populated, PASSWORD, kdf=CHEAP)
    assert FileState.of(populated) == before
    aside = move_aside(populated)
    assert aside.read_bytes() == bytes(damaged) and not populated.exists()
    assert aside.name.startswith("keys.kdk.unreadable-")
    Vault.create(populated, PASSWORD, kdf=CHEAP).close()
    assert move_aside(populated) != aside
