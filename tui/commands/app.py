"""`keydeck` with no command: the full-screen app, or with --demo the offline demo.

Not in `COMMANDS` (it has no subcommand name); the app owns ctrl+c as a key and its own
core-dump, signal and crash handling (tui/ui/lifecycle.py, tui/ui/crash.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tui.base import process

if TYPE_CHECKING:
    import argparse
    from types import SimpleNamespace

    from tui.base.paths import Locations


def run(args: argparse.Namespace | SimpleNamespace, locations: Locations) -> int:
    """`args`: the full parser's, or `tui.cli.app_arguments`' (the same attributes)."""
    process.default_interrupts()  # Textual reads ctrl+c as a key
    from tui.ui.lifecycle import run_app, run_demo  # Textual loads in the app, not before

    if args.demo:
        return run_demo(args.config_dir)
    return run_app(locations)
