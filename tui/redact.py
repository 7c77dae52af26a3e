"""Keeping secrets out of reprs, logs and crash reports.

`Secret` wraps a secret string so that printing it, logging it, or a traceback that shows
local variables never shows the value. Every `Secret` registers its value so that the
logging filter can scrub it from any record, even one that was formatted from the plain
string by mistake. Python strings cannot be wiped from memory; `forget_all` only drops our
references and stops scrubbing after a lock.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable

REDACTED = "••••••"
_MIN_SCRUB_LENGTH = 4  # shorter values would scrub ordinary words

_lock = threading.Lock()
_known: set[str] = set()
_pattern: re.Pattern[str] | None = None


def register(value: str) -> None:
    """Remember a secret value so logs are scrubbed of it."""
    global _pattern
    if len(value) < _MIN_SCRUB_LENGTH:
        return
    with _lock:
        if value not in _known:
            _known.add(value)
            _pattern = None


def forget_all() -> None:
    """Drop every registered value (after lock, or between tests)."""
    global _pattern
    with _lock:
        _known.clear()
        _pattern = None


def scrub(text: str, extra: Iterable[str] = ()) -> str:
    """Replace every registered secret (and any in `extra`) found in `text`."""
    global _pattern
    extras = [value for value in extra if len(value) >= _MIN_SCRUB_LENGTH]
    with _lock:
        if not _known and not extras:
            return text
        if extras:
            values = sorted(_known.union(extras), key=len, reverse=True)
            pattern = re.compile("|".join(re.escape(v) for v in values))
        else:
            if _pattern is None:
                values = sorted(_known, key=len, reverse=True)
                _pattern = re.compile("|".join(re.escape(v) for v in values))
            pattern = _pattern
    return pattern.sub(REDACTED, text)


def mask(value: str, visible: int = 4) -> str:
    """A display form that shows only the last `visible` characters: `••••••3f9a`.

    Short values are masked whole, so a masked passphrase never gives itself away.
    """
    if len(value) <= visible * 3:
        return REDACTED
    return REDACTED + value[-visible:]


class Secret:
    """A secret string whose repr and str never show the value. `reveal()` returns it."""

    __slots__ = ("_value",)

    def __init__(self, value: str | Secret) -> None:
        plain = value.reveal() if isinstance(value, Secret) else value
        if not isinstance(plain, str):
            raise TypeError("Secret holds a str")
        self._value = plain
        register(plain)

    def reveal(self) -> str:
        return self._value

    def masked(self, visible: int = 4) -> str:
        return mask(self._value, visible)

    def __repr__(self) -> str:
        return f"Secret({REDACTED!r})"

    def __str__(self) -> str:
        return REDACTED

    def __format__(self, spec: str) -> str:
        return REDACTED

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Secret):
            return self._value == other._value
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._value)

    def __len__(self) -> int:
        return len(self._value)

    def __bool__(self) -> bool:
        return bool(self._value)

    def __reduce__(self) -> object:
        raise TypeError("a Secret cannot be pickled")


class ScrubFilter(logging.Filter):
    """Logging filter that replaces registered secret values in the formatted message."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not break logging
            message = str(record.msg)
        record.msg = scrub(message)
        record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            formatted = logging.Formatter().formatException(record.exc_info)
            record.exc_text = scrub(formatted)
            record.exc_info = None
        return True
