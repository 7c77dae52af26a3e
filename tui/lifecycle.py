"""The full-screen app as a process: start, run, and end cleanly however it ends.

`keydeck` runs `run_app`, `keydeck --demo` runs `run_demo`. Either way the app ends the same
way on ctrl+q, on SIGTERM or SIGHUP (tui/termination.py: the terminal restored, the session
closed, the demo simulator stopped and its directory removed; exit 128 + the signal) and on
an unexpected error (tui/crash.py: a scrubbed report in the state directory). A keyfile save
under way when a signal comes finishes (closing the vault waits on the save's lock; a save
not yet begun is refused, VaultClosed) and every save is atomic (tui/vault/files.py); the
loop's worker threads are waited for (`asyncio.run`) before the demo directory goes.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui import termination

if TYPE_CHECKING:
    from textual.app import App

    from tui.paths import Locations

log = logging.getLogger(__name__)


def run_until_exit(app: App[Any]) -> int:
    """Run `app` in this terminal until it exits; its exit code (128 + the signal after a
    SIGTERM or SIGHUP)."""
    with termination.held():
        if termination.received() is None:
            asyncio.run(_run(app))
        return termination.exit_code(app.return_code or 0)


async def _run(app: App[Any]) -> None:
    def end(signum: int) -> None:
        log.info("%s: ending as on quit", signal.Signals(signum).name)
        app.exit(return_code=128 + signum)

    with termination.attached(asyncio.get_running_loop(), end):
        await app.run_async()


def run_app(
    locations: Locations, *, notice: str | None = None, crash_dir: Path | None = None
) -> int:
    """`keydeck` with no subcommand (and the app of `keydeck --demo`)."""
    from tui.app import KeydeckApp
    from tui.process import disable_core_dumps

    disable_core_dumps()

    def start_log() -> str | None:
        from tui.logs import setup_logging

        try:
            setup_logging(locations.log_file)
        except OSError as error:
            return f"Cannot write the log file {locations.log_file}: {error.strerror}"
        return None

    app = KeydeckApp(locations, notice=notice, after_first_frame=start_log, crash_dir=crash_dir)
    return run_until_exit(app)


def run_demo(config_dir: str | None = None) -> int:
    """`keydeck --demo`: the app on a demo session, then the simulator stopped and the
    throwaway directory removed, also after SIGTERM or SIGHUP."""
    from tui.demo import DemoError, start_demo

    with termination.held():  # from the start: a signal during set-up still cleans up
        try:
            session = start_demo(config_dir)
        except DemoError as error:
            print(f"keydeck: {error}", file=sys.stderr)
            return 2
        code = 0
        try:
            if termination.received() is None:
                code = run_app(
                    session.locations, notice=session.notice(), crash_dir=session.crash_dir
                )
        finally:
            session.close()
        return termination.exit_code(code)
