"""The command-line arguments of `keydeck import`, `keydeck backup` and `keydeck exec`.

Kept apart from tui/cli.py, which only registers them and dispatches; the commands' modules
(and ccxt) load only when one of them runs.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from tui.paths import Locations

_PASSWORDS = (
    "Keydeck's password comes from KEYDECK_PASSWORD, --password-stdin or a prompt, never "
    "from the command line."
)


def add_key_commands(commands: Any, common: argparse.ArgumentParser) -> None:
    from tui.keys_io.sources import SOURCE_NAMES

    importing = commands.add_parser(
        "import",
        parents=[common],
        help="import API keys from Hummingbot, Freqtrade, a .env file, ccxt keys or a keyfile",
        description=f"Import API keys from another tool's files into the keyfile. {_PASSWORDS} "
        "A source's own password (Hummingbot's, another keyfile's) comes from "
        "KEYDECK_IMPORT_PASSWORD or a prompt. Each key is verified with its exchange unless "
        "--no-verify; everything is saved in one write. Your files are never changed. "
        "Exit codes: 0 done, 1 the source could not be read, 2 a key failed verification "
        "(the others were saved), 3 the keyfile could not be opened or written.",
    )
    importing.add_argument("source", choices=list(SOURCE_NAMES), help="where the keys are")
    importing.add_argument(
        "path",
        type=Path,
        help="hummingbot: its conf (or conf/connectors) directory; freqtrade: config.json; "
        "env: a .env file; ccxt: a keys.json; keydeck: a keyfile or backup",
    )
    importing.add_argument(
        "--dry-run",
        action="store_true",
        help="show what would be added (exchange, label, which fields; never a value)",
    )
    importing.add_argument(
        "--no-verify",
        action="store_true",
        help="do not contact the exchanges; save the keys as unverified",
    )
    importing.add_argument(
        "--endpoint",
        action="append",
        default=[],
        metavar="EXCHANGE=URL",
        help="give the imported keys of EXCHANGE this API endpoint (regional host, proxy, "
        "the local simulator); repeatable",
    )
    importing.add_argument("--password-stdin", action="store_true", help="read it from stdin")

    backup = commands.add_parser(
        "backup",
        parents=[common],
        help="write an encrypted copy of the keyfile (restore: keydeck import keydeck FILE)",
        description=f"Write an encrypted copy of the keyfile to FILE. {_PASSWORDS} The copy "
        "keeps that password unless KEYDECK_BACKUP_PASSWORD (or the prompt) gives a new one.",
    )
    backup.add_argument("file", type=Path, help="where to write the copy (must not exist)")
    backup.add_argument("--password-stdin", action="store_true", help="read it from stdin")

    execute = commands.add_parser(
        "exec",
        parents=[common],
        help="run a command with one account's key in its environment only",
        description=f"Run COMMAND with one account's credentials in its environment (never "
        f"on disk or in argv). {_PASSWORDS} KEYDECK_PASSWORD is removed from the command's "
        "environment. The command's exit code is Keydeck's.",
        usage="keydeck exec ACCOUNT [--as env|freqtrade|ccxt] [--allow-withdraw] "
        "-- COMMAND [ARGS...]",
    )
    execute.add_argument("account", help="EXCHANGE (when it has one account) or EXCHANGE/LABEL")
    _exec_options(execute)
    execute.add_argument(
        "child", nargs=argparse.REMAINDER, metavar="COMMAND", help="-- COMMAND [ARGS...]"
    )


def _exec_options(parser: argparse.ArgumentParser) -> None:
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
    parser.add_argument("--password-stdin", action="store_true", help="read it from stdin")


def split_exec_command(
    args: argparse.Namespace, locations: Locations
) -> tuple[list[str], Locations]:
    """argparse's REMAINDER also takes the options written between ACCOUNT and `--`
    (`keydeck exec okx --as ccxt -- cmd`): parse those here; the rest is the command."""
    words = list(args.child)
    if "--" not in words or not words[0].startswith("-"):
        return words, locations  # no options after ACCOUNT: all of it is the command
    cut = words.index("--")
    leading, command = words[:cut], words[cut + 1 :]
    if leading:
        options = argparse.ArgumentParser(prog="keydeck exec", add_help=False)
        _exec_options(options)
        options.add_argument("--config-dir", default=None)
        parsed = options.parse_args(leading)
        args.form = parsed.form if parsed.form != "env" else args.form
        args.allow_withdraw = args.allow_withdraw or parsed.allow_withdraw
        args.password_stdin = args.password_stdin or parsed.password_stdin
        if parsed.config_dir is not None:
            locations = Locations.resolve(parsed.config_dir)
    return command, locations


def run_key_command(args: argparse.Namespace, locations: Locations) -> int:
    import sys

    if args.command == "import":
        from tui.keys_io.importing import ImportOptions, parse_endpoints, run_import

        try:
            endpoints = parse_endpoints(args.endpoint)
        except ValueError as error:
            print(f"keydeck import: {error}", file=sys.stderr)
            return 2
        options = ImportOptions(
            source=args.source,
            path=args.path.expanduser(),
            dry_run=args.dry_run,
            verify=not args.no_verify,
            password_stdin=args.password_stdin,
            endpoints=endpoints,
        )
        return run_import(locations, options)
    if args.command == "backup":
        from tui.keys_io.backup import run_backup

        return run_backup(locations, args.file, password_stdin=args.password_stdin)
    from tui.exec import run_exec

    command, locations = split_exec_command(args, locations)
    return run_exec(
        locations,
        args.account,
        command,
        form=args.form,
        allow_withdraw=args.allow_withdraw,
        password_stdin=args.password_stdin,
    )
