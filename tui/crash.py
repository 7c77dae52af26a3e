"""Crash reports without secrets: the one place Keydeck reaches into Textual's internals.

Textual prints an unhandled exception as a traceback *with local variables*, which would put
decrypted keys on the terminal. Textual has no public hook for this (`App.panic` prints, but
is not called for ordinary exceptions), so `ScrubbedCrashes` overrides the private
`App._handle_exception`. `tests/app/test_crash.py` pins the Textual code this replaces: it
fails when Textual changes it, so an upgrade cannot silently bring the locals back.

The report (traceback without locals, every known secret scrubbed) goes to a file of its own
in the state directory (`Locations.crash_dir`; the demo's is outside its throwaway
directory). Once Textual has restored the terminal, `run_async` prints a short message that
first says Keydeck has exited, so nobody types the master password into the shell thinking
it is the unlock screen, then where the report is.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import textwrap
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from textual.app import App

from tui import redact
from tui.paths import display_path, ensure_private_dir
from tui.process import say

log = logging.getLogger(__name__)

EXITED = (
    "Keydeck has exited after an unexpected error.\n"
    "This terminal is back at the shell: what you type now goes to the shell,\n"
    "not to Keydeck (do not type your master password here)."
)
KEEP_REPORTS = 20


def crash_report(error: BaseException, secrets: Callable[[], list[str]]) -> str:
    """The traceback without local variables, every known secret scrubbed out."""
    plain = "".join(traceback.format_exception(error))
    try:
        extra = secrets()
    except Exception:  # a crash report must never crash
        extra = []
    return redact.scrub(plain, extra=extra)


def write_crash_report(directory: Path, report: str) -> Path:
    """`report` in a new 0600 file of the private `directory` (the oldest beyond
    `KEEP_REPORTS` removed); OSError when it cannot be written."""
    ensure_private_dir(directory)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    for attempt in range(100):
        path = directory / f"crash-{stamp}-{os.getpid()}{f'-{attempt}' if attempt else ''}.txt"
        try:
            descriptor = os.open(path, flags, 0o600)
        except FileExistsError:
            continue
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(f"{_about()}\n\n{report}")
        _prune(directory)
        return path
    raise FileExistsError(f"too many crash reports in {directory} this second")


def _about() -> str:
    import platform

    from textual import __version__ as textual_version

    from tui import __version__

    return (
        f"Keydeck {__version__} crash report, {datetime.now(UTC).isoformat(timespec='seconds')}"
        f" (Python {platform.python_version()}, Textual {textual_version}, {platform.system()})"
    )


def _prune(directory: Path) -> None:
    with contextlib.suppress(OSError):
        reports = sorted(directory.glob("crash-*.txt"), key=lambda p: p.stat().st_mtime)
        for old in reports[:-KEEP_REPORTS]:
            old.unlink()


def crash_message(report: str, directory: Path | None) -> str:
    """What the terminal shows once it is back: that Keydeck has exited (first), where the
    report is, and the error's last line. The whole report when no file could be written."""
    error_line = (report.strip().splitlines() or [""])[-1]
    if directory is None:
        return f"{EXITED}\n\n{report}"
    try:
        path = write_crash_report(directory, report)
    except OSError as error:
        reason = error.strerror or str(error)
        why = textwrap.fill(
            f"The crash report could not be written to {display_path(directory)} ({reason}); "
            "here it is, with no key or password in it:",
            width=76,
            break_long_words=False,
            break_on_hyphens=False,
        )
        return f"{EXITED}\n\n{why}\n\n{report}"
    return (
        f"{EXITED}\n\nThe crash report (no key or password in it) is in\n  "
        f"{display_path(path)}\n\n{error_line}"
    )


class ScrubbedCrashes(App[None]):
    """Mixin for the app class: an unhandled exception exits with a scrubbed report."""

    crash_dir: Path | None = None
    """Where crash reports are written (None: shown on the terminal only)."""
    crash_message: str | None = None
    """What the terminal shows once the app has ended after a crash."""

    def crash_secrets(self) -> list[str]:
        """Plain secrets that must not appear in a report (the app overrides this)."""
        return []

    def _handle_exception(self, error: Exception) -> None:
        # Mirrors textual.app.App._handle_exception (8.2), minus the locals traceback.
        self._return_code = 1
        if self._exception is None:
            self._exception = error
            self._exception_event.set()
        report = crash_report(error, self.crash_secrets)
        log.error("crash:\n%s", report)
        self.bell()
        if self.crash_message is None:
            self.crash_message = crash_message(report, self.crash_dir)
        self.panic()  # ends the app at once; the message is printed by `run_async`

    async def run_async(self, **options: Any) -> Any:
        """Textual's, then the crash message once the terminal is restored: printed as plain
        lines (not a Rich renderable, which Textual pre-renders 80 columns wide and would
        break the report's path in two)."""
        try:
            return await super().run_async(**options)
        finally:
            if self.crash_message is not None:
                say(sys.stderr, self.crash_message)
