"""`keydeck history [--since DATE] [--csv]`: print or export the portfolio history.

Module import is light (argparse only). The keyfile is opened read-only to derive the
history key and closed again before anything is printed. Exit codes: 0 printed (even if
empty), 2 a bad --since, 3 the keyfile or its history could not be opened, 130 interrupted.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, TextIO

from tui.base.inert import csv_writer
from tui.commands.preamble import Context, Spec, add_password_option, run_command

if TYPE_CHECKING:
    from tui.base.paths import Locations

SPEC = Spec("history", keyfile_exit=3, failure_exit=3)

CSV_COLUMNS = ("time", "exchange", "label", "account_id", "asset", "amount", "usd")
CHANGE_SPANS = (("24 h", timedelta(hours=24)), ("7 d", timedelta(days=7)), ("30 d", timedelta(30)))


def add_parser(sub: Any) -> argparse.ArgumentParser:
    history = sub.add_parser(
        "history",
        help="print or export the portfolio history (USD value and amounts over time)",
        description="The history the app and `keydeck watch` record, decrypted with the "
        "keyfile's password (KEYDECK_PASSWORD or --password-stdin). --csv writes one row per "
        "account and time (asset and amount empty, usd set) and one per asset held (usd "
        "empty): sum the usd column for totals.",
    )
    history.add_argument(
        "--since", type=parse_since, metavar="DATE", help="from DATE (YYYY-MM-DD or ISO time, UTC)"
    )
    history.add_argument("--csv", action="store_true", help="write CSV to stdout")
    add_password_option(history)
    return history


def parse_since(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date: {text!r} (use YYYY-MM-DD)") from None
    value = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    if value > datetime.now(UTC):
        raise argparse.ArgumentTypeError(f"{text!r} is in the future: give a past date")
    return value


def _stamp(when: datetime) -> str:
    return when.isoformat(timespec="seconds").replace("+00:00", "Z")


def write_csv(history: Any, since: datetime | None, out: TextIO) -> int:
    """CSV rows of every point since `since`; returns the number of points."""
    span = None if since is None else datetime.now(UTC) - since
    points = history.points(span)
    writer = csv_writer(out)  # text cells inert, never a spreadsheet formula
    writer.writerow(CSV_COLUMNS)
    for point in points:
        when = _stamp(point.when)
        for account_id, holding in sorted(point.holdings.items()):
            name = history.name(account_id)
            exchange, label = (name.exchange, name.label) if name else ("", "")
            writer.writerow([when, exchange, label, account_id, "", "", holding.usd])
            for asset, amount in sorted(holding.assets.items()):
                writer.writerow([when, exchange, label, account_id, asset, amount, ""])
    return len(points)


def write_summary(history: Any, since: datetime | None, out: TextIO) -> int:
    span = None if since is None else datetime.now(UTC) - since
    values = history.series(span)
    if not values:
        print("No history recorded yet: run the app or keydeck watch for a while.", file=out)
        return 0
    for label, length in CHANGE_SPANS:
        change = history.change(length)
        if change is None:
            print(f"{label:>5}  not enough history", file=out)
            continue
        percent = "" if change.percent is None else f" ({change.percent:+.2f} %)"
        print(f"{label:>5}  {change.delta_usd:+,.2f} USD{percent}", file=out)
    print("", file=out)
    for value in values:
        print(f"{_stamp(value.time)}  ${value.total_usd:>16,.2f}", file=out)
    return len(values)


def run(
    args: argparse.Namespace,
    locations: Locations,
    *,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    return run_command(SPEC, args, locations, _history, out=out, err=err)


def _history(context: Context) -> int:
    from tui.core.history import History

    with context.open_vault() as vault:
        history = History.for_vault(vault, write_every_s=float("inf"))
    try:
        writer = write_csv if context.args.csv else write_summary
        writer(history, context.args.since, context.out)
        if history.problem is not None:
            context.say(str(history.problem))
            return 3
    finally:
        history.close()
    return 0
