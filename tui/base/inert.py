"""Making strings from exchanges and import files inert before anyone shows them.

An asset name, a key's label, an error text: whoever answers (a custom endpoint, a proxy, a
compromised exchange) or whoever wrote an import file chooses them. `inert` turns every
control character into a visible escape (`\\x1b`, `\\u202e`), so ANSI/OSC sequences, BEL,
carriage returns and bidi overrides cannot move the cursor, erase lines, retitle the
terminal or reorder text; it also caps the length. `csv_cell` and `csv_writer` add the
spreadsheet rule: a cell starting with `= + - @`, tab or CR gets a `'` in front, so it is
never read as a formula.

This module imports nothing of Keydeck, so every layer can use it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, TextIO

ASSET_LIMIT = 64
LABEL_LIMIT = 200
TEXT_LIMIT = 2000
ELLIPSIS = "…"

# C0 (incl. ESC, BEL, CR, LF, TAB), DEL and C1 (incl. CSI 0x9b, OSC 0x9d); the bidi
# controls (ALM, LRM, RLM, LRE..RLO, LRI..PDI); line and paragraph separators; BOM.
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ufeff]"
)
_UNSAFE_KEEP_LINES = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ufeff]"
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def inert(value: object, limit: int = LABEL_LIMIT, *, keep_lines: bool = False) -> str:
    """`value` as text with every control character shown as an escape, at most `limit`
    characters (an ellipsis marks a cut). `keep_lines` keeps newlines and tabs (log
    records, tracebacks)."""
    text = value if isinstance(value, str) else str(value)
    pattern = _UNSAFE_KEEP_LINES if keep_lines else _UNSAFE
    if len(text) > limit * 4:  # escaping at most quadruples; never scan a huge string whole
        text = text[: limit * 4]
    text = pattern.sub(_escape, text)
    if len(text) > limit:
        text = text[: max(limit - 1, 0)] + ELLIPSIS
    return text


def inert_or_none(value: object, limit: int = LABEL_LIMIT) -> str | None:
    return None if value is None else inert(value, limit)


def inert_all(values: Iterable[object], limit: int = LABEL_LIMIT) -> tuple[str, ...]:
    return tuple(inert(value, limit) for value in values)


def csv_cell(value: object) -> object:
    """A text cell made inert and never a formula; numbers (not text) pass unchanged."""
    if not isinstance(value, str):
        return value
    text = inert(value, TEXT_LIMIT) if value else value
    if text.startswith(_FORMULA_START) or value.startswith(_FORMULA_START):
        return "'" + text
    return text


class _SafeWriter:
    """A `csv.writer` whose every text cell goes through `csv_cell`."""

    def __init__(self, out: TextIO) -> None:
        import csv  # here: the app's first frame does not pay for it

        self._writer = csv.writer(out, lineterminator="\n")

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([csv_cell(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(out: TextIO) -> _SafeWriter:
    """Every CSV Keydeck writes goes through this (see `csv_cell`)."""
    return _SafeWriter(out)
