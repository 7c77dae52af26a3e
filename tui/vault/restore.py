"""Put the backup Keydeck keeps beside the keyfile (`keys.kdk.bak`) in place of a damaged one.

Nothing is lost on the way: the backup is checked first (it must open with the password
given), the damaged keyfile is moved aside (`keys.kdk.unreadable-<time>`, never deleted),
the backup is copied (it stays where it is), and the restored file is opened once more with
`accept_rollback`, so this machine records that an older keyfile was put back on purpose.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tui.vault import files, saving
from tui.vault.errors import VaultError


class NoBackup(VaultError):
    """There is no backup beside the keyfile to restore."""

    def message(self) -> str:
        return f"There is no backup beside {self.where}: nothing to restore."


def backup_of(keyfile: Path) -> Path | None:
    """The backup beside `keyfile`, if there is one."""
    backup = files.backup_path(keyfile)
    return backup if backup.is_file() else None


def restore_backup(
    keyfile: Path, password: Any, *, state_dir: Path | None = None, **vault_options: Any
) -> Path:
    """Replace a damaged `keyfile` with its backup; returns where the damaged file was put.

    Raises `WrongPassword` (or another `VaultError`) when the backup does not open: then
    nothing has changed. Blocking (two key derivations): call it from a thread.
    """
    from tui.vault.vault import Vault

    backup = backup_of(keyfile)
    if backup is None:
        raise NoBackup(path=keyfile)
    with Vault.open(backup, password, read_only=True, **vault_options):
        pass  # it opens: the password is right and the backup whole
    data = backup.read_bytes()
    lock = files.KeyfileLock(keyfile)
    lock.acquire()
    try:
        aside = saving.move_aside(keyfile) if keyfile.exists() else keyfile
        saving.write_atomic(keyfile, data)
    finally:
        lock.release()
    # Opened (not read-only) once, so the lower generation is recorded as accepted here.
    with Vault.open(keyfile, password, state_dir=state_dir, accept_rollback=True, **vault_options):
        pass
    return aside
