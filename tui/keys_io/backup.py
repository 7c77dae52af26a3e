"""`keydeck backup FILE`: an encrypted copy of the keyfile, for moving to another machine.

The keyfile is opened read-only (it works while the app is open). The copy is a new keyfile
holding the same accounts, under the keyfile's password or a new one (KEYDECK_BACKUP_PASSWORD
or a prompt). It never overwrites a file. Restore with `keydeck import keydeck FILE`.
Exit codes: 0 written, 3 the keyfile could not be opened or the copy not written.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TextIO

from tui.paths import Locations

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_FAILED = 3


def _backup_password(keyfile_password: str) -> tuple[str, bool]:
    """(password, is_new): KEYDECK_BACKUP_PASSWORD, a prompt (Enter keeps the keyfile's),
    or the keyfile's password when there is no terminal."""
    import getpass

    from tui.check import PasswordUnavailable
    from tui.keys_io.passwords import BACKUP_PASSWORD_ENV, can_prompt

    from_env = os.environ.get(BACKUP_PASSWORD_ENV)
    if from_env:
        return from_env, from_env != keyfile_password
    if not can_prompt():
        return keyfile_password, False
    first = getpass.getpass("Password for the backup (Enter keeps the keyfile's password): ")
    if not first:
        return keyfile_password, False
    if getpass.getpass("The same password again: ") != first:
        raise PasswordUnavailable("The two passwords differ; nothing was written.")
    return first, first != keyfile_password


def run_backup(
    locations: Locations,
    target: Path,
    *,
    password_stdin: bool = False,
    out: TextIO | None = None,
    err: TextIO | None = None,
    log_to_file: bool = True,
    vault_options: Mapping[str, Any] | None = None,
) -> int:
    out = out if out is not None else sys.stdout
    err = err if err is not None else sys.stderr
    from tui.check import PasswordUnavailable, read_password
    from tui.logs import setup_logging
    from tui.vault import Vault, VaultError

    with contextlib.suppress(OSError):
        if log_to_file:
            setup_logging(locations.log_file)
    target = target.expanduser().absolute()
    if target.exists() or target.is_symlink():
        print(
            f"keydeck backup: {target} exists; Keydeck never overwrites a file. "
            "Choose another name.",
            file=err,
        )
        return EXIT_FAILED
    try:
        password = read_password(password_stdin)
        source = Vault.open(
            locations.keyfile, password, read_only=True, state_dir=locations.state_dir
        )
    except (PasswordUnavailable, VaultError) as error:
        print(f"keydeck backup: {error}", file=err)
        return EXIT_FAILED
    except KeyboardInterrupt:
        return 130
    try:
        with source:
            backup_password, is_new = _backup_password(password)
            count = _write_copy(source, target, backup_password, vault_options or {})
    except (PasswordUnavailable, VaultError) as error:
        print(f"keydeck backup: {error}", file=err)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("keydeck backup: interrupted; no backup was written", file=err)
        return 130
    which = "a new password" if is_new else "the keyfile's password"
    print(f"Backup of {count} key(s) written to {target}, encrypted with {which}.", file=out)
    print(f"Restore it on another machine with: keydeck import keydeck {target}", file=out)
    log.info("wrote a backup of %d account(s) to %s", count, target)
    return EXIT_OK


def _write_copy(source: Any, target: Path, password: str, options: Mapping[str, Any]) -> int:
    """A new keyfile at `target` with every account of `source`; removed again on failure."""
    from tui.keys_io.commit import add_all
    from tui.vault import Vault
    from tui.vault.files import lock_path

    accounts = list(source.accounts)
    try:
        with Vault.create(target, password, **options) as copy:
            add_all(copy, accounts, created_now=True)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(lock_path(target))  # the copy is a plain file to carry away
    return len(accounts)
