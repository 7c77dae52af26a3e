"""Small parsers for the loosely typed fields of exchange answers (flags, times, lists, IPs).

Exchanges send the same idea in many shapes: `true`, `"1"` and `1`; seconds, milliseconds
and ISO 8601; JSON lists and comma separated strings. These turn them into Python values,
with `None` for "not said" rather than a guess.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any


def unwrap(raw: Any, *keys: str) -> Any:
    """Follow `data`/`result` envelopes: unwrap(r, "data") -> r["data"] when present."""
    value = raw
    for key in keys:
        if isinstance(value, dict) and key in value:
            value = value[key]
    if isinstance(value, list) and len(value) == 1 and isinstance(value[0], dict):
        return value[0]
    return value


def as_bool(value: Any) -> bool | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return bool(value)
    text = str(value).strip().lower()
    if text in ("true", "1", "yes", "y", "on"):
        return True
    if text in ("false", "0", "no", "n", "off"):
        return False
    return None


def as_time(value: Any) -> datetime | None:
    """Seconds or milliseconds since the epoch (int or digit string), or ISO 8601."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    if isinstance(value, int | float) or (isinstance(value, str) and value.strip().isdigit()):
        number = float(value)
        if number <= 0:
            return None
        if number > 1e11:  # milliseconds
            number /= 1000
        try:
            return datetime.fromtimestamp(number, tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if isinstance(value, str):
        text = value.strip().replace("Z", "+00:00")
        with contextlib.suppress(ValueError):
            parsed = datetime.fromisoformat(text)
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return None


def as_list(value: Any) -> list[str]:
    """A JSON list or a comma/space separated string -> list of non-empty strings."""
    if value is None:
        return []
    if isinstance(value, str):
        parts: Iterable[Any] = value.replace(";", ",").replace(" ", ",").split(",")
    elif isinstance(value, list | tuple | set):
        parts = value
    else:
        parts = [value]
    return [str(part).strip() for part in parts if str(part).strip()]


_ANY_IP = frozenset({"*", "0.0.0.0", "0.0.0.0/0", "::/0", "any"})  # noqa: S104 - markers


def ip_list(value: Any) -> tuple[str, ...]:
    """IP allowlist entries, with the exchanges' "any IP" markers removed."""
    return tuple(ip for ip in as_list(value) if ip not in _ANY_IP)


def allowlist_in_use(addresses: tuple[str, ...]) -> bool:
    """For exchanges without a flag of their own: restricted when the allowlist has entries."""
    return bool(addresses)


def expiry_in_days(value: Any, now: datetime | None = None) -> datetime | None:
    """An expiry given as whole days left (MEXC `remainingValidity`, HTX `validDays`).

    A negative count (-1 = "permanent") or no count is no expiry. The exact moment lies
    somewhere in the last day counted; midday of it keeps "expires in N days" showing N.
    """
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        days = int(float(value))
    except (TypeError, ValueError):
        return None
    if days < 0:
        return None
    return (now or datetime.now(UTC)) + timedelta(days=days, hours=12)
