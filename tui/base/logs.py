"""Logging to a file in the log directory, with secrets scrubbed from every record.

The log never speaks on its own behalf: a record it cannot write (disk full, read-only
medium, a removed directory) is dropped and counted, never reported on stderr, where it
would break the app's screen and the output `keydeck check` gives a monitor.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import stat
from pathlib import Path

from tui.base.paths import ensure_private_dir
from tui.base.redact import ScrubFilter

_MAX_BYTES = 1_000_000
_BACKUPS = 3
# Loggers that go to the file: ours, ccxt's warnings, asyncio's ("Task was destroyed") and
# Python warnings once `logging.captureWarnings(True)`: none of them belongs on stderr.
_LOGGERS = {
    "tui": None,
    "ccxt": logging.WARNING,
    "asyncio": logging.WARNING,
    "py.warnings": logging.WARNING,
}


class QuietFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating log file that drops what it cannot write instead of printing tracebacks.

    `logging.Handler.handleError` prints "--- Logging error ---" and a traceback to stderr
    for every failed record (27 of them for one `keydeck check` on a full disk).
    """

    dropped: int = 0

    def handleError(self, record: logging.LogRecord) -> None:
        self.dropped += 1

    def flush(self) -> None:
        try:
            super().flush()
        except (OSError, ValueError):
            self.dropped += 1

    def close(self) -> None:
        try:
            super().close()
        except (OSError, ValueError):  # the last flush failed; the file is closed anyway
            self.dropped += 1


def setup_logging(log_file: Path, level: int = logging.INFO) -> QuietFileHandler:
    """Send the `tui` loggers (and others' warnings, see `_LOGGERS`) to a rotating, private
    file."""
    ensure_private_dir(log_file.parent)
    handler = QuietFileHandler(
        log_file, maxBytes=_MAX_BYTES, backupCount=_BACKUPS, encoding="utf-8"
    )
    handler.addFilter(ScrubFilter())
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    for name, own_level in _LOGGERS.items():
        logger = logging.getLogger(name)
        logger.addHandler(handler)
        logger.setLevel(level if own_level is None else own_level)
    _make_private(handler)
    return handler


def _make_private(handler: logging.FileHandler) -> None:
    """Mode 0600 on the open log file, if it is a plain file (never a device it points at)."""
    stream = handler.stream
    if stream is None:
        return
    descriptor = stream.fileno()
    if hasattr(os, "fchmod") and stat.S_ISREG(os.fstat(descriptor).st_mode):
        os.fchmod(descriptor, 0o600)


def stop_logging(handler: logging.Handler) -> None:
    """Detach a handler made by `setup_logging` from every logger it was given, and close it."""
    for name in _LOGGERS:
        logging.getLogger(name).removeHandler(handler)
    handler.close()
