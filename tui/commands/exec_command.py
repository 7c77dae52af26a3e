"""`keydeck exec ACCOUNT [--as env|freqtrade|ccxt] [--allow-withdraw] -- COMMAND [ARGS...]`.

Runs COMMAND with one account's credentials in its environment only (see
`tui.keys_io.child_env`): nothing is written to disk or put in argv, and every other
`KEYDECK_*` variable is removed. On POSIX Keydeck *replaces itself* with the command (execve):
the command keeps Keydeck's process id, so every signal sent to "keydeck" reaches it, its
exit code is Keydeck's, and no Keydeck process stays behind holding the decrypted keys.

Before that, unless --allow-withdraw, the key is checked once with its exchange, and the
command runs only if the exchange confirms the key cannot withdraw. Fail closed: a key that
can withdraw, an exchange that cannot be reached, answers 500, times out or answers in an
unexpected shape, and an exchange that does not say, are all refused. The keyfile is opened
read-only, so exec runs while the app is open. Keydeck's own failures exit 125 (like `env`),
a command that cannot be run 126/127, ctrl+c before the command starts 130.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from typing import TYPE_CHECKING, Any, TextIO

from tui.commands.accounts import find_account
from tui.commands.preamble import Context, Failed, Spec, add_password_option, run_command

if TYPE_CHECKING:
    from tui.base.paths import Locations

log = logging.getLogger(__name__)

EXIT_KEYDECK = 125
EXIT_NOT_EXECUTABLE = 126
EXIT_NOT_FOUND = 127
REQUEST_TIMEOUT_S = 15.0


SPEC = Spec("exec", keyfile_exit=EXIT_KEYDECK, failure_exit=EXIT_KEYDECK, unbuffered_stdin=True)


def add_parser(sub: Any) -> argparse.ArgumentParser:
    execute = sub.add_parser(
        "exec",
        help="run a command with one account's key in its environment only",
        description="Run COMMAND with one account's credentials in its environment (never "
        "on disk or in argv). Keydeck's password comes from KEYDECK_PASSWORD, --password-stdin "
        "or a prompt, never from the command line; every other KEYDECK_* variable is removed "
        "from the command's environment. Unless --allow-withdraw, the command runs only if the "
        "exchange confirms the key cannot withdraw. Exit codes: the command's own; 125 "
        "Keydeck refused or failed, 126 the command cannot be run, 127 not found, "
        "130 interrupted.",
        usage="keydeck exec ACCOUNT [--as env|freqtrade|ccxt] [--allow-withdraw] "
        "-- COMMAND [ARGS...]",
    )
    execute.add_argument("account", help="EXCHANGE (when it has one account) or EXCHANGE/LABEL")
    _options(execute)
    execute.add_argument(
        "child", nargs=argparse.REMAINDER, metavar="COMMAND", help="-- COMMAND [ARGS...]"
    )
    return execute


def _options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--as",
        dest="form",
        choices=("env", "freqtrade", "ccxt"),
        default="env",
        help="env: KEYDECK_API_KEY... and KEYDECK_CCXT_CONFIG (default); freqtrade: "
        "FREQTRADE__EXCHANGE__*; ccxt: KEYDECK_CCXT_CONFIG only",
    )
    parser.add_argument(
        "--allow-withdraw",
        action="store_true",
        help="run even if the key can withdraw funds (skips the check with the exchange)",
    )
    add_password_option(parser)


def split_command(args: argparse.Namespace, locations: Locations) -> tuple[list[str], Locations]:
    """argparse's REMAINDER also takes the options written between ACCOUNT and `--`
    (`keydeck exec okx --as ccxt -- cmd`): parse those here; the rest is the command."""
    from tui.base.paths import Locations

    words = list(args.child)
    if "--" not in words or not words[0].startswith("-"):
        return words, locations  # no options after ACCOUNT: all of it is the command
    cut = words.index("--")
    leading, command = words[:cut], words[cut + 1 :]
    if leading:
        options = argparse.ArgumentParser(prog="keydeck exec", add_help=False)
        _options(options)
        options.add_argument("--config-dir", default=None)
        parsed = options.parse_args(leading)
        args.form = parsed.form if parsed.form != "env" else args.form
        args.allow_withdraw = args.allow_withdraw or parsed.allow_withdraw
        args.password_stdin = args.password_stdin or parsed.password_stdin
        if parsed.config_dir is not None:
            locations = Locations.resolve(parsed.config_dir)
    return command, locations


async def _check(vault: Any, account: Any, locations: Locations, timeout_s: float) -> Any:
    """One verify of the account (a signed call and its permissions)."""
    from tui.core.session import Session, make_connector

    connector = make_connector(locations, timeout_s=timeout_s)
    try:
        return await Session(vault, connector).verify(account)
    finally:
        await connector.aclose()  # the vault stays open for the caller


def refuse_withdrawals(
    vault: Any, account: Any, locations: Locations, timeout_s: float = REQUEST_TIMEOUT_S
) -> None:
    """Return only if the exchange confirmed, just now, that the key cannot withdraw."""
    import asyncio

    from tui.base.process import cancelled_by_interrupt

    report = asyncio.run(cancelled_by_interrupt(_check(vault, account, locations, timeout_s)))
    name = f"{account.exchange}/{account.label}"
    anyway = "or give --allow-withdraw to run anyway"
    if report.problem is not None:
        raise Failed(
            f"could not confirm that {name} cannot withdraw: {report.problem.title.rstrip('.')}. "
            f"Nothing was run. Try again when the exchange answers, {anyway}.",
            EXIT_KEYDECK,
        )
    permissions = report.permissions
    if permissions is not None and permissions.withdraw:
        raise Failed(
            f"{name} can withdraw funds (found just now by checking the key with the "
            "exchange). A bot rarely needs that: remove the withdrawal permission at the "
            f"exchange, {anyway}.",
            EXIT_KEYDECK,
        )
    if permissions is None or permissions.withdraw is not False:
        raise Failed(
            f"{account.exchange} did not say whether {name} can withdraw, so Keydeck cannot "
            f"confirm it cannot. Nothing was run. Check the key's rights at the exchange, "
            f"{anyway}.",
            EXIT_KEYDECK,
        )


def run(args: argparse.Namespace, locations: Locations, *, err: TextIO | None = None) -> int:
    """Prepare the environment and become COMMAND; returns only when that cannot happen
    (or on Windows, where the command runs as a child and its exit code is returned)."""
    command, locations = split_command(args, locations)
    if command and command[0] == "--":
        command = command[1:]
    prepared: list[Any] = []

    def body(context: Context) -> int:
        from tui.core.session import is_retired
        from tui.keys_io.child_env import child_environment

        if not command:
            raise Failed(
                "give the command after --, e.g. keydeck exec binance -- env", EXIT_KEYDECK
            )
        with context.open_vault() as vault:
            in_use = [a for a in vault.accounts if not is_retired(a)]  # not a replaced key
            account = find_account(in_use, args.account)
            if not args.allow_withdraw:
                refuse_withdrawals(vault, account, context.locations)
            try:
                env, notes = child_environment(account, args.form, os.environ)
            except ValueError as error:
                raise Failed(str(error), EXIT_KEYDECK) from None
        for note in notes:
            context.say(note)
        log.info("exec %s/%s as %s: %s", account.exchange, account.label, args.form, command[0])
        prepared.append(env)
        return 0

    code = run_command(SPEC, args, locations, body, err=err)
    if not prepared:
        return code
    return _become(command, prepared[0], err if err is not None else sys.stderr)


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
