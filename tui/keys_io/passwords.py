"""The passwords of import, backup and exec, never from the command line.

Keydeck's own password comes from `tui.check.read_password` (KEYDECK_PASSWORD,
--password-stdin or a prompt). A source's password (Hummingbot's, another keyfile's) comes
from KEYDECK_IMPORT_PASSWORD or a prompt; a backup's new password from
KEYDECK_BACKUP_PASSWORD or a prompt.
"""

from __future__ import annotations

import getpass
import os
import sys

from tui.check import PASSWORD_ENV, PasswordUnavailable

IMPORT_PASSWORD_ENV = "KEYDECK_IMPORT_PASSWORD"  # noqa: S105 - the variable's name
BACKUP_PASSWORD_ENV = "KEYDECK_BACKUP_PASSWORD"  # noqa: S105 - the variable's name
PASSWORD_VARIABLES = (PASSWORD_ENV, IMPORT_PASSWORD_ENV, BACKUP_PASSWORD_ENV)
"""Removed from the environment of every child `keydeck exec` starts."""


def can_prompt() -> bool:
    return sys.stdin is not None and sys.stdin.isatty()


def source_password(prompt: str) -> str:
    """A source's own password: KEYDECK_IMPORT_PASSWORD, else a terminal prompt."""
    from tui import redact

    password = os.environ.get(IMPORT_PASSWORD_ENV)
    if not password and can_prompt():
        password = getpass.getpass(f"{prompt}: ")
    if password:
        redact.register(password)  # scrubbed from the log like every secret
        return password
    raise PasswordUnavailable(
        f"{prompt} needed: set {IMPORT_PASSWORD_ENV} (it is never taken from the command line)."
    )


def confirmed_prompt(prompt: str) -> str:
    """Ask twice on the terminal; PasswordUnavailable when the two differ or are empty."""
    first = getpass.getpass(f"{prompt}: ")
    if not first:
        raise PasswordUnavailable("The password is empty.")
    if getpass.getpass("The same password again: ") != first:
        raise PasswordUnavailable("The two passwords differ; nothing was written.")
    return first


def keydeck_password_is_prompted(password_stdin: bool) -> bool:
    """True when `read_password` would prompt (so a new password should be asked twice)."""
    return not password_stdin and not os.environ.get(PASSWORD_ENV) and can_prompt()
