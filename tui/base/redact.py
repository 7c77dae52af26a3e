"""Keeping secrets out of reprs, logs and crash reports.

`Secret` wraps a secret string so that printing it, logging it, or a traceback that shows
local variables never shows the value. Every `Secret` registers its value, and the forms it
takes when echoed back (JSON-escaped, repr'd, URL-quoted), so that the logging filter can
scrub it from any record, even one that was formatted from the plain string by mistake.
`scrub` also blanks what is secret by its place whatever its value: the exchanges' auth
headers (`Authorization: Bearer ...`, `X-MBX-APIKEY`, `OK-ACCESS-SIGN`, ...), `signature=`
/ `sign=` / `sig=` parameters, a signature or passphrase echoed back in a JSON body (KuCoin
echoes its signed passphrase) and any JSON Web Token (bearer tokens). Python strings cannot
be wiped from memory; `forget_all` only drops our references and stops scrubbing after a
lock.
"""

from __future__ import annotations

import functools
import logging
import re
import threading
from collections.abc import Iterable
from typing import NoReturn
from urllib.parse import quote, quote_plus

from tui.base.inert import inert

REDACTED = "••••••"
_MIN_SCRUB_LENGTH = 4  # shorter values would scrub ordinary words

_lock = threading.Lock()
_known: set[str] = set()
_pattern: re.Pattern[str] | None = None


# Headers that carry a key, a signature or a passphrase (ccxt's names for each exchange):
# Binance, OKX, Bybit, KuCoin, Kraken, Gate, Bitget, Coinbase, and any bearer token.
_AUTH_HEADERS = (
    r"authorization|x-mbx-apikey|ok-access-(?:key|sign|passphrase)|x-bapi-(?:api-key|sign)"
    r"|kc-api-(?:key|sign|passphrase)|api-(?:key|sign)|access-(?:key|sign|passphrase)"
    r"|cb-access-[a-z]+(?:-[a-z]+)*"
    # Any other exchange's (Gemini, Bitfinex, WOO, BingX, MEXC...): a name ending in one of
    # these, e.g. X-GEMINI-SIGNATURE, bfx-apikey, x-api-signature, X-BX-APIKEY.
    r"|[a-z0-9]+(?:-[a-z0-9]+)*-(?:sign|signature|apikey|api-key|passphrase|payload)"
)
# Gate's KEY and SIGN, and what an exchange echoes back in a JSON body; ordinary words
# outside quotes (only at the start of a line there).
_BARE_NAMES = r"key|apikey|sign|signature|sig|passphrase"
_AUTH_SCHEME = r"(?:(?:bearer|basic|token|digest)\s+)?"
_NOT_NAME = r"(?<![\w-])"  # so kc-api-key never matches inside kc-api-key-version
_END_NAME = r"(?![\w-])"


@functools.cache
def _by_place() -> tuple[re.Pattern[str], ...]:
    """What is secret by its place, compiled on first use (not on the way to the app's
    first frame)."""
    # 'Name': 'value' and "Name": "value" (dict reprs, JSON): the value up to its closing quote.
    quoted_header = re.compile(
        rf"""(?P<head>(?P<q>['"]){_NOT_NAME}(?:{_AUTH_HEADERS}|{_BARE_NAMES}){_END_NAME}(?P=q)"""
        rf"""\s*[:=]\s*(?P<v>['"]){_AUTH_SCHEME})(?:\\.|(?!(?P=v)).)+""",
        re.IGNORECASE,
    )
    # Name: value (a header line): the one token after the name (and its auth scheme).
    header_line = re.compile(
        rf"(?P<head>{_NOT_NAME}(?:{_AUTH_HEADERS}){_END_NAME}\s*:\s*{_AUTH_SCHEME})[^\s,;'\"]+",
        re.IGNORECASE,
    )
    bare_header_line = re.compile(  # KEY: value, only at the start of a line
        rf"(?P<head>^\s*(?:{_BARE_NAMES}){_END_NAME}\s*:\s*)[^\s,;'\"]+",
        re.IGNORECASE | re.MULTILINE,
    )
    # signature=... / sign=... in a URL, a form body or plain text.
    signature_param = re.compile(
        r"(?P<head>(?<![\w-])(?:signature|sign|sig)=)[^&\s'\"#]+", re.IGNORECASE
    )
    # A JSON Web Token anywhere (Coinbase's and Upbit's bearer tokens, echoed in an error).
    jwt = re.compile(r"(?P<head>)(?<![\w-])eyJ[\w-]{4,}\.[\w-]{4,}\.[\w-]*")
    return (quoted_header, header_line, bare_header_line, signature_param, jwt)


def echoed_forms(value: str) -> set[str]:
    """`value` and how it reads when echoed back: JSON-escaped (ASCII and not), repr'd,
    URL-quoted (path, component, form), so a passphrase with `"` or `\\` in a JSON body is
    still found."""
    import json  # here: the app's first frame does not pay for it

    forms = {
        value,
        json.dumps(value)[1:-1],
        json.dumps(value, ensure_ascii=False)[1:-1],
        repr(value)[1:-1],
        ascii(value)[1:-1],
        quote(value),
        quote(value, safe=""),
        quote_plus(value),
    }
    forms |= {re.sub(r"%[0-9A-F]{2}", lambda m: m.group().lower(), f) for f in forms}
    return {form for form in forms if len(form) >= _MIN_SCRUB_LENGTH}


def register(value: str) -> None:
    """Remember a secret value (and its echoed forms) so logs are scrubbed of it."""
    global _pattern
    if len(value) < _MIN_SCRUB_LENGTH:
        return
    with _lock:
        if value not in _known:
            _known.update(echoed_forms(value))
            _pattern = None


def forget_all() -> None:
    """Drop every registered value (after lock, or between tests)."""
    global _pattern
    with _lock:
        _known.clear()
        _pattern = None


def scrub(text: str, extra: Iterable[str] = ()) -> str:
    """Replace every registered secret (and any in `extra`, in each echoed form) and every
    auth header or signature parameter value found in `text`."""
    global _pattern
    extras: set[str] = set()
    for value in extra:
        if len(value) >= _MIN_SCRUB_LENGTH:
            extras |= echoed_forms(value)
    with _lock:
        if not _known and not extras:
            pattern = None
        elif extras:
            values = sorted(_known.union(extras), key=len, reverse=True)
            pattern = re.compile("|".join(re.escape(v) for v in values))
        else:
            if _pattern is None:
                values = sorted(_known, key=len, reverse=True)
                _pattern = re.compile("|".join(re.escape(v) for v in values))
            pattern = _pattern
    if pattern is not None:
        text = pattern.sub(REDACTED, text)
    for by_place in _by_place():
        text = by_place.sub(rf"\g<head>{REDACTED}", text)
    return text


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

    def __reduce__(self) -> NoReturn:
        raise TypeError("a Secret cannot be pickled")


LOG_RECORD_LIMIT = 64_000


def for_log(text: str) -> str:
    """A log record's text scrubbed of secrets, with control characters (an exchange's
    ANSI/OSC sequences) shown as escapes; newlines and tabs stay, for tracebacks."""
    return inert(scrub(text), LOG_RECORD_LIMIT, keep_lines=True)


class ScrubFilter(logging.Filter):
    """Logging filter that replaces registered secret values in the formatted message
    and makes control characters inert."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not break logging
            message = str(record.msg)
        record.msg = for_log(message)
        record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            formatted = logging.Formatter().formatException(record.exc_info)
            record.exc_text = for_log(formatted)
            record.exc_info = None
        return True
