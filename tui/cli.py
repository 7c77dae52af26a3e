"""The `keydeck` command: argument parsing and dispatch.

Heavy modules (Textual, ccxt) are imported inside the command that needs them, so
`keydeck locate` is instant and the app's first frame is not delayed by ccxt.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from tui import process

if TYPE_CHECKING:  # imported where used, so ctrl+c is handled from the first instant
    import argparse
    from collections.abc import Sequence

    from tui.paths import Locations

_CONFIG_DIR_HELP = (
    "keep the keyfile, settings, logs and cache under DIR "
    "(default: $KEYDECK_CONFIG_DIR, else the platform's config directory)"
)


def build_parser() -> argparse.ArgumentParser:
    import argparse

    from tui import __version__

    parser = argparse.ArgumentParser(
        prog="keydeck",
        description="Connect, verify and watch crypto-exchange API keys, kept in an encrypted "
        "keyfile.",
    )
    parser.add_argument("--version", action="version", version=f"keydeck {__version__}")
    parser.add_argument("--config-dir", metavar="DIR", help=_CONFIG_DIR_HELP)
    parser.add_argument(
        "--demo",
        action="store_true",
        help="try Keydeck offline: simulated exchanges and a throwaway keyfile of example keys "
        "(kept in --config-dir only if you give one)",
    )
    # Accept --config-dir after the command too (`keydeck locate --config-dir X`).
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--config-dir", metavar="DIR", help=_CONFIG_DIR_HELP, default=argparse.SUPPRESS
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser(
        "locate", parents=[common], help="print where the keyfile, settings, logs and cache live"
    )
    check = commands.add_parser(
        "check",
        parents=[common],
        help="verify every key in the keyfile (status, balances, permissions) without the UI",
        description="Verify every key in the keyfile. The password comes from "
        "KEYDECK_PASSWORD or --password-stdin, never from the command line. Exit codes: "
        "0 all fine, 1 a critical finding, 2 an account failed, 3 keyfile not opened "
        "(or the check could not run; details in the log), 130 interrupted.",
    )
    check.add_argument("--json", action="store_true", help="print one JSON document")
    check.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    from tui.history import command as history_command
    from tui.keys_io.arguments import add_key_commands  # import, backup, exec
    from tui.watch import command as watch_command

    add_key_commands(commands, common)
    watch_command.add_parser(commands, [common])
    history_command.add_parser(commands, [common])
    from tui import rotate_command

    rotate_command.add_parser(commands, common)
    return parser


def cmd_locate(locations: Locations) -> int:
    rows = [
        ("keyfile", locations.keyfile),
        ("settings", locations.settings),
        ("log", locations.log_file),
        ("cache", locations.cache_dir),
    ]
    width = max(len(name) for name, _ in rows)
    for name, path in rows:
        missing = "" if path.exists() else "  (not created yet)"
        print(f"{name:<{width}}  {path}{missing}")
    return 0


def run(argv: Sequence[str] | None = None) -> int:
    """Parse `argv` and run the command; the exit code. Leaves signal handlers alone.

    ctrl+c gives 130, and a closed stdout (`keydeck check | head -1`) ends quietly with the
    exit code computed so far (0 if there was none).
    """
    code = 0
    try:
        try:
            code = _dispatch(argv)
        except SystemExit:  # argparse: --help, --version, a usage error
            process.flush_stdout()
            raise
        process.flush_stdout()
    except KeyboardInterrupt:
        code = process.EXIT_INTERRUPTED
    except BrokenPipeError:  # a write outside the commands' own guards
        process.silence(sys.stdout)
    return code


def main(argv: Sequence[str] | None = None) -> int:
    """The process entry point (`keydeck`, `python -m tui`). In-process callers use `run`.

    Owns the process's ctrl+c: one KeyboardInterrupt at most, then none until the exit,
    so neither the handler that turns it into 130 nor the interpreter's shutdown can be
    interrupted into a traceback.
    """
    process.interrupt_once()
    try:
        code = run(argv)
    finally:
        process.ignore_interrupts()
    return process.EXIT_INTERRUPTED if process.was_interrupted() else code


def _dispatch(argv: Sequence[str] | None) -> int:
    from tui.paths import Locations

    parser = build_parser()
    args = parser.parse_args(argv)
    if args.demo and args.command is None:
        from tui.demo import run_demo  # the simulator and Textual load only for the demo

        process.default_interrupts()
        return run_demo(args.config_dir)
    locations = Locations.resolve(args.config_dir)
    if args.command == "locate":
        return cmd_locate(locations)
    if args.command == "check":
        import logging

        from tui.check import run_check  # the connector and ccxt load only for this command

        logging.captureWarnings(True)  # library warnings go to the log, not to a monitor
        return run_check(locations, json_output=args.json, password_stdin=args.password_stdin)
    if args.command in ("import", "backup", "exec"):
        from tui.keys_io.arguments import run_key_command

        return run_key_command(args, locations)
    if args.command == "watch":
        from tui.watch import command as watch_command

        return watch_command.run_watch(locations, args)
    if args.command == "rotate":
        from tui.rotate_command import run_rotate

        return run_rotate(args, locations)
    if args.command == "history":
        from tui.history import command as history_command

        return history_command.run_history(locations, args)
    if args.command is None:
        from tui.app import run_app  # Textual is imported only when the app starts

        process.default_interrupts()
        return run_app(locations)
    parser.print_help(sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
