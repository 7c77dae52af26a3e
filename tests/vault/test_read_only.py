"""Read-only opens: no lock, nothing written, every write refused, reload; real processes."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import threading
import time
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
    KeyfileCorrupt,
    KeyfileLocked,
    KeyfileReadOnly,
    KeyfileRekeyed,
    KeyfileRolledBack,
    Vault,
    VaultError,
)

IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
ROOT = Path(__file__).resolve().parents[2]


def listing(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


def python(code: str, *args: object) -> list[str]:
    return [sys.executable, "-c", textwrap.dedent(code), *map(str, args)]


def child_env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


_HOLDER = """
import sys
from tui.vault import KdfParams, Vault
vault = Vault.open(sys.argv[1], sys.argv[2], kdf=KdfParams.insecure_fast())
print("OPENED", flush=True)
sys.stdin.read()
vault.close()
"""


@pytest.fixture
def holder(populated: Path) -> Iterator[subprocess.Popen[str]]:
    """A second process that holds the keyfile open for writing (the write lock)."""
    child = subprocess.Popen(
        python(_HOLDER, populated, PASSWORD),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=child_env(),
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "OPENED"
        yield child
    finally:
        child.communicate("", timeout=30)


def test_read_only_open_succeeds_while_another_process_holds_the_write_lock(
    populated: Path, holder: subprocess.Popen[str]
) -> None:
    with pytest.raises(KeyfileLocked):  # writers still exclude each other
        Vault.open(populated, PASSWORD, kdf=CHEAP)
    before = FileState.of(populated)
    with Vault.open(populated, PASSWORD, read_only=True) as vault:
        assert vault.read_only
        assert [a.label for a in vault.accounts] == ["main", "bot"]
        assert vault.get("okx").ccxt_config()["password"] == okx_account().ccxt_config()["password"]  # type: ignore[union-attr]
        assert "read-only" in repr(vault)
    Vault.inspect(populated, read_only=True)
    assert FileState.of(populated) == before
    assert holder.poll() is None  # the writer still has it


def test_a_read_only_vault_does_not_keep_writers_out(populated: Path) -> None:
    with Vault.open(populated, PASSWORD, read_only=True) as reader:
        with Vault.open(populated, PASSWORD, kdf=CHEAP) as writer:
            writer.add(another_key(binance_account(), "spot"))
            writer.save()
        assert len(reader.accounts) == 2  # a snapshot, until reloaded


def refused_writes(vault: Vault) -> dict[str, Callable[[], object]]:
    stored = vault.accounts[0]
    return {
        "add": lambda: vault.add(another_key(binance_account(), "spot")),
        "update": lambda: vault.update(stored.replace(notes={"n": "1"})),
        "remove": lambda: vault.remove(stored.id),
        "save": vault.save,
        "change_password": lambda: vault.change_password(PASSWORD, "new pw", kdf=CHEAP),
        "remove_backup": vault.remove_backup,
    }


def test_every_write_is_refused_and_the_files_stay_byte_identical(populated: Path) -> None:
    directory = populated.parent
    before = {name: FileState.of(directory / name) for name in listing(directory)}
    with Vault.open(populated, PASSWORD, read_only=True) as vault:
        for name, write in refused_writes(vault).items():
            with pytest.raises(KeyfileReadOnly) as caught:
                write()
            message = str(caught.value)
            assert "opened read-only (keydeck check/watch)" in message, name
            assert str(populated) in message
            assert not vault.dirty
        assert vault.check_password(PASSWORD)  # reading is fine
        assert len(vault.accounts) == 2
    assert {name: FileState.of(directory / name) for name in listing(directory)} == before


def test_read_only_open_neither_upgrades_nor_cleans_nor_locks(
    populated: Path, tmp_path: Path
) -> None:
    """A weak KDF would be re-keyed and a stale temp removed by a normal open: not here."""
    copy_dir = tmp_path / "copy"
    copy_dir.mkdir()
    copy = copy_dir / "keys.kdk"
    shutil.copy2(populated, copy)
    stale = copy_dir / ".keys.kdk.abcd1234.tmp"
    stale.write_bytes(b"left by a killed save")
    before = listing(copy_dir)
    state = FileState.of(copy)
    Vault.inspect(copy, read_only=True)
    with Vault.open(copy, PASSWORD, read_only=True) as vault:  # kdf default: stronger
        assert vault.kdf == CHEAP
    assert listing(copy_dir) == before  # no lock file, no backup, temp still there
    assert FileState.of(copy) == state
    Vault.inspect(copy)  # the writable inspection creates the lock file (as before)
    assert "keys.kdk.lock" in listing(copy_dir)


@pytest.mark.skipif(IS_ROOT, reason="root ignores directory modes; see the mount test")
def test_a_copy_in_a_directory_made_read_only_with_chmod(populated: Path, tmp_path: Path) -> None:
    directory = tmp_path / "readonly"
    directory.mkdir()
    shutil.copy2(populated, directory / "keys.kdk")
    os.chmod(directory, 0o500)
    try:
        with pytest.raises(VaultError, match="Check that you can write"):
            Vault.open(directory / "keys.kdk", PASSWORD, kdf=CHEAP)  # needs the lock file
        Vault.inspect(directory / "keys.kdk", read_only=True)
        with Vault.open(directory / "keys.kdk", PASSWORD, read_only=True) as vault:
            assert len(vault.accounts) == 2
        assert listing(directory) == ["keys.kdk"]
    finally:
        os.chmod(directory, 0o700)


_ON_READ_ONLY_MOUNT = """
import sys
from tui.vault import KdfParams, Vault, VaultError
path, password = sys.argv[1], sys.argv[2]
try:
    Vault.open(path, password, kdf=KdfParams.insecure_fast())
    print("WRITABLE-OPEN-SUCCEEDED")
except VaultError as error:
    print("WRITABLE-OPEN-REFUSED:", type(error).__name__)
Vault.inspect(path, read_only=True)
with Vault.open(path, password, read_only=True, state_dir=sys.argv[3]) as vault:
    print("READ-ONLY-OPENED", len(vault.accounts), vault.changed_on_disk(), vault.reload())
"""


def unshare_command() -> list[str] | None:
    if shutil.which("unshare") is None or shutil.which("mount") is None:
        return None
    base = ["unshare", "--mount", "--propagation", "private"]
    return base if IS_ROOT else [*base, "--map-root-user"]


def test_a_copy_on_a_read_only_filesystem(populated: Path, tmp_path: Path) -> None:
    """A read-only bind mount in a private mount namespace (works as root, unlike chmod)."""
    command = unshare_command()
    if command is None:
        pytest.skip("unshare or mount not available")
    directory = tmp_path / "mounted"
    directory.mkdir()
    shutil.copy2(populated, directory / "keys.kdk")
    state_dir = directory / "state"  # on the read-only mount too
    script = " && ".join(
        [
            'mount --bind "$1" "$1"',
            'mount -o remount,bind,ro "$1"',
            'exec "$2" -c "$3" "$1/keys.kdk" "$4" "$5"',
        ]
    )
    result = subprocess.run(
        [
            *command,
            "sh",
            "-c",
            script,
            "sh",
            str(directory),
            sys.executable,
            _ON_READ_ONLY_MOUNT,
            PASSWORD,
            str(state_dir),
        ],
        capture_output=True,
        text=True,
        env=child_env(),
        timeout=60,
        check=False,
    )
    if "mount" in result.stderr and result.returncode != 0 and not result.stdout:
        pytest.skip(f"cannot make a read-only mount here: {result.stderr.strip()[:200]}")
    assert result.returncode == 0, result.stderr
    assert "WRITABLE-OPEN-REFUSED: VaultError" in result.stdout  # the mount really is read-only
    assert "READ-ONLY-OPENED 2 False False" in result.stdout
    assert listing(directory) == ["keys.kdk"]


def test_reload_sees_accounts_saved_by_a_writer(populated: Path) -> None:
    with Vault.open(populated, PASSWORD, read_only=True) as reader:
        assert not reader.changed_on_disk()
        assert reader.reload() is False
        os.utime(populated, ns=(1, 1))  # touched: a change on disk, the same content
        assert reader.changed_on_disk()
        assert reader.reload() is False
        assert not reader.changed_on_disk()
        with Vault.open(populated, PASSWORD, kdf=CHEAP) as writer:
            writer.add(another_key(binance_account(), "spot"))
            writer.save()
        assert reader.changed_on_disk()
        assert reader.reload() is True
        assert [a.label for a in reader.accounts] == ["main", "bot", "spot"]
        assert reader.generation == 3
        assert not reader.changed_on_disk()
        assert reader.reload() is False


def test_reload_after_a_password_change_asks_for_the_password_again(populated: Path) -> None:
    with Vault.open(populated, PASSWORD, read_only=True) as reader:
        with Vault.open(populated, PASSWORD, kdf=CHEAP) as writer:
            writer.change_password(PASSWORD, "a new password", kdf=CHEAP)
        with pytest.raises(KeyfileRekeyed, match="Open it again with its current password"):
            reader.reload()
        assert len(reader.accounts) == 2  # still the version it had


def test_reload_refuses_a_rollback_unless_accepted(populated: Path) -> None:
    with Vault.open(populated, PASSWORD, read_only=True) as reader:
        assert reader.generation == 2
        populated.write_bytes(populated.with_name("keys.kdk.bak").read_bytes())  # generation 1
        with pytest.raises(KeyfileRolledBack) as caught:
            reader.reload()
        assert (caught.value.found, caught.value.seen) == (1, 2)
        assert reader.generation == 2
        assert reader.reload(accept_rollback=True) is True
        assert reader.generation == 1 and reader.accounts == ()


def test_reload_of_a_writable_vault_needs_no_unsaved_changes(populated: Path) -> None:
    with Vault.open(populated, PASSWORD, kdf=CHEAP) as vault:
        assert vault.reload() is False
        vault.add(another_key(binance_account(), "spot"))
        with pytest.raises(ValueError, match="unsaved changes"):
            vault.reload()


_SAVER = """
import sys
from tui.vault import KdfParams, Vault
count = int(sys.argv[3])
with Vault.open(sys.argv[1], sys.argv[2], kdf=KdfParams.insecure_fast()) as vault:
    print("READY", flush=True)
    for _ in range(count):
        # The content names the generation it is saved as: a reader can check it is whole.
        for account in vault.accounts:
            vault.update(account.replace(notes={"saved_as": str(vault.generation + 1)}))
        vault.save()
print("DONE", flush=True)
"""


def assert_whole(vault: Vault) -> None:
    for account in vault.accounts:
        assert account.notes.get("saved_as", "2") == str(vault.generation), account


def test_reads_during_a_stream_of_saves_always_give_a_whole_version(populated: Path) -> None:
    saves = 300
    writer = subprocess.Popen(
        python(_SAVER, populated, PASSWORD, saves),
        stdout=subprocess.PIPE,
        text=True,
        env=child_env(),
    )
    generations: set[int] = set()
    reloads = 0
    try:
        assert writer.stdout is not None
        assert writer.stdout.readline().strip() == "READY"
        with Vault.open(populated, PASSWORD, read_only=True) as watcher:
            while writer.poll() is None:
                try:
                    with Vault.open(populated, PASSWORD, read_only=True) as vault:
                        assert_whole(vault)
                        generations.add(vault.generation)
                    if watcher.changed_on_disk():
                        reloads += watcher.reload()
                        assert_whole(watcher)
                except KeyfileCorrupt as error:  # pragma: no cover (the failure looked for)
                    pytest.fail(f"read a partial keyfile: {error}")
    finally:
        out, _ = writer.communicate(timeout=120)
    assert writer.returncode == 0 and "DONE" in out
    assert len(generations) >= 5, generations  # the reads really overlapped the saves
    assert reloads >= 5
    with Vault.open(populated, PASSWORD, read_only=True) as vault:
        assert vault.generation == 2 + saves
        assert_whole(vault)


def replace_later(path: Path, data: bytes, delay_s: float) -> threading.Thread:
    def put_back() -> None:
        time.sleep(delay_s)
        temp = path.with_name(".incoming")
        temp.write_bytes(data)
        os.chmod(temp, 0o600)
        os.replace(temp, path)

    thread = threading.Thread(target=put_back)
    thread.start()
    return thread


@pytest.mark.parametrize("state", ["missing", "truncated"])
def test_a_read_meeting_a_save_in_flight_waits_and_reads_again(populated: Path, state: str) -> None:
    whole = populated.read_bytes()
    if state == "missing":
        populated.unlink()
    else:
        populated.write_bytes(whole[:-40])
    thread = replace_later(populated, whole, 0.05)
    try:
        with Vault.open(populated, PASSWORD, read_only=True) as vault:
            assert len(vault.accounts) == 2
    finally:
        thread.join()


def test_lasting_damage_is_still_reported_after_the_retries(populated: Path) -> None:
    populated.write_bytes(populated.read_bytes()[:-40])
    started = time.monotonic()
    with pytest.raises(KeyfileCorrupt, match="checksum"):
        Vault.open(populated, PASSWORD, read_only=True)
    assert 0.3 <= time.monotonic() - started < 3
