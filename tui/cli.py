"""The `keydeck` command: argument parsing and dispatch.

Heavy modules (Textual, ccxt) are imported inside the command that needs them, so
`keydeck locate` is instant and the app's first frame is not delayed by ccxt.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from tui import __version__
from tui.paths import Locations

_CONFIG_DIR_HELP = (
    "keep the keyfile, settings, logs and cache under DIR "
    "(default: $KEYDECK_CONFIG_DIR, else the platform's config directory)"
)


def build_parser() -> argparse.ArgumentParser:
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
        "0 all fine, 1 a critical finding, 2 an account failed, 3 keyfile not opened.",
    )
    check.add_argument("--json", action="store_true", help="print one JSON document")
    check.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
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


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.demo and args.command is None:
        from tui.demo import run_demo  # the simulator and Textual load only for the demo

        return run_demo(args.config_dir)
    locations = Locations.resolve(args.config_dir)
    if args.command == "locate":
        return cmd_locate(locations)
    if args.command == "check":
        from tui.check import run_check  # the connector and ccxt load only for this command

        return run_check(locations, json_output=args.json, password_stdin=args.password_stdin)
    if args.command is None:
        from tui.app import run_app  # Textual is imported only when the app starts

        return run_app(locations)
    parser.print_help(sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
