"""`keydeck backup FILE`: an encrypted copy of the keyfile, for moving to another machine.

The keyfile is opened read-only (it works while the app is open). The copy is a new keyfile
holding the same accounts, under the keyfile's password or a new one (KEYDECK_BACKUP_PASSWORD
or a prompt, held to the first-run screen's strength rule). It never overwrites a file.
Restore with `keydeck import keydeck FILE`. Exit codes: 0 written, 3 the keyfile could not be
opened or the copy not written (a new password too easy to guess included), 130 interrupted.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from tui.commands.preamble import Context, Failed, Spec, add_password_option, run_command

if TYPE_CHECKING:
    from tui.base.paths import Locations
    from tui.base.redact import Secret

EXIT_OK = 0
EXIT_FAILED = 3
SPEC = Spec("backup", keyfile_exit=EXIT_FAILED, failure_exit=EXIT_FAILED, writes=True)


def add_parser(sub: Any) -> argparse.ArgumentParser:
    backup = sub.add_parser(
        "backup",
        help="write an encrypted copy of the keyfile (restore: keydeck import keydeck FILE)",
        description="Write an encrypted copy of the keyfile to FILE. Keydeck's password comes "
        "from KEYDECK_PASSWORD, --password-stdin or a prompt, never from the command line. The "
        "copy keeps that password unless KEYDECK_BACKUP_PASSWORD (or the prompt) gives a new "
        "one, which must not be too easy to guess. Exit codes: 0 written, 3 not written, "
        "130 interrupted.",
    )
    backup.add_argument("file", type=Path, help="where to write the copy (must not exist)")
    add_password_option(backup)
    return backup


def run(
    args: argparse.Namespace,
    locations: Locations,
    *,
    out: TextIO | None = None,
    err: TextIO | None = None,
    log_to_file: bool = True,
    vault_options: Mapping[str, Any] | None = None,
) -> int:
    def body(context: Context) -> int:
        return _backup(context, args.file, vault_options or {})

    return run_command(SPEC, args, locations, body, out=out, err=err, log_to_file=log_to_file)


def _backup_password(keyfile_password: Secret) -> tuple[Any, bool]:
    """(password, is_new): KEYDECK_BACKUP_PASSWORD, a prompt (Enter keeps the keyfile's),
    or the keyfile's password when there is no terminal. A new one must be strong enough."""
    from tui.base.redact import Secret
    from tui.commands.passwords import (
        BACKUP_PASSWORD_ENV,
        PasswordUnavailable,
        can_prompt,
        check_strength,
        environment_value,
        prompt,
    )

    where = "the backup"
    chosen = environment_value(BACKUP_PASSWORD_ENV)
    if not chosen and can_prompt():
        chosen = prompt("Password for the backup (Enter keeps the keyfile's password)")
        if chosen and prompt("The same password again") != chosen:
            raise PasswordUnavailable("The two passwords differ; nothing was written.")
    if not chosen or chosen == keyfile_password.reveal():
        return keyfile_password, False
    check_strength(chosen, where)
    return Secret(chosen), True


def _backup(context: Context, target: Path, options: Mapping[str, Any]) -> int:
    import logging

    target = target.expanduser().absolute()
    if target.exists() or target.is_symlink():
        raise Failed(
            f"{target} exists; Keydeck never overwrites a file. Choose another name.",
            EXIT_FAILED,
        )
    with context.open_vault() as source:
        backup_password, is_new = _backup_password(context.password())
        count = _write_copy(source, target, backup_password, options)
    context.wrote = True
    which = "a new password" if is_new else "the keyfile's password"
    out = context.out
    print(f"Backup of {count} key(s) written to {target}, encrypted with {which}.", file=out)
    print(f"Restore it on another machine with: keydeck import keydeck {target}", file=out)
    logging.getLogger(__name__).info("wrote a backup of %d account(s) to %s", count, target)
    return EXIT_OK


def _write_copy(source: Any, target: Path, password: Any, options: Mapping[str, Any]) -> int:
    """A new keyfile at `target` with every account of `source`; removed again on failure."""
    import contextlib
    import os

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
