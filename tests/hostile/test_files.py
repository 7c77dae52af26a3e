"""Files: a hard-linked keyfile and a keyfile in a directory others can write are refused
with the fix; a symlinked config dir pointing at a shared directory is refused; the cache
is private; a directory or FIFO at the history's path is a clear problem, never a hang or
a traceback."""

from __future__ import annotations

import argparse
import io
import os
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.watch.helpers import PASSWORD, make_keyfile
from tests.watch.test_events import report
from tui.commands.history import run as run_history
from tui.history import History, history_path
from tui.paths import Locations, ensure_private_dir
from tui.vault import Account, UnsafePermissions, Vault

ACCOUNT = Account(exchange="binance", label="main", credentials={"apiKey": "k", "secret": "s"})


def _keyfile(tmp_path: Path) -> Path:
    make_keyfile(tmp_path / "config", [ACCOUNT])
    return tmp_path / "config" / "keys.kdk"


def test_a_hard_linked_keyfile_is_refused(tmp_path: Path) -> None:
    keyfile = _keyfile(tmp_path)
    os.link(keyfile, tmp_path / "config" / "copy.kdk")
    with pytest.raises(UnsafePermissions) as caught:
        Vault.open(keyfile, PASSWORD, read_only=True)
    assert "2 hard links" in str(caught.value) and "samefile" in str(caught.value)
    os.unlink(tmp_path / "config" / "copy.kdk")
    Vault.open(keyfile, PASSWORD, read_only=True).close()


@pytest.mark.parametrize("mode", [0o770, 0o707, 0o777, 0o1777])
def test_a_keyfile_in_a_directory_others_can_write_is_refused(tmp_path: Path, mode: int) -> None:
    keyfile = _keyfile(tmp_path)
    os.chmod(keyfile.parent, mode)
    try:
        with pytest.raises(UnsafePermissions) as caught:
            Vault.open(keyfile, PASSWORD, read_only=True)
    finally:
        os.chmod(keyfile.parent, 0o700)
    assert "can be written by other users" in str(caught.value)
    assert f"chmod 700 {keyfile.parent}" in str(caught.value)


def test_a_config_dir_symlinked_to_a_shared_directory_is_refused(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o777)  # noqa: S103 - the shared directory under test
    link = tmp_path / "config-link"
    link.symlink_to(shared)
    with pytest.raises(PermissionError, match="other users can write"):
        ensure_private_dir(link)
    assert shared.stat().st_mode & 0o777 == 0o777  # never chmod-ed behind the user's back


def test_the_cache_dirs_are_private(tmp_path: Path) -> None:
    from tui.connect.catalog import forget_catalog, load_catalog

    cache = tmp_path / "cache"
    forget_catalog()  # another test in this worker may have loaded it: build and write it here
    load_catalog(cache)
    assert cache.stat().st_mode & 0o777 == 0o700


@pytest.mark.parametrize("kind", ["directory", "fifo"])
def test_something_else_at_the_history_path(tmp_path: Path, kind: str) -> None:
    keyfile = _keyfile(tmp_path)
    path = history_path(keyfile)
    if kind == "directory":
        path.mkdir()
    else:
        os.mkfifo(path)  # nobody writes: a blocking open would wait forever
    done = threading.Event()
    outcome: dict[str, object] = {}

    def work() -> None:
        with Vault.open(keyfile, PASSWORD, read_only=True) as vault:
            history = History.for_vault(vault, write_every_s=0)
            outcome["points"] = history.points()
            outcome["read"] = history.problem
            history.record([report("a1")], now=datetime.now(UTC))
            outcome["write"] = history.problem
            history.close()
        done.set()

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    assert done.wait(60), "the history hung on what sits at its path"
    assert outcome["points"] == []
    assert "move it away" in str(outcome["read"]) and "move it away" in str(outcome["write"])
    assert path.is_dir() if kind == "directory" else path.is_fifo()  # left where it was
    os.environ["KEYDECK_PASSWORD"] = PASSWORD
    try:
        out, err = io.StringIO(), io.StringIO()
        args = argparse.Namespace(since=None, csv=True, password_stdin=False)
        code = run_history(args, Locations.resolve(keyfile.parent), out=out, err=err)
    finally:
        del os.environ["KEYDECK_PASSWORD"]
    assert code == 3 and "move it away" in err.getvalue()


def test_a_rolled_back_history_is_detected(tmp_path: Path) -> None:
    keyfile = _keyfile(tmp_path)
    state = tmp_path / "config" / "state"
    path = history_path(keyfile)
    with Vault.open(keyfile, PASSWORD, read_only=True, state_dir=state) as vault:
        history = History.for_vault(vault, write_every_s=0)
        history.record([report("a1", usd="100")], now=datetime(2026, 1, 1, tzinfo=UTC))
        old = path.read_bytes()
        history.record([report("a1", usd="5")], now=datetime(2026, 1, 2, tzinfo=UTC))
        history.close()
        path.write_bytes(old)  # an old copy put back (a backup, a sync conflict...)
        again = History.for_vault(vault, write_every_s=0)
        assert again.points() == []
        assert "older copy" in str(again.problem)
        again.close()
        # Without a record of what was seen (another machine), the copy reads as it is.
        plain = History(path, _key(vault))
        assert len(plain.points()) == 1
        plain.close()


def _key(vault: Vault) -> bytes:
    key = vault.derive_subkey(b"history")
    try:
        return bytes(key)
    finally:
        key.wipe()
