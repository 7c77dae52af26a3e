"""`keydeck locate`: where the keyfile, settings, logs, cache and crash reports live. Reads no
secret."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from tui.commands.preamble import Context, Spec, run_command

if TYPE_CHECKING:
    from tui.paths import Locations

SPEC = Spec("locate")


def add_parser(sub: Any) -> argparse.ArgumentParser:
    return sub.add_parser("locate", help="print where the keyfile, settings, logs and cache live")


def run(args: argparse.Namespace, locations: Locations) -> int:
    return run_command(SPEC, args, locations, _locate, log_to_file=False)


def _locate(context: Context) -> int:
    locations = context.locations
    rows = [
        ("keyfile", locations.keyfile),
        ("settings", locations.settings),
        ("log", locations.log_file),
        ("cache", locations.cache_dir),
        ("crashes", locations.crash_dir),
    ]
    width = max(len(name) for name, _ in rows)
    for name, path in rows:
        missing = "" if path.exists() else "  (not created yet)"
        print(f"{name:<{width}}  {path}{missing}", file=context.out)
    return 0
