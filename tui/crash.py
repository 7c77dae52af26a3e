"""Crash reports without secrets: the one place Keydeck reaches into Textual's internals.

Textual prints an unhandled exception as a traceback *with local variables*, which would put
decrypted keys on the terminal. Textual has no public hook for this (`App.panic` prints, but
is not called for ordinary exceptions), so `ScrubbedCrashes` overrides the private
`App._handle_exception`. `tests/app/test_crash.py` pins the Textual code this replaces: it
fails when Textual changes it, so an upgrade cannot silently bring the locals back.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable

from rich.text import Text
from textual.app import App

from tui import redact

log = logging.getLogger(__name__)

CRASH_HEADER = (
    "Keydeck stopped on an unexpected error. No key or password is shown below; the same "
    "report is in the log file."
)


def crash_report(error: BaseException, secrets: Callable[[], list[str]]) -> str:
    """The traceback without local variables, every known secret scrubbed out."""
    plain = "".join(traceback.format_exception(error))
    try:
        extra = secrets()
    except Exception:  # a crash report must never crash
        extra = []
    return redact.scrub(plain, extra=extra)


class ScrubbedCrashes(App[None]):
    """Mixin for the app class: an unhandled exception exits with a scrubbed report."""

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
        self.panic(Text(f"{CRASH_HEADER}\n\n{report}"))
