"""What changed: last-known states + a round of reports -> events and the new states.

Pure (no I/O, no clock of its own): `observe` is given the time and a function telling
which findings are acknowledged. An event is made only on a change, never every round:

- `account_failed` when an account that worked (or was never seen) fails;
  `account_recovered` when a failing one works again.
- `finding_new` / `finding_cleared` for critical and warning findings (by code); an
  acknowledged finding is remembered silently, and alerts if the acknowledgement is taken
  back. `expires_soon` is left to `key_expiring`.
- `key_expiring` once per threshold (14, 7, 3, 1 days left); a key whose expiry moves
  beyond 14 days again starts over.
- `balance_moved` (only with a threshold) when an account's USD value, or the total over
  the same accounts, moved more than the threshold since the last alert (or first sight).

Reports of failing accounts change nothing but the failing state: what could not be read is
not "cleared".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

EXPIRY_THRESHOLDS_DAYS: tuple[int, ...] = (14, 7, 3, 1)
ALERTING_SEVERITIES = frozenset({"critical", "warning"})
LEFT_TO_KEY_EXPIRING = frozenset({"expires_soon"})

EVENT_NAMES = (
    "account_failed",
    "account_recovered",
    "finding_new",
    "finding_cleared",
    "key_expiring",
    "balance_moved",
)


@dataclass(frozen=True)
class Event:
    """One change. `to_json()` is the object printed, posted and piped."""

    event: str
    time: datetime
    exchange: str | None
    label: str | None
    severity: str
    title: str
    detail: str
    account_id: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "event": self.event,
            "time": self.time.isoformat(timespec="seconds").replace("+00:00", "Z"),
            "exchange": self.exchange,
            "label": self.label,
            "account_id": self.account_id,
            "severity": self.severity,
            "title": self.title,
            "detail": self.detail,
            **self.extra,
        }


@dataclass(frozen=True)
class KnownFinding:
    severity: str
    title: str
    alerted: bool
    """False while acknowledged: present, but not alerted."""


@dataclass(frozen=True)
class AccountState:
    """What the watch last knew of one account (no secrets)."""

    exchange: str
    label: str
    failing: bool = False
    findings: Mapping[str, KnownFinding] = field(default_factory=dict)
    expiry_alerted_days: int | None = None
    """The smallest threshold already alerted; None: none since the last renewal."""
    usd_base: Decimal | None = None
    """The value at first sight or at the last balance_moved."""


@dataclass(frozen=True)
class WatchState:
    accounts: Mapping[str, AccountState] = field(default_factory=dict)
    total_base_usd: Decimal | None = None
    total_base_accounts: frozenset[str] = frozenset()


IsAcknowledged = Callable[[str, str], bool]


def observe(
    state: WatchState,
    reports: Iterable[Any],
    *,
    now: datetime,
    is_acknowledged: IsAcknowledged,
    account_ids: Iterable[str] | None = None,
    balance_move_pct: float | None = None,
) -> tuple[list[Event], WatchState]:
    """Events for one round of `AccountReport`s, and the state to remember.

    `account_ids`: the accounts in the keyfile now (others are forgotten); None keeps all.
    """
    events: list[Event] = []
    accounts = dict(state.accounts)
    reports = list(reports)
    for report in reports:
        before = accounts.get(report.account_id) or AccountState(report.exchange, report.label)
        before = replace(before, exchange=report.exchange, label=report.label)
        found, after = _observe_account(before, report, now, is_acknowledged, balance_move_pct)
        events.extend(found)
        accounts[report.account_id] = after
    if account_ids is not None:
        keep = set(account_ids)
        accounts = {k: v for k, v in accounts.items() if k in keep}
    new_state = replace(state, accounts=accounts)
    if balance_move_pct is not None:
        total_events, new_state = _observe_total(new_state, reports, now, balance_move_pct)
        events.extend(total_events)
    return events, new_state


def _observe_account(
    before: AccountState,
    report: Any,
    now: datetime,
    is_acknowledged: IsAcknowledged,
    balance_move_pct: float | None,
) -> tuple[list[Event], AccountState]:
    def event(name: str, severity: str, title: str, detail: str, **extra: Any) -> Event:
        return Event(
            event=name,
            time=now,
            exchange=report.exchange,
            label=report.label,
            severity=severity,
            title=title,
            detail=detail,
            account_id=report.account_id,
            extra=extra,
        )

    events: list[Event] = []
    failing = report.problem is not None or report.status.state == "failing"
    problem = report.problem or report.status.problem
    if failing and not before.failing:
        kind = str(problem.kind) if problem is not None else "unknown"
        title = problem.title if problem is not None else "The account failed its check."
        fix = problem.fix if problem is not None else ""
        extra: dict[str, Any] = {"problem_kind": kind, "fix": fix}
        if problem is not None and problem.seen_ip is not None:
            extra["seen_ip"] = problem.seen_ip  # validated: an IPv4/IPv6 address, nothing else
        events.append(event("account_failed", "critical", title, fix, **extra))
    elif not failing and before.failing:
        events.append(
            event("account_recovered", "info", "The key works again.", "Its last check passed.")
        )
    after = replace(before, failing=failing)
    if failing or report.permissions is None:
        return events, after

    findings, finding_events = _observe_findings(before, report, is_acknowledged, event)
    events.extend(finding_events)
    after = replace(after, findings=findings)

    expiry_events, alerted = _observe_expiry(before, report.permissions.expires_at, now, event)
    events.extend(expiry_events)
    after = replace(after, expiry_alerted_days=alerted)

    if balance_move_pct is not None and report.balances is not None:
        value = report.balances.total_usd
        base = before.usd_base
        moved = _moved(base, value, balance_move_pct)
        if moved is not None and base is not None:
            events.append(
                event(
                    "balance_moved",
                    "info",
                    f"Value moved {moved:+.1f} %",
                    f"${base:,.2f} -> ${value:,.2f}",
                    usd_before=str(base),
                    usd_now=str(value),
                    change_pct=round(float(moved), 2),
                )
            )
        if base is None or moved is not None:
            after = replace(after, usd_base=value)
    return events, after


def _observe_findings(
    before: AccountState,
    report: Any,
    is_acknowledged: IsAcknowledged,
    event: Callable[..., Event],
) -> tuple[dict[str, KnownFinding], list[Event]]:
    events: list[Event] = []
    findings: dict[str, KnownFinding] = {}
    for finding in report.findings:
        if finding.severity not in ALERTING_SEVERITIES or finding.code in LEFT_TO_KEY_EXPIRING:
            continue
        known = before.findings.get(finding.code)
        quiet = is_acknowledged(report.account_id, finding.code)
        alert = not quiet and (known is None or not known.alerted)
        if alert:
            events.append(
                event(
                    "finding_new",
                    finding.severity,
                    finding.title,
                    finding.advice,
                    code=finding.code,
                )
            )
        alerted = not quiet and (alert or (known is not None and known.alerted))
        findings[finding.code] = KnownFinding(finding.severity, finding.title, alerted)
    for code, known in before.findings.items():
        if code not in findings and known.alerted:
            events.append(
                event(
                    "finding_cleared",
                    "info",
                    f"Resolved: {known.title}",
                    "The exchange no longer reports this risk for the key.",
                    code=code,
                    was=known.severity,
                )
            )
    return findings, events


def _observe_expiry(
    before: AccountState,
    expires_at: datetime | None,
    now: datetime,
    event: Callable[..., Event],
) -> tuple[list[Event], int | None]:
    if expires_at is None:
        return [], None
    days_left = (expires_at - now).total_seconds() / 86400
    crossed = [t for t in EXPIRY_THRESHOLDS_DAYS if days_left <= t]
    if not crossed:
        return [], None  # renewed (or far off): alert again next time it nears
    threshold = min(crossed)
    previous = before.expiry_alerted_days
    if previous is not None and previous <= threshold:
        return [], previous
    whole_days = max(0, int(days_left))
    title = "The key has expired" if days_left <= 0 else f"The key expires in {whole_days} days"
    if 0 < days_left < 1:
        title = "The key expires within a day"
    return [
        event(
            "key_expiring",
            "critical" if threshold <= 3 else "warning",
            title,
            "Create a replacement key on the exchange and update it in Keydeck before then.",
            days_left=round(days_left, 2),
            threshold_days=threshold,
            expires_at=expires_at.isoformat(timespec="seconds").replace("+00:00", "Z"),
        )
    ], threshold


def _moved(base: Decimal | None, value: Decimal, pct: float) -> Decimal | None:
    """The change in percent when it exceeds `pct`, else None."""
    if base is None or base <= 0:
        return None
    change = (value - base) / base * 100
    return change if abs(change) > Decimal(str(pct)) else None


def _observe_total(
    state: WatchState, reports: list[Any], now: datetime, pct: float
) -> tuple[list[Event], WatchState]:
    """The total over the same accounts as its base; a changed set of accounts re-bases."""
    values: dict[str, Decimal] = {
        r.account_id: r.balances.total_usd
        for r in reports
        if r.balances is not None and r.problem is None
    }
    ids = frozenset(values)
    if not ids:
        return [], state
    total = sum(values.values(), Decimal(0))
    if ids != state.total_base_accounts or state.total_base_usd is None:
        return [], replace(state, total_base_usd=total, total_base_accounts=ids)
    base = state.total_base_usd
    moved = _moved(base, total, pct)
    if moved is None:
        return [], state
    event = Event(
        event="balance_moved",
        time=now,
        exchange=None,
        label=None,
        severity="info",
        title=f"Total value moved {moved:+.1f} %",
        detail=f"${base:,.2f} -> ${total:,.2f} over {len(ids)} accounts",
        extra={
            "usd_before": str(base),
            "usd_now": str(total),
            "change_pct": round(float(moved), 2),
        },
    )
    return [event], replace(state, total_base_usd=total)
