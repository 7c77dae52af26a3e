"""What the connector remembers about each account between checks, and when to retry.

Back-off is timed by the monotonic clock and grows only with automatic retries: a check the
user asked for that fails leaves it where it was. A host that could not be reached is retried
soon (a refused connection costs the exchange nothing), and as soon as one of its accounts
answers again, its other accounts are retried too: in each round one account of a host whose
accounts all wait after a network failure is checked anyway (a scout), and the others wait
for its answer before deciding, so the first round after an outage recovers them all. After
the computer slept, every wait is dropped: it was measured in a time that stood still.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from tui.connect.clock import SleepDetector
from tui.connect.keys import ExchangeKey
from tui.connect.problems import UNREACHABLE_KINDS, Problem, ProblemKind

if TYPE_CHECKING:
    from tui.connect.models import AccountReport

log = logging.getLogger(__name__)

RATE_LIMIT_BACKOFF_S = 30.0
FAILURE_BACKOFF_S = 15.0
MAX_BACKOFF_S = 600.0
NETWORK_MAX_BACKOFF_S = 15.0
"""A host that could not be reached is tried again at most this long later."""
SCOUT_WAIT_S = 120.0
"""The longest an account waits for its host's scout (a safety net: the scout's own check is
bounded by the connector's timeouts, and a round that stops cancels both)."""


@dataclass
class Health:
    """One account's memory between calls."""

    last_success_at: datetime | None = None
    last_problem: Problem | None = None
    consecutive_failures: int = 0
    backoff_until: float = 0.0
    last_report: AccountReport | None = None
    finished_at: float = 0.0  # time.monotonic() when last_report was made
    slow_read_at: float = float("-inf")  # time.monotonic() of the last rights + clock read
    balance_latency_ms: float | None = None  # the last balance call's round trip


def backoff_s(kind: ProblemKind, failures: int) -> float:
    """The wait before the next automatic check after `failures` failures in a row: rate
    limits double from 30 s; other failures double from 15 s after the second, a host that
    cannot be reached waiting at most `NETWORK_MAX_BACKOFF_S`; all capped at 10 minutes."""
    if kind is ProblemKind.rate_limited:
        return min(RATE_LIMIT_BACKOFF_S * 2 ** (failures - 1), MAX_BACKOFF_S)
    if failures < 2:
        return 0.0
    delay = min(FAILURE_BACKOFF_S * 2 ** (failures - 2), MAX_BACKOFF_S)
    return min(delay, NETWORK_MAX_BACKOFF_S) if kind in UNREACHABLE_KINDS else delay


def host_of(account: ExchangeKey) -> str:
    """The host an account's requests go to: its endpoint's, else its exchange's own."""
    endpoint = getattr(account, "endpoint", None)
    if endpoint:
        return urlsplit(endpoint).netloc.lower()
    return str(account.exchange)


class HealthBook:
    """Every account's `Health`, and the rules that move it. `wall` is the wall clock (seconds
    since the epoch), for telling a sleep of the computer."""

    def __init__(self, wall: Callable[[], float] = time.time) -> None:
        self._by_id: dict[str, Health] = {}
        self._hosts: dict[str, str] = {}
        self._sleep = SleepDetector(wall)
        self._scouts: dict[str, tuple[str, asyncio.Event]] = {}
        """host -> (the account checked first this round, set when its check ends)."""

    def of(self, account: ExchangeKey) -> Health:
        self._hosts[account.id] = host_of(account)
        return self._by_id.setdefault(account.id, Health())

    def forget(self, account_id: str) -> None:
        self.checked(account_id)
        self._by_id.pop(account_id, None)
        self._hosts.pop(account_id, None)

    def clear(self) -> None:
        for _account_id, done in self._scouts.values():
            done.set()
        self._scouts.clear()
        self._by_id.clear()
        self._hosts.clear()

    def plan(
        self, accounts: Iterable[ExchangeKey], force: bool | Collection[str]
    ) -> list[tuple[ExchangeKey, bool]]:
        """A round's accounts, each with whether it is checked whatever its back-off: those
        `force` names, and a scout for each host whose accounts in the round wait after a
        network failure (its siblings wait for its answer in `due`). The scout is an account
        the round checks anyway if there is one; else one that waits for the network, never
        one waiting out another back-off (a rate limit is never cut short)."""
        self.after_sleep()
        todo = [(a, force if isinstance(force, bool) else a.id in force) for a in accounts]
        by_host: dict[str, list[tuple[ExchangeKey, bool]]] = {}
        for account, forced in todo:
            by_host.setdefault(host_of(account), []).append((account, forced))
        scouts: set[str] = set()
        for host, members in by_host.items():
            stale = self._scouts.pop(host, None)
            if stale is not None:
                stale[1].set()  # a scout of a round that stopped
            waiting = [a for a, forced in members if not forced and self._network_wait(a)]
            if not waiting:
                continue
            now = time.monotonic()
            checked = [a for a, forced in members if forced or now >= self.of(a).backoff_until]
            scout = checked[0] if checked else waiting[0]
            if not checked:
                scouts.add(scout.id)  # checked although it waits: the network may be back
            self._scouts[host] = (scout.id, asyncio.Event())
        return [(a, forced or a.id in scouts) for a, forced in todo]

    def _network_wait(self, account: ExchangeKey) -> bool:
        health = self.of(account)
        problem = health.last_problem
        return (
            time.monotonic() < health.backoff_until
            and problem is not None
            and problem.kind in UNREACHABLE_KINDS
        )

    async def due(self, account: ExchangeKey) -> bool:
        """Whether an automatic check of this account is due now, once its host's scout (if
        one is out this round) has answered: a host that answers re-opens its accounts."""
        scout = self._scouts.get(host_of(account))
        if scout is not None and scout[0] != account.id and self._network_wait(account):
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(SCOUT_WAIT_S):
                    await scout[1].wait()
        return time.monotonic() >= self.of(account).backoff_until

    def checked(self, account_id: str) -> None:
        """This account's check of the round ended (answered, failed, or stopped): if it was
        its host's scout, the accounts waiting for it decide now."""
        host = self._hosts.get(account_id)
        scout = self._scouts.get(host) if host is not None else None
        if scout is not None and scout[0] == account_id:
            scout[1].set()
            del self._scouts[host]  # type: ignore[arg-type]

    def success(self, account: ExchangeKey, at: datetime) -> Health:
        health = self.of(account)
        health.last_success_at = at
        health.last_problem = None
        health.consecutive_failures = 0
        health.backoff_until = 0.0
        self._host_answers(account)
        return health

    def failure(self, account: ExchangeKey, problem: Problem, *, manual: bool = False) -> None:
        """Remember a failure; `manual` (the user asked for this check) never grows the wait."""
        health = self.of(account)
        health.last_problem = problem
        if not manual or health.consecutive_failures == 0:
            health.consecutive_failures += 1
            wait = backoff_s(problem.kind, health.consecutive_failures)
            health.backoff_until = time.monotonic() + wait

    def _host_answers(self, account: ExchangeKey) -> None:
        """The other accounts that failed to reach this account's host are retried at once."""
        host = self._hosts.get(account.id)
        for other_id, health in self._by_id.items():
            problem = health.last_problem
            if other_id == account.id or problem is None or problem.kind not in UNREACHABLE_KINDS:
                continue
            if self._hosts.get(other_id) == host:
                health.backoff_until = 0.0

    def after_sleep(self) -> bool:
        """Drop every wait if the computer slept since the last call; True if it did."""
        if not self._sleep.woke():
            return False
        log.info("the computer slept: every account is checked again")
        for health in self._by_id.values():
            health.backoff_until = 0.0
            health.slow_read_at = float("-inf")  # rights and clock too (tui/connect/cadence.py)
        return True
