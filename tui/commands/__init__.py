"""Keydeck's commands: one module per command, each with the same shape.

    add_parser(sub) -> argparse.ArgumentParser   # its arguments, on `keydeck`'s subparsers
    run(args, locations) -> int                  # the exit code; never a traceback

Every `run` goes through `tui.commands.preamble.run_command`: core dumps off before any secret
is read, the master password read once as a registered `Secret`, the keyfile opened read-only
by commands that only read, one mapping of failures to exit codes, quiet closed pipes, 130
on ctrl+c. Modules import only argparse at module level; the connector, ccxt and Textual load
when a command runs. `tui/cli.py` builds the parser from `COMMANDS` and dispatches.
"""

from __future__ import annotations

import importlib
from types import ModuleType

COMMANDS: dict[str, str] = {
    "locate": "locate",
    "check": "check",
    "import": "import_keys",
    "backup": "backup",
    "exec": "exec_command",
    "rotate": "rotate",
    "watch": "watch",
    "history": "history",
}
"""Command name -> module in this package, in the order `keydeck --help` lists them."""


def load(command: str) -> ModuleType:
    """The module of `command` (one of `COMMANDS`)."""
    return importlib.import_module(f"{__name__}.{COMMANDS[command]}")
