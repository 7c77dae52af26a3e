"""What an exchange's answers always carry, checked before anything in them counts.

A captive portal, a broken proxy or a hostile endpoint can answer `{}` or `[]` with status 200.
ccxt reads a missing field as "nothing there": an empty balance, a key with no rights. So each
exchange module declares the fields its balance and permission answers always hold (a
`Shape`); an answer without them is a `MalformedResponse` (shown as "not what it sends"),
never "$0.00" or "safe". A server time must be a plausible moment, on every exchange.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from tui.connect.problems import MalformedResponse

JsonType = type | tuple[type, ...]

# 2017-01-01 and 2100-01-01 in ms: a server time outside this is not a time.
_EARLIEST_MS = 1_483_228_800_000
_LATEST_MS = 4_102_444_800_000


@dataclass(frozen=True)
class Shape:
    """The fields one answer always holds.

    `root` is the answer's own JSON type. `fields` maps a dotted path to the JSON type found
    there: `"result.list"` is `answer["result"]["list"]`, and a number step indexes a list
    (`"data.0.details"`). `items` are paths every entry of a list answer holds: keys of
    object rows (`"currency"`) or positions of array rows (`"4"`, Bitfinex). `one_of` are
    alternative field sets for an exchange that answers in more than one documented form:
    the answer must hold every field of at least one of them.
    """

    root: JsonType = dict
    fields: Mapping[str, JsonType] = field(default_factory=dict)
    items: tuple[str, ...] = ()
    one_of: tuple[Mapping[str, JsonType], ...] = ()

    def faults(self, answer: Any) -> list[str]:
        """What is missing or of the wrong type; empty when the answer has this shape."""
        if not isinstance(answer, self.root):
            return [f"the answer is {_json_type(answer)}, not {_type_names(self.root)}"]
        faults = _field_faults(answer, self.fields)
        if self.one_of:
            alternatives = [_field_faults(answer, fields) for fields in self.one_of]
            if all(alternatives):
                faults.append(" or ".join("; ".join(found) for found in alternatives))
        if self.items and isinstance(answer, list):
            for index, entry in enumerate(answer):
                if any(_at(entry, path) is _MISSING for path in self.items):
                    faults.append(f"entry {index} lacks {', '.join(self.items)}")
                    break
        return faults


def _field_faults(answer: Any, fields: Mapping[str, JsonType]) -> list[str]:
    return [
        f"{path} is {_json_type(value)}, not {_type_names(expected)}"
        if value is not _MISSING
        else f"{path} is missing"
        for path, expected in fields.items()
        if (value := _at(answer, path)) is _MISSING or not isinstance(value, expected)
    ]


_MISSING: Any = object()


def _at(answer: Any, path: str) -> Any:
    value = answer
    for step in path.split("."):
        if isinstance(value, dict) and step in value:
            value = value[step]
        elif isinstance(value, list) and step.isdigit() and int(step) < len(value):
            value = value[int(step)]
        else:
            return _MISSING
    return value


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    return {dict: "an object", list: "a list", str: "text", bool: "true/false"}.get(
        type(value), "a number" if isinstance(value, int | float) else type(value).__name__
    )


def _type_names(expected: JsonType) -> str:
    kinds = expected if isinstance(expected, tuple) else (expected,)
    return " or ".join(_json_type(kind()) for kind in kinds)


def require_json(payload: Any, what: str) -> None:
    """ccxt hands back the raw text when an answer is not JSON; never treat it as data."""
    if isinstance(payload, str | bytes):
        raise MalformedResponse(f"the {what} answer was not JSON: {str(payload)[:120]!r}")


def require_shape(answer: Any, shape: Shape | None, exchange_id: str, what: str) -> None:
    """Raise MalformedResponse when `answer` lacks what `shape` says it always holds."""
    if shape is None:
        return
    faults = shape.faults(answer)
    if faults:
        raise MalformedResponse(f"{exchange_id}: the {what} answer {'; '.join(faults)}")


def has_shape(answer: Any, shape: Shape | None) -> bool:
    return shape is None or not shape.faults(answer)


def require_server_time(value: Any, exchange_id: str) -> float:
    """A server time (ms since the epoch) that is a finite, plausible moment."""
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or not _EARLIEST_MS <= value <= _LATEST_MS
    ):
        raise MalformedResponse(
            f"{exchange_id}: the server time answer held no time ({_json_type(value)})"
        )
    return float(value)
