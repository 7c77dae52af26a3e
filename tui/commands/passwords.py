"""Where the command line's passwords come from: never argv.

Keydeck's own password: `--password-stdin` (the first line of stdin), `KEYDECK_PASSWORD`, or
a terminal prompt. A source's password (Hummingbot's, another keyfile's):
`KEYDECK_IMPORT_PASSWORD` or a prompt. A backup's new password: `KEYDECK_BACKUP_PASSWORD` or a
prompt. Stdin and the environment are read as bytes and decoded as strict UTF-8 whatever the
locale; bytes that are not UTF-8 raise `PasswordNotUtf8`, whose message shows no byte.
A new password (a keyfile an import creates, a backup's) must pass the first-run screen's
strength rule (`tui.vault.password.weak_password`).
"""

from __future__ import annotations

import getpass
import os
import sys
from typing import TextIO

from tui.base.redact import Secret
from tui.vault.errors import PasswordNotUtf8

PASSWORD_ENV = "KEYDECK_PASSWORD"  # noqa: S105 - the variable's name
IMPORT_PASSWORD_ENV = "KEYDECK_IMPORT_PASSWORD"  # noqa: S105 - the variable's name
BACKUP_PASSWORD_ENV = "KEYDECK_BACKUP_PASSWORD"  # noqa: S105 - the variable's name


class PasswordUnavailable(Exception):
    """No password, or not one that may be used: the message says how to give one."""


def can_prompt(stream: TextIO | None = None) -> bool:
    stream = stream if stream is not None else sys.stdin
    return stream is not None and stream.isatty()


def prompt(text: str) -> str:
    """A hidden prompt on the terminal. ctrl+c ends the prompt's line before it leaves, so
    the shell's next prompt does not start after ours; bytes that are not UTF-8 raise
    `PasswordNotUtf8` (no exception holding them is chained)."""
    try:
        return getpass.getpass(f"{text}: ")
    except KeyboardInterrupt:
        _newline()
        raise
    except UnicodeDecodeError:
        pass
    raise PasswordNotUtf8()


def _newline() -> None:
    try:
        stream = sys.stderr
        if stream is not None:
            stream.write("\n")
            stream.flush()
    except (OSError, ValueError):
        pass


def read_password(
    password_stdin: bool, stdin: TextIO | None = None, *, unbuffered: bool = False
) -> str:
    """Keydeck's password from stdin (first line), the environment, or a terminal prompt.

    `unbuffered`: read stdin's first line byte by byte from descriptor 0, so a command run
    after us (`keydeck exec`) still gets the rest.
    """
    stream = stdin if stdin is not None else sys.stdin
    if password_stdin:
        line = _unbuffered_line() if unbuffered and stdin is None else _first_line(stream)
        password = line.removesuffix("\n").removesuffix("\r")
        if not password:
            raise PasswordUnavailable("--password-stdin was given but stdin held no password.")
        return password
    from_env = environment_value(PASSWORD_ENV)
    if from_env:
        return from_env
    if can_prompt(stream):
        return prompt("Keydeck password")
    raise PasswordUnavailable(
        f"No password: set {PASSWORD_ENV} or pipe it with --password-stdin "
        "(it is never taken from the command line)."
    )


def password_is_prompted(password_stdin: bool) -> bool:
    """True when `read_password` would prompt (so a new password should be asked twice)."""
    return not password_stdin and not environment_value(PASSWORD_ENV) and can_prompt()


def _first_line(stream: TextIO | None) -> str:
    if stream is None:
        return ""
    raw = getattr(stream, "buffer", None)
    return stream.readline() if raw is None else utf8(raw.readline())


def _unbuffered_line() -> str:
    data = bytearray()
    while (byte := os.read(0, 1)) not in (b"", b"\n"):
        data += byte
    return utf8(bytes(data))


def environment_value(name: str) -> str | None:
    """An environment variable as strict UTF-8 (POSIX: from the bytes as given)."""
    environb = getattr(os, "environb", None)
    if environb is None:
        return os.environ.get(name)
    value = environb.get(name.encode())
    return None if value is None else utf8(value)


def utf8(data: bytes) -> str:
    """Strict UTF-8, checked without an exception that would hold the password's bytes."""
    text = data.decode("utf-8", "surrogateescape")
    if any("\udc80" <= char <= "\udcff" for char in text):
        raise PasswordNotUtf8()
    return text


def source_password(prompt_text: str) -> str:
    """A source's own password: KEYDECK_IMPORT_PASSWORD, else a terminal prompt."""
    password = environment_value(IMPORT_PASSWORD_ENV)
    if not password and can_prompt():
        password = prompt(prompt_text)
    if password:
        Secret(password)  # registered: scrubbed from the log like every secret
        return password
    raise PasswordUnavailable(
        f"{prompt_text} needed: set {IMPORT_PASSWORD_ENV} (it is never taken from the command "
        "line)."
    )


def check_strength(password: str | Secret, where: str) -> None:
    """PasswordUnavailable when `password` is too easy to guess to protect `where` (the
    first-run screen's rule, so the command line cannot do what the app refuses)."""
    from tui.vault.password import weak_password

    problem = weak_password(password)
    if problem is not None:
        raise PasswordUnavailable(f"{problem} It would protect {where}: choose a stronger one.")


def confirmed_prompt(text: str, where: str) -> str:
    """Ask twice on the terminal; PasswordUnavailable when empty, too weak or different."""
    first = prompt(text)
    if not first:
        raise PasswordUnavailable("The password is empty; nothing was written.")
    check_strength(first, where)
    if prompt("The same password again") != first:
        raise PasswordUnavailable("The two passwords differ; nothing was written.")
    return first
