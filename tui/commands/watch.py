"""`keydeck watch`: arguments, logging and signals around `watch_keyfile` (tui/watch).

Module import is light (argparse only): the connector and ccxt load when the command runs.
Exit codes: 0 stopped (SIGTERM), 2 a bad option or sink, 3 the keyfile could not be opened
or was re-keyed, 130 stopped by ctrl+c. Options are added in `add_options`, read in
`watch_config`: a new option touches those two places.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
from typing import TYPE_CHECKING, Any, TextIO

from tui.commands.preamble import Context, Failed, Spec, add_password_option, run_command

if TYPE_CHECKING:
    from tui.base.paths import Locations
    from tui.watch.runner import WatchConfig

WEBHOOKS_ENV = "KEYDECK_WEBHOOKS"
MIN_INTERVAL_S = 1.0
EXIT_USAGE = 2
EXIT_KEYFILE = 3
SPEC = Spec("watch", keyfile_exit=EXIT_KEYFILE, failure_exit=1)


def add_parser(sub: Any) -> argparse.ArgumentParser:
    """Add the `watch` subcommand to `keydeck`'s subparsers."""
    watch = sub.add_parser(
        "watch",
        help="watch every key in the background and report changes (JSON lines, webhooks...)",
        description="Check every key every interval and report each change once: a key "
        "failing or recovering, a new or cleared risk, a key nearing expiry. Events are JSON "
        "lines on stdout and go to every sink given. Reads the keyfile without locking it, so "
        "it runs beside the app. Password from KEYDECK_PASSWORD or --password-stdin. "
        f"Webhook URLs may also come from {WEBHOOKS_ENV} (space-separated), which keeps "
        "them out of the process list. Exit codes: 0 stopped, 2 bad option, 3 keyfile not "
        "opened or re-keyed, 130 ctrl+c. See docs/watch.md.",
    )
    add_options(watch)
    add_password_option(watch)
    return watch


def add_options(watch: argparse.ArgumentParser) -> None:
    """The watch's own options (read back in `watch_config`)."""
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


def watch_config(args: argparse.Namespace) -> WatchConfig:
    """The options of `add_options` as the runner's configuration."""
    from tui.commands.passwords import environment_value
    from tui.watch.runner import WatchConfig

    if args.interval < MIN_INTERVAL_S:
        raise Failed(f"--interval must be at least {MIN_INTERVAL_S:g} s", EXIT_USAGE)
    return WatchConfig(
        interval_s=args.interval,
        webhooks=[*args.webhook, *(environment_value(WEBHOOKS_ENV) or "").split()],
        webhook_format=args.webhook_format,
        commands=args.commands,
        desktop=args.desktop,
        balance_move_pct=args.balance_move,
        record_history=not args.no_history,
        metrics=args.metrics,
    )


def run(
    args: argparse.Namespace,
    locations: Locations,
    *,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """The `keydeck watch` command; returns the exit code. Never shows a traceback."""

    def body(context: Context) -> int:
        return _watch(context, out)

    return run_command(SPEC, args, locations, body, out=out, err=err)


def _watch(context: Context, out: TextIO | None) -> int:
    from tui.base.redact import ScrubFilter
    from tui.watch.runner import watch_keyfile
    from tui.watch.sinks import SetupError

    config = watch_config(context.args)
    password = context.password()
    err = context.err
    to_stderr = logging.StreamHandler(err)
    to_stderr.setLevel(logging.WARNING)
    to_stderr.addFilter(ScrubFilter())
    to_stderr.setFormatter(logging.Formatter("keydeck watch: %(message)s"))
    logging.getLogger("tui").addHandler(to_stderr)
    interrupted: list[bool] = []

    async def main() -> int:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()

        def on_interrupt() -> None:
            interrupted.append(True)
            stop.set()

        # Windows has no signal handlers in asyncio: ctrl+c raises KeyboardInterrupt.
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signal.SIGTERM, stop.set)
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signal.SIGINT, on_interrupt)
        return await watch_keyfile(context.locations, password, config, stop=stop, out=out, err=err)

    try:
        code = asyncio.run(main())
    except SetupError as error:
        raise Failed(str(error), EXIT_USAGE) from None
    except OSError as error:
        raise Failed(f"cannot open the keyfile: {error.strerror or error}", EXIT_KEYFILE) from None
    finally:
        logging.getLogger("tui").removeHandler(to_stderr)
    context.say("stopped")
    return 130 if interrupted and code == 0 else code
