"""History points, thinning and like-for-like change: pure functions, no files.

A point is one refresh: for each account that could be read, its USD value and the amount
of each asset. Accounts that failed that round are absent (unknown, never $0).

Thinning keeps the latest point of each bucket, the bucket growing with age:
one per minute for the last 24 hours, one per hour up to 30 days, one per day up to
`RETENTION`. So the number of points is bounded by 1440 + 696 + 1066 = 3202 whatever the
refresh rate (`MAX_POINTS`).

Totals over time are made like-for-like: between two neighbouring points only accounts in
both count, so adding an account (or one that failed a round) is not a gain or a loss.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

FINE_FOR = timedelta(days=1)
HOURLY_FOR = timedelta(days=30)
RETENTION = timedelta(days=3 * 365)
FINE_STEP_S = 60
MAX_POINTS = 1440 + (30 - 1) * 24 + (3 * 365 - 30 + 1)


@dataclass(frozen=True)
class Holding:
    """One account at one point: its USD value (priced assets only) and asset amounts."""

    usd: Decimal
    complete: bool
    assets: Mapping[str, Decimal] = field(default_factory=dict)


@dataclass(frozen=True)
class Point:
    time: int
    """Seconds since the epoch (UTC)."""
    holdings: Mapping[str, Holding]
    """Account id -> holding."""

    @property
    def when(self) -> datetime:
        return datetime.fromtimestamp(self.time, UTC)

    @property
    def total_usd(self) -> Decimal:
        return sum((h.usd for h in self.holdings.values()), Decimal(0))


@dataclass(frozen=True)
class AccountName:
    exchange: str
    label: str


@dataclass(frozen=True)
class SeriesPoint:
    time: datetime
    total_usd: Decimal
    """The sum over the accounts read at that time."""
    value_usd: Decimal
    """Like-for-like level: the latest total, walked back by the moves of accounts present
    at both ends of each step. Use it for sparklines and change."""


@dataclass(frozen=True)
class Change:
    start: datetime
    end: datetime
    start_usd: Decimal
    end_usd: Decimal

    @property
    def delta_usd(self) -> Decimal:
        return self.end_usd - self.start_usd

    @property
    def percent(self) -> Decimal | None:
        if self.start_usd == 0:
            return None
        return self.delta_usd / self.start_usd * 100


def point_from_reports(reports: Iterable[Any], now: datetime) -> Point | None:
    """A point from `AccountReport`s; None when no report carried balances."""
    holdings: dict[str, Holding] = {}
    for report in reports:
        balances = report.balances
        if balances is None or report.problem is not None:
            continue
        holdings[report.account_id] = Holding(
            usd=balances.total_usd,
            complete=balances.complete,
            assets={row.asset: row.total for row in balances.assets},
        )
    if not holdings:
        return None
    return Point(time=int(now.timestamp()), holdings=holdings)


def bucket_of(time: int, now: int) -> tuple[int, int] | None:
    """The thinning bucket of a point at `time` seen at `now`; None once past retention."""
    age = now - time
    if age < FINE_FOR.total_seconds():
        return (0, time // FINE_STEP_S)
    if age < HOURLY_FOR.total_seconds():
        return (1, time // 3600)
    if age < RETENTION.total_seconds():
        return (2, time // 86400)
    return None


def thin(points: Iterable[Point], now: datetime) -> list[Point]:
    """Sorted by time, the latest point of each bucket, nothing past `RETENTION`."""
    stamp = int(now.timestamp())
    kept: dict[tuple[int, int], Point] = {}
    for point in sorted(points, key=lambda p: p.time):
        bucket = bucket_of(point.time, stamp)
        if bucket is not None:
            kept[bucket] = point
    return sorted(kept.values(), key=lambda p: p.time)


def merge(*sources: Iterable[Point]) -> list[Point]:
    """Union by time; a later source wins for the same second."""
    by_time: dict[int, Point] = {}
    for source in sources:
        for point in source:
            by_time[point.time] = point
    return [by_time[t] for t in sorted(by_time)]


def without_account(points: Iterable[Point], account_id: str) -> list[Point]:
    trimmed = []
    for point in points:
        holdings = {k: v for k, v in point.holdings.items() if k != account_id}
        if holdings:
            trimmed.append(Point(time=point.time, holdings=holdings))
    return trimmed


def series(points: Sequence[Point]) -> list[SeriesPoint]:
    """Raw and like-for-like totals for points sorted by time (see `SeriesPoint`)."""
    if not points:
        return []
    levels = [points[-1].total_usd]
    for later, earlier in zip(reversed(points[1:]), reversed(points[:-1]), strict=True):
        common = later.holdings.keys() & earlier.holdings.keys()
        move = sum((later.holdings[a].usd - earlier.holdings[a].usd for a in common), Decimal(0))
        levels.append(levels[-1] - move)
    levels.reverse()
    return [
        SeriesPoint(time=p.when, total_usd=p.total_usd, value_usd=level)
        for p, level in zip(points, levels, strict=True)
    ]


def since(points: Sequence[Point], start: datetime | None) -> list[Point]:
    if start is None:
        return list(points)
    stamp = start.timestamp()
    return [p for p in points if p.time >= stamp]


def change(points: Sequence[Point]) -> Change | None:
    """Like-for-like change from the first to the last of `points`; None under two points."""
    if len(points) < 2:
        return None
    values = series(points)
    first, last = values[0], values[-1]
    return Change(
        start=first.time, end=last.time, start_usd=first.value_usd, end_usd=last.value_usd
    )


# ---- the stored form (JSON inside the encrypted file) ------------------------------------


def encode(points: Sequence[Point], names: Mapping[str, AccountName]) -> dict[str, Any]:
    used = {a for p in points for a in p.holdings}
    return {
        "format": 1,
        "accounts": {
            a: {"exchange": names[a].exchange, "label": names[a].label}
            for a in sorted(used)
            if a in names
        },
        "points": [
            {
                "t": p.time,
                "v": {
                    a: {
                        "usd": str(h.usd),
                        "complete": h.complete,
                        "assets": {k: str(v) for k, v in sorted(h.assets.items())},
                    }
                    for a, h in sorted(p.holdings.items())
                },
            }
            for p in points
        ],
    }


def decode(document: Mapping[str, Any]) -> tuple[list[Point], dict[str, AccountName]]:
    """Points and account names; raises ValueError for a document that is not ours."""
    if document.get("format") != 1:
        raise ValueError(f"unknown history format {document.get('format')!r}")
    try:
        names = {
            a: AccountName(exchange=str(v["exchange"]), label=str(v["label"]))
            for a, v in dict(document.get("accounts", {})).items()
        }
        points = [
            Point(
                time=int(raw["t"]),
                holdings={
                    a: Holding(
                        usd=Decimal(h["usd"]),
                        complete=bool(h["complete"]),
                        assets={k: Decimal(v) for k, v in dict(h["assets"]).items()},
                    )
                    for a, h in dict(raw["v"]).items()
                },
            )
            for raw in document.get("points", [])
        ]
    except (KeyError, TypeError, ArithmeticError) as error:
        raise ValueError(f"malformed history: {error!r}") from None
    return sorted(points, key=lambda p: p.time), names
