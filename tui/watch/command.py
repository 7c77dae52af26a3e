"""`keydeck watch`: arguments, password, logging and signals around `watch_keyfile`.

Module import is light (argparse only): the connector and ccxt load when the command runs.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import sys
from typing import Any, TextIO

from tui.paths import Locations

WEBHOOKS_ENV = "KEYDECK_WEBHOOKS"
MIN_INTERVAL_S = 1.0


def add_parser(commands: Any, parents: list[argparse.ArgumentParser]) -> None:
    """Add the `watch` subcommand to `keydeck`'s subparsers."""
    watch = commands.add_parser(
        "watch",
        parents=parents,
        help="watch every key in the background and report changes (JSON lines, webhooks...)",
        description="Check every key every interval and report each change once: a key "
        "failing or recovering, a new or cleared risk, a key nearing expiry. Events are JSON "
        "lines on stdout and go to every sink given. Reads the keyfile without locking it, so "
        "it runs beside the app. Password from KEYDECK_PASSWORD or --password-stdin. "
        f"Webhook URLs may also come from {WEBHOOKS_ENV} (space-separated), which keeps "
        "them out of the process list. See docs/watch.md.",
    )
    watch.add_argument("--interval", type=float, default=60.0, metavar="SECONDS", help="default 60")
    watch.add_argument(
        "--webhook", action="append", default=[], metavar="URL", help="POST each event (repeat)"
    )
    watch.add_argument(
        "--webhook-format",
        choices=("json", "slack", "discord", "ntfy"),
        default="json",
        help="payload of --webhook: the event JSON (default), Slack or Discord text, ntfy",
    )
    watch.add_argument(
        "--exec",
        action="append",
        default=[],
        dest="commands",
        metavar="CMD",
        help="run CMD with each event's JSON on stdin (repeat)",
    )
    watch.add_argument("--desktop", action="store_true", help="desktop notifications")
    watch.add_argument(
        "--balance-move",
        type=float,
        metavar="PCT",
        help="also report when an account's or the total USD value moves more than PCT %%",
    )
    watch.add_argument(
        "--metrics",
        metavar="HOST:PORT",
        help="serve Prometheus metrics there (a bare PORT listens on 127.0.0.1 only); "
        "see docs/monitoring.md",
    )
    watch.add_argument("--no-history", action="store_true", help="do not record the history")
    watch.add_argument("--password-stdin", action="store_true", help="read the password from stdin")


def run_watch(
    locations: Locations,
    args: argparse.Namespace,
    *,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """The `keydeck watch` command; returns the exit code. Never shows a traceback."""
    from tui.check import PasswordUnavailable, read_password
    from tui.logs import setup_logging
    from tui.redact import ScrubFilter
    from tui.vault import VaultError
    from tui.watch.runner import EXIT_KEYFILE, EXIT_USAGE, WatchConfig, watch_keyfile
    from tui.watch.sinks import SetupError

    err = err if err is not None else sys.stderr
    if args.interval < MIN_INTERVAL_S:
        print(f"keydeck watch: --interval must be at least {MIN_INTERVAL_S:g} s", file=err)
        return EXIT_USAGE
    try:
        setup_logging(locations.log_file)
    except OSError as error:
        print(f"keydeck watch: cannot write the log ({error.strerror})", file=err)
    to_stderr = logging.StreamHandler(err)
    to_stderr.setLevel(logging.WARNING)
    to_stderr.addFilter(ScrubFilter())
    to_stderr.setFormatter(logging.Formatter("keydeck watch: %(message)s"))
    logging.getLogger("tui").addHandler(to_stderr)
    config = WatchConfig(
        interval_s=args.interval,
        webhooks=[*args.webhook, *os.environ.get(WEBHOOKS_ENV, "").split()],
        webhook_format=args.webhook_format,
        commands=args.commands,
        desktop=args.desktop,
        balance_move_pct=args.balance_move,
        record_history=not args.no_history,
        metrics=args.metrics,
    )
    try:
        password = read_password(args.password_stdin)
    except PasswordUnavailable as error:
        print(f"keydeck watch: {error}", file=err)
        return EXIT_KEYFILE
    except KeyboardInterrupt:
        return 130

    async def main() -> int:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            # Windows has no signal handlers in asyncio: ctrl+c raises KeyboardInterrupt.
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(signum, stop.set)
        return await watch_keyfile(locations, password, config, stop=stop, out=out, err=err)

    try:
        code = asyncio.run(main())
    except SetupError as error:
        print(f"keydeck watch: {error}", file=err)
        return EXIT_USAGE
    except VaultError as error:
        print(f"keydeck watch: {error}", file=err)
        return EXIT_KEYFILE
    except OSError as error:
        print(f"keydeck watch: cannot open the keyfile: {error.strerror or error}", file=err)
        return EXIT_KEYFILE
    except KeyboardInterrupt:
        code = 130
    except Exception:
        logging.getLogger(__name__).exception("keydeck watch failed")
        print(f"keydeck watch: unexpected error; details are in {locations.log_file}", file=err)
        return 1
    finally:
        logging.getLogger("tui").removeHandler(to_stderr)
    print("keydeck watch: stopped", file=err)
    return code
