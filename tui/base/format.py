"""Plain-text formatting of money, amounts, durations and clock offsets for the dashboard.

Pure functions with no Textual import, so they are cheap to test and reuse.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

UNKNOWN = "unknown"
NONE = "–"


def usd(value: Decimal | None, *, cents: bool = True) -> str:
    """`$12,345.67`; None is an unknown price and reads "unknown", never "$0"."""
    if value is None:
        return UNKNOWN
    if cents:
        rounded = value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        if rounded == 0 and value > 0:
            return "<$0.01"
        return f"${rounded:,.2f}"
    return f"${value.quantize(Decimal(1), rounding=ROUND_HALF_UP):,.0f}"


def amount(value: Decimal, max_places: int | None = None) -> str:
    """An asset amount with thousands separators and no trailing zeros (`12,500.5`).

    Places shrink as the amount grows (8 below 1, 4 below 1,000, else 2), so columns stay
    narrow while small holdings keep their precision.
    """
    if max_places is None:
        size = abs(value)
        max_places = 8 if size < 1 else 4 if size < 1000 else 2
    step = Decimal(1).scaleb(-max_places)
    rounded = value.quantize(step, rounding=ROUND_HALF_UP)
    text = f"{rounded:,.{max_places}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def share(part: Decimal | None, whole: Decimal) -> str:
    """A percentage of the whole with one decimal; "–" when either side is unknown or zero."""
    if part is None or whole <= 0:
        return NONE
    percent = (part / whole * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{percent}%"


def retry_in(when: datetime, now: datetime) -> str:
    """ "retry in 15 s", "retry in 4 min": rounded up to 5 s steps (never "in 0"), so a
    network back-off of 15 s says 15, not 20, and a row changes every 5 s, not every second."""
    seconds = max(1, int((when - now).total_seconds() + 0.999))
    if seconds < 60:
        return f"retry in {-(-seconds // 5) * 5} s"
    return f"retry in {-(-seconds // 60)} min"


def ago(then: datetime | None, now: datetime, *, step_s: int = 1) -> str:
    """ "just now", "12 s ago", "3 min ago", "2 h ago", "4 d ago"; "never" for None.

    `step_s` rounds seconds down to steps ("10 s ago", "20 s ago"): a table column of many
    ages then changes every few seconds instead of every second, and each change makes
    Textual's DataTable re-render every visible cell.
    """
    if then is None:
        return "never"
    seconds = int((now - then).total_seconds())
    if seconds < max(1, step_s):
        return "just now"
    if seconds < 60:
        return f"{seconds // step_s * step_s} s ago"
    if seconds < 3600:
        return f"{seconds // 60} min ago"
    if seconds < 86400:
        return f"{seconds // 3600} h ago"
    return f"{seconds // 86400} d ago"


def ago_changes_at(then: datetime, now: datetime, *, step_s: int = 1) -> datetime:
    """When `ago(then, ..., step_s=step_s)` next reads differently from what it reads at
    `now`, or earlier (a clock tick can leave the text alone until then)."""
    seconds = (now - then).total_seconds()
    if seconds < 60:
        unit = min(max(1, step_s), 60)
    elif seconds < 3600:
        unit = 60
    elif seconds < 86400:
        unit = 3600
    else:
        unit = 86400
    return then + timedelta(seconds=(int(seconds // unit) + 1) * unit)


def latency(ms: float | None) -> str:
    """Two significant digits: "8 ms", "85 ms", "210 ms", "1.2 s", "15 s". A round trip
    varies by a few ms from one check to the next; "212 ms" then "207 ms" re-rendered every
    row of the status table each round for a difference no one acts on."""
    if ms is None:
        return NONE
    if ms >= 9_950:
        return f"{ms / 1000:.0f} s"
    if ms >= 995:
        return f"{ms / 1000:.1f} s"
    if ms >= 99.5:
        return f"{round(ms, -1):.0f} ms"
    return f"{ms:.0f} ms"


# Exchanges whose server time comes in whole seconds (Coinbase's and Kraken's time
# endpoints): their offset is only known to the second. The connector adds the same second
# to its uncertainty before it warns; AccountStatus does not carry that uncertainty yet.
WHOLE_SECOND_CLOCKS = frozenset({"coinbase", "coinbaseadvanced", "kraken"})


def clock_offset(ms: float | None, *, whole_seconds: bool = False) -> str:
    """Signed offset of the exchange's clock from ours, to the precision the exchange
    gives: "+3.2 s", "-120 ms", "0 ms"; from a whole-second clock "+1 s ±1 s", "0 s ±1 s"
    (never "-974 ms", which is rounding noise, nor "-0")."""
    if ms is None:
        return NONE
    if whole_seconds:
        seconds = round(ms / 1000)
        return f"{seconds:+d} s ±1 s" if seconds else "0 s ±1 s"
    if round(abs(ms)) == 0:
        return "0 ms"
    sign = "+" if ms > 0 else "-"
    magnitude = abs(ms)
    if magnitude >= 1000:
        return f"{sign}{magnitude / 1000:.1f} s"
    return f"{sign}{magnitude:.0f} ms"


def clock_for_verdict(offset_ms: float | None, problem_kind: str | None) -> float | None:
    """The clock offset to show beside a check's verdict: none when the key failed for
    another reason than the clock (a rejected key showing "0 s" read as if the clock were
    part of the verdict, issue 23). The measurement stays in `d` and `check --json`."""
    if problem_kind is not None and problem_kind != "clock_skew":
        return None
    return offset_ms


def fit(text: str, width: int) -> str:
    """`text` cut to `width` characters, an ellipsis marking the cut."""
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def change(first: Decimal | None, last: Decimal | None) -> str:
    """Relative change over the session, "+0.42%"; empty when it cannot be computed."""
    if first is None or last is None or first <= 0:
        return ""
    percent = ((last - first) / first * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    sign = "+" if percent >= 0 else ""
    return f"{sign}{percent}%"
