"""`keydeck` with no command: the full-screen app, or with --demo the offline demo.

Not in `COMMANDS` (it has no subcommand name); the app owns ctrl+c as a key and its own
core-dump, signal and crash handling (tui/lifecycle.py, tui/crash.py).
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from tui import process

if TYPE_CHECKING:
    from tui.paths import Locations


def run(args: argparse.Namespace, locations: Locations) -> int:
    process.default_interrupts()  # Textual reads ctrl+c as a key
    from tui.lifecycle import run_app, run_demo  # Textual loads in the app, not before

    if args.demo:
        return run_demo(args.config_dir)
    return run_app(locations)
