"""The `keydeck` command: builds the parser from tui/commands and dispatches. Nothing else.

Each command lives in its own module of tui/commands (`add_parser(sub)`, `run(args,
locations)`); heavy modules (Textual, ccxt) are imported inside the command that needs
them, so `keydeck locate` is instant and the app's first frame is not delayed by ccxt.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from tui.base import process

if TYPE_CHECKING:  # imported where used, so ctrl+c is handled from the first instant
    import argparse
    from collections.abc import Sequence
    from types import SimpleNamespace

_CONFIG_DIR_HELP = (
    "keep the keyfile, settings, logs and cache under DIR "
    "(default: $KEYDECK_CONFIG_DIR, else the platform's config directory)"
)


class _Subcommands:
    """`keydeck`'s subparsers, as each command's `add_parser(sub)` sees them: every command
    also takes --config-dir after its name (`keydeck locate --config-dir X`)."""

    def __init__(self, subparsers: Any, common: argparse.ArgumentParser) -> None:
        self._subparsers = subparsers
        self._common = common

    def add_parser(self, name: str, **options: Any) -> argparse.ArgumentParser:
        parents = [self._common, *options.pop("parents", [])]
        return self._subparsers.add_parser(name, parents=parents, **options)


def build_parser() -> argparse.ArgumentParser:
    import argparse

    from tui import __version__, commands

    parser = argparse.ArgumentParser(
        prog="keydeck",
        description="Connect, verify and watch crypto-exchange API keys, kept in an encrypted "
        "keyfile.",
        epilog="Exit codes: each command's --help lists its own; 130 is ctrl+c for all. "
        "See README.md, 'Exit codes'.",
    )
    parser.add_argument("--version", action="version", version=f"keydeck {__version__}")
    parser.add_argument("--config-dir", metavar="DIR", help=_CONFIG_DIR_HELP)
    parser.add_argument(
        "--demo",
        action="store_true",
        help="try Keydeck offline: simulated exchanges and a throwaway keyfile of example keys "
        "(kept in --config-dir only if you give one)",
    )
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--config-dir", metavar="DIR", help=_CONFIG_DIR_HELP, default=argparse.SUPPRESS
    )
    sub = _Subcommands(parser.add_subparsers(dest="command", metavar="COMMAND"), common)
    for name in commands.COMMANDS:
        commands.load(name).add_parser(sub)
    return parser


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
    interrupted into a traceback. The shutdown then skips collecting the heap (ccxt's).
    """
    process.interrupt_once()
    try:
        code = run(argv)
    finally:
        process.ignore_interrupts()
        process.forget_caught_interrupt()
        process.spare_the_exit_collections()
    return process.EXIT_INTERRUPTED if process.was_interrupted() else code


def app_arguments(argv: Sequence[str]) -> SimpleNamespace | None:
    """What `build_parser` makes of `argv` when it names no command and only the app's own
    options (`keydeck`, `keydeck --demo --config-dir DIR`); None for anything else.

    Read without building the full parser, which loads every command's module: ~25 ms of
    the app's first frame (docs/benchmarks.md). Anything unusual (an abbreviation, a
    missing value, --help) is left to the full parser and its messages. A SimpleNamespace
    with the parser's attributes: importing argparse (and gettext) was ~3 ms of the frame.
    """
    from types import SimpleNamespace

    config_dir: str | None = None
    demo = False
    words = iter(argv)
    for word in words:
        if word == "--demo":
            demo = True
        elif word.startswith("--config-dir="):
            config_dir = word.removeprefix("--config-dir=")
        elif word == "--config-dir":
            value = next(words, None)
            if value is None or value.startswith("-"):
                return None
            config_dir = value
        else:
            return None
    return SimpleNamespace(config_dir=config_dir, demo=demo, command=None)


def _dispatch(argv: Sequence[str] | None) -> int:
    from tui.base.paths import Locations

    from_app = app_arguments(sys.argv[1:] if argv is None else argv)
    if from_app is not None:
        from tui.commands import app  # Textual and the simulator load only for the app

        return app.run(from_app, Locations.resolve(from_app.config_dir))
    args = build_parser().parse_args(argv)
    if args.command is None:
        from tui.commands import app

        return app.run(args, Locations.resolve(args.config_dir))
    from tui import commands

    return commands.load(args.command).run(args, Locations.resolve(args.config_dir))


if __name__ == "__main__":
    raise SystemExit(main())
