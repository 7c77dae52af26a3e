"""Logging to a file in the log directory, with secrets scrubbed from every record."""

from __future__ import annotations

import logging
import logging.handlers
import os
from pathlib import Path

from tui.paths import ensure_private_dir
from tui.redact import ScrubFilter

_MAX_BYTES = 1_000_000
_BACKUPS = 3


def setup_logging(log_file: Path, level: int = logging.INFO) -> logging.Handler:
    """Send the `tui` loggers (and ccxt's warnings) to a rotating, private log file."""
    ensure_private_dir(log_file.parent)
    handler = logging.handlers.RotatingFileHandler(
        log_file, maxBytes=_MAX_BYTES, backupCount=_BACKUPS, encoding="utf-8"
    )
    handler.addFilter(ScrubFilter())
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    for name in ("tui", "ccxt"):
        logger = logging.getLogger(name)
        logger.addHandler(handler)
        logger.setLevel(level if name == "tui" else logging.WARNING)
    if log_file.exists():
        os.chmod(log_file, 0o600)
    return handler
