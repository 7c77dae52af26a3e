"""Advice for a keyfile Keydeck cannot write beside: it follows the real cause and never
tells the user to discard an intact keyfile; a failed save names the action to repeat."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.app import PASSWORD, make_keyfile
from tui.base.paths import Locations
from tui.ui.screens.keyfile_problem import (
    StorageCause,
    explain_keyfile_error,
    explain_save_failure,
    storage_cause,
)
from tui.vault import KeyfileWriteError, VaultError

ROOT = Path(__file__).resolve().parents[2]

_OPEN_ON_READ_ONLY_MOUNT = """
import sys
from pathlib import Path
from tui.ui.screens.keyfile_problem import explain_keyfile_error
from tui.vault import KdfParams, Vault, VaultError
keyfile = Path(sys.argv[1])
try:
    Vault.open(keyfile, sys.argv[2], kdf=KdfParams.insecure_fast())
except VaultError as error:
    trouble = explain_keyfile_error(error, keyfile)
    print("TITLE", trouble.title)
    print("WHAT", trouble.what.replace(chr(10), " "))
    print("FIX", trouble.fix.replace(chr(10), " "))
"""


def test_a_read_only_config_folder_gets_read_only_advice(tmp_path: Path) -> None:
    import shutil

    if shutil.which("unshare") is None or shutil.which("mount") is None:
        pytest.skip("unshare or mount not available")
    is_root = os.geteuid() == 0
    command = ["unshare", "--mount", "--propagation", "private"]
    command += [] if is_root else ["--map-root-user"]
    locations = Locations.resolve(tmp_path / "mounted")
    make_keyfile(locations)
    folder = locations.keyfile.parent
    script = " && ".join(
        [
            'mount --bind "$1" "$1"',
            'mount -o remount,bind,ro "$1"',
            'exec "$2" -c "$3" "$1/keys.kdk" "$4"',
        ]
    )
    arguments = [str(folder), sys.executable, _OPEN_ON_READ_ONLY_MOUNT, PASSWORD]
    result = subprocess.run(
        [*command, "sh", "-c", script, "sh", *arguments],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=60,
        check=False,
    )
    if "mount" in result.stderr and result.returncode != 0 and not result.stdout:
        pytest.skip(f"cannot make a read-only mount here: {result.stderr.strip()[:200]}")
    assert result.returncode == 0, result.stderr
    lines = dict(line.split(" ", 1) for line in result.stdout.splitlines())
    assert "read-only file system" in lines["WHAT"]
    assert "not damaged" in lines["WHAT"] and "keydeck check" in lines["WHAT"]
    assert "mv " not in lines["FIX"] and "aside" not in lines["FIX"]
    assert "--config-dir" in lines["FIX"] and lines["FIX"].endswith("Try again.")


def test_the_cause_comes_from_the_error_number_when_there_is_one(tmp_path: Path) -> None:
    full = OSError(errno.ENOSPC, "No space left on device")
    assert storage_cause(full, tmp_path) is StorageCause.full
    assert storage_cause(OSError(errno.EROFS, "ro"), tmp_path) is StorageCause.read_only
    assert storage_cause(PermissionError(errno.EACCES, "no"), tmp_path) is (
        StorageCause.no_permission
    )
    assert storage_cause(VaultError("lock failed"), tmp_path) is None  # a writable folder


def test_an_unknown_open_failure_never_suggests_moving_the_keyfile_aside(tmp_path: Path) -> None:
    keyfile = tmp_path / "keys.kdk"
    for error in (VaultError("Cannot lock the keyfile: odd"), RuntimeError("odd")):
        fix = explain_keyfile_error(error, keyfile).fix
        assert "mv " not in fix and "aside" not in fix and "Try again" in fix


def test_a_failed_save_names_the_action_to_repeat(tmp_path: Path) -> None:
    disk_full = OSError(errno.ENOSPC, "No space left on device")
    text = explain_save_failure(disk_full, tmp_path, "choose Verify and save again")
    assert isinstance(text, str)
    assert "full" in text and "unchanged" in text
    assert text.endswith("Then choose Verify and save again.")
    assert "save again." not in text.replace("Verify and save again.", "")
    # the vault's own words ("then save again") are replaced, whatever the cause
    written = KeyfileWriteError("Input/output error", path=tmp_path / "keys.kdk")
    text = explain_save_failure(written, tmp_path, "remove the account again")
    assert isinstance(text, str) and text.endswith("Then remove the account again.")
    assert "then save again" not in text
    # a refusal that is not about writing is passed on as it is
    refusal = ValueError("duplicate")
    assert explain_save_failure(refusal, tmp_path, "x") is refusal
