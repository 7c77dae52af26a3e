"""`keydeck exec ACCOUNT [--as env|freqtrade|ccxt] -- COMMAND [ARGS...]`.

Runs COMMAND with one account's credentials in its environment only (see
`tui.keys_io.child_env`): nothing is written to disk or put in argv, and Keydeck's password
variables are removed. On POSIX Keydeck *replaces itself* with the command (execve): the
command keeps Keydeck's process id, so every signal sent to "keydeck" reaches it, its exit
code is Keydeck's, and no Keydeck process stays behind holding the decrypted keys.

Before that, unless --allow-withdraw, the key is checked once with its exchange; a key that
can withdraw funds is refused. The keyfile is opened read-only, so exec runs while the app is
open. Keydeck's own failures exit 125 (like `env`), a command that cannot be run 126/127.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from tui.paths import Locations

log = logging.getLogger(__name__)

EXIT_KEYDECK = 125
EXIT_NOT_EXECUTABLE = 126
EXIT_NOT_FOUND = 127
REQUEST_TIMEOUT_S = 15.0


class ExecRefused(Exception):
    """Keydeck will not run the command; the message says why."""


def find_account(accounts: Sequence[Any], reference: str) -> Any:
    """`exchange` (when it has one account) or `exchange/label`."""
    exchange, _, label = reference.partition("/")
    exchange = exchange.strip().lower()
    matches = [a for a in accounts if a.exchange == exchange]
    if label:
        matches = [a for a in matches if a.label == label]
    if len(matches) == 1:
        return matches[0]
    known = ", ".join(f"{a.exchange}/{a.label}" for a in accounts) or "none"
    if not matches:
        raise ExecRefused(f"No account {reference!r} in the keyfile (accounts: {known}).")
    labels = ", ".join(f"{exchange}/{a.label}" for a in matches)
    raise ExecRefused(f"{exchange} has several accounts: name one of {labels}.")


async def _check(vault: Any, account: Any, locations: Locations) -> Any:
    """One verify of the account (a signed call and its permissions)."""
    from tui.session import Session, make_connector

    connector = make_connector(locations, timeout_s=REQUEST_TIMEOUT_S)
    try:
        return await Session(vault, connector).verify(account)
    finally:
        await connector.aclose()  # the vault stays open for the caller


def refuse_withdrawals(vault: Any, account: Any, locations: Locations, err: TextIO) -> None:
    report = asyncio.run(_check(vault, account, locations))
    permissions = report.permissions
    if report.problem is not None:
        print(
            f"keydeck exec: could not check {account.display_name} ({report.problem.title}); "
            "running the command anyway.",
            file=err,
        )
        return
    if permissions is not None and permissions.withdraw:
        raise ExecRefused(
            f"{account.exchange}/{account.label} can withdraw funds (found just now by checking "
            "the key with the exchange). A bot rarely needs that: remove the withdrawal "
            "permission at the exchange, or give --allow-withdraw to run anyway."
        )
    if permissions is None or permissions.withdraw is None:
        print(
            f"keydeck exec: {account.exchange} does not say whether this key can withdraw.",
            file=err,
        )


def password_line_from_stdin() -> str:
    """The first line of stdin, read byte by byte so the command still gets the rest
    (a buffered read would swallow what follows)."""
    from tui.check import PasswordUnavailable

    data = bytearray()
    while (byte := os.read(0, 1)) not in (b"", b"\n"):
        data += byte
    password = data.decode("utf-8", errors="strict").removesuffix("\r")
    if not password:
        raise PasswordUnavailable("--password-stdin was given but stdin held no password.")
    return password


def run_exec(
    locations: Locations,
    reference: str,
    command: Sequence[str],
    *,
    form: str = "env",
    allow_withdraw: bool = False,
    password_stdin: bool = False,
    err: TextIO | None = None,
) -> int:
    """Prepare the environment and become COMMAND; returns only when that cannot happen
    (or on Windows, where the command runs as a child and its exit code is returned)."""
    err = err if err is not None else sys.stderr
    from tui.check import PasswordUnavailable, read_password
    from tui.keys_io.child_env import child_environment
    from tui.logs import setup_logging
    from tui.session import is_retired
    from tui.vault import Vault, VaultError

    command = list(command)
    if command and command[0] == "--":
        command = command[1:]
    if not command:
        print("keydeck exec: give the command after --, e.g. keydeck exec binance -- env", file=err)
        return EXIT_KEYDECK
    try:
        setup_logging(locations.log_file)
    except OSError as error:
        print(f"keydeck exec: cannot write the log ({error.strerror})", file=err)
    try:
        password = password_line_from_stdin() if password_stdin else read_password(False)
        with Vault.open(
            locations.keyfile, password, read_only=True, state_dir=locations.state_dir
        ) as vault:
            in_use = [a for a in vault.accounts if not is_retired(a)]  # not a replaced key
            account = find_account(in_use, reference)
            if not allow_withdraw:
                refuse_withdrawals(vault, account, locations, err)
            env, notes = child_environment(account, form, os.environ)
    except (PasswordUnavailable, VaultError, ExecRefused, ValueError) as error:
        print(f"keydeck exec: {error}", file=err)
        return EXIT_KEYDECK
    except KeyboardInterrupt:
        return 130
    except Exception:
        log.exception("keydeck exec failed")
        print(f"keydeck exec: unexpected error; details are in {locations.log_file}", file=err)
        return EXIT_KEYDECK
    for note in notes:
        print(f"keydeck exec: {note}", file=err)
    log.info("exec %s/%s as %s: %s", account.exchange, account.label, form, command[0])
    return _become(command, env, err)


def _become(command: list[str], env: dict[str, str], err: TextIO) -> int:
    sys.stdout.flush()
    err.flush()
    logging.shutdown()
    try:
        if os.name == "posix":
            os.execvpe(command[0], command, env)  # noqa: S606 - running the user's command is the point
        import subprocess

        return subprocess.call(command, env=env)  # noqa: S603
    except FileNotFoundError:
        print(f"keydeck exec: command not found: {command[0]}", file=err)
        return EXIT_NOT_FOUND
    except PermissionError:
        print(f"keydeck exec: cannot run {command[0]}: permission denied", file=err)
        return EXIT_NOT_EXECUTABLE
    except OSError as error:
        print(f"keydeck exec: cannot run {command[0]}: {error.strerror or error}", file=err)
        return EXIT_NOT_EXECUTABLE
