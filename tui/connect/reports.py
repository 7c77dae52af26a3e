"""Assembling an `AccountReport` from the connector's answers: a refresh's, a failure's, and
a new key's (checked before it is saved). The one rule for "reachable" is here: only the
problem kinds of UNREACHABLE_KINDS mean the exchange could not be reached."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from tui.connect.health import Health
from tui.connect.keys import ExchangeKey
from tui.connect.models import (
    AccountReport,
    AccountStatus,
    Balances,
    Finding,
    Permissions,
    VerifyResult,
)
from tui.connect.problems import STOP_KINDS, UNREACHABLE_KINDS, Problem, ProblemKind


def reachable(problem: Problem | None) -> bool:
    """The exchange answered (whatever it said): no problem, or one not in UNREACHABLE_KINDS."""
    return problem is None or problem.kind not in UNREACHABLE_KINDS


def failed_report(
    account: ExchangeKey,
    problem: Problem,
    *,
    health: Health,
    now: datetime,
    wait_s: float,
    latency_ms: float | None,
    status: AccountStatus | None = None,
) -> AccountReport:
    """A check that failed with `problem`; `wait_s` until the back-off lets it try again."""
    failing = AccountStatus(
        state="failing",
        reachable=reachable(problem),
        latency_ms=latency_ms,
        clock_offset_ms=status.clock_offset_ms if status else None,
        checked_at=status.checked_at if status else now,
        last_success_at=health.last_success_at,
        problem=problem,
        retry_at=now + timedelta(seconds=wait_s) if wait_s > 0 else None,
    )
    return AccountReport(
        account_id=account.id,
        exchange=account.exchange,
        label=account.label,
        status=failing,
        problem=problem,
    )


# Refusals a badly set clock produces on exchanges that do not say "timestamp".
_CLOCK_MASKED_KINDS = frozenset(
    {ProblemKind.bad_credentials, ProblemKind.bad_passphrase, ProblemKind.unknown}
)


def blamed_on_clock(status: AccountStatus, problem: Problem | None) -> Problem | None:
    """The check's problem, or the clock's where the clock is failing (more than 10 s off):
    the likely cause of an auth refusal (an expired JWT, a stale timestamp), and worth
    failing on even where the exchange still accepts."""
    if status.state != "failing" or status.problem is None:
        return problem
    if problem is None or problem.kind in _CLOCK_MASKED_KINDS:
        return status.problem
    return problem


def failing_status(
    problem: Problem, checked_at: datetime, last_success_at: datetime | None
) -> AccountStatus:
    """The status of an exchange that could not be asked (or refused the clock's stand-in)."""
    return AccountStatus(
        state="failing",
        reachable=reachable(problem),
        latency_ms=None,
        clock_offset_ms=None,
        checked_at=checked_at,
        last_success_at=last_success_at,
        problem=problem,
    )


def checked_report(
    account: ExchangeKey,
    status: AccountStatus,
    *,
    last_success_at: datetime | None,
    balances: Balances | None,
    permissions: Permissions | None,
    findings: Iterable[Finding],
    permissions_read_at: datetime | None = None,
) -> AccountReport:
    """A check whose signed calls succeeded; the clock's verdict stays a warning."""
    status = AccountStatus(
        state=status.state,
        reachable=True,
        latency_ms=status.latency_ms,
        clock_offset_ms=status.clock_offset_ms,
        checked_at=status.checked_at,
        last_success_at=last_success_at,
        problem=status.problem if status.state != "ok" else None,
    )
    return AccountReport(
        account_id=account.id,
        exchange=account.exchange,
        label=account.label,
        status=status,
        balances=balances,
        permissions=permissions,
        findings=tuple(findings),
        permissions_read_at=permissions_read_at,
    )


def new_key_report(
    account: ExchangeKey,
    result: VerifyResult,
    permissions: Permissions | None,
    findings: Iterable[Finding],
    now: datetime,
) -> AccountReport:
    """A key checked before it is saved: its signed call's outcome, then its rights."""
    problem = result.problem
    status = AccountStatus(
        state="ok" if result.ok else "failing",
        reachable=reachable(problem),
        latency_ms=result.latency_ms,
        clock_offset_ms=None,
        checked_at=now,
        problem=problem,
    )
    return AccountReport(
        account_id=account.id,
        exchange=account.exchange,
        label=account.label,
        status=status,
        permissions=permissions,
        findings=tuple(findings),
        problem=problem,
    )


def permissions_outcome(
    permissions: Permissions | None, problem: Problem | None
) -> tuple[Permissions | None, Problem | None]:
    """Reading the rights failed with `problem`: what the report says. Rights that cannot be
    read are "unknown", never "no"; a Problem fails the check when the answer came from
    something Keydeck does not trust (a redirect...)."""
    if problem is None:
        return permissions, None
    if problem.kind is ProblemKind.bad_answer:
        return Permissions.could_not_read(), None
    if problem.kind in (ProblemKind.unsupported, ProblemKind.unknown):
        return Permissions.not_reported(), None  # e.g. testnets without the endpoint
    if problem.kind in STOP_KINDS:
        return None, problem
    return None, None
