"""The connector: verify, status, balances, permissions and findings for vault accounts.

One ccxt client per account (`pool.py`), made on first use and kept until
`close_account`/`aclose`. `refresh` checks many accounts concurrently and yields each report
as soon as it is ready, so one slow exchange never holds back the others; `check_new_key`
checks a key before it is saved. Reports are assembled in `reports.py`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncGenerator, Callable, Collection, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tui.base.redact import scrub
from tui.connect.cadence import SLOW_EVERY_S, carried_status, slow_parts_due
from tui.connect.classifier import classify
from tui.connect.clients import (
    DEFAULT_MARKETS_TTL_S,
    ClientSetupError,
    MarketsCache,
    ensure_markets,
)
from tui.connect.clock import clock_verdict, elapsed_ms, measure_clock
from tui.connect.exchanges import permission_reader
from tui.connect.findings import evaluate as evaluate_findings
from tui.connect.health import Health, HealthBook
from tui.connect.holdings import fetch_balances
from tui.connect.key_calls import read_permissions, signed_probe
from tui.connect.keys import ExchangeKey
from tui.connect.models import (
    AccountReport,
    AccountStatus,
    Balances,
    Finding,
    Permissions,
    VerifyResult,
)
from tui.connect.pool import ClientPool
from tui.connect.problems import NO_SIGNED_AFTER, Problem, ProblemKind, make_problem
from tui.connect.reports import (
    blamed_on_clock,
    checked_report,
    failed_report,
    failing_status,
    new_key_report,
    permissions_outcome,
    reachable,
)
from tui.connect.shared_markets import SharedMarkets

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT_S = 15.0
DEFAULT_ACCOUNT_TIMEOUT_S = 45.0


class Connector:
    """Async service over ccxt. Use `async with Connector(...) as connector:` or `aclose()`.

    `timeout_s` bounds each HTTP request; `account_timeout_s` bounds one account's whole
    refresh. `clock` (seconds since the epoch) is injectable for tests. `use_system_proxy`
    sends requests through HTTPS_PROXY (honouring NO_PROXY), never for a loopback endpoint;
    off by default (docs/network-safety.md).
    """

    def __init__(
        self,
        cache_dir: Path | None = None,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        clock: Callable[[], float] = time.time,
        *,
        account_timeout_s: float = DEFAULT_ACCOUNT_TIMEOUT_S,
        markets_ttl_s: float = DEFAULT_MARKETS_TTL_S,
        use_system_proxy: bool = False,
        slow_every_s: float = SLOW_EVERY_S,
    ) -> None:
        self.slow_every_s = slow_every_s  # rights and clock: tui/connect/cadence.py
        self.cache_dir = Path(cache_dir) if cache_dir is not None else None
        self.account_timeout_s = account_timeout_s
        self.clock = clock
        self._markets = MarketsCache(self.cache_dir, markets_ttl_s)
        self._shared_markets = SharedMarkets(
            lambda client, account: ensure_markets(client, account, self._markets)
        )
        self._refresh_locks: dict[str, asyncio.Lock] = {}
        self._health = HealthBook(clock)
        self._pool = ClientPool(timeout_s, use_system_proxy, on_new_key=self._health.forget)

    # --- lifecycle -----------------------------------------------------------------------

    async def __aenter__(self) -> Connector:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def close_account(self, account_id: str) -> None:
        """Close and forget this account's client (after edit, removal or lock)."""
        self._health.forget(account_id)
        await self._pool.close_now(account_id)

    async def aclose(self) -> None:
        """Close every client. The connector can be used again afterwards."""
        self._health.clear()
        await self._pool.close_all()

    async def _client(self, account: ExchangeKey) -> Any:
        return await self._pool.client(account)

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), tz=UTC)

    def _health_of(self, account: ExchangeKey) -> Health:
        return self._health.of(account)

    def _problem(self, exc: BaseException, account: ExchangeKey) -> Problem:
        if isinstance(exc, ClientSetupError):
            return exc.problem
        problem = classify(exc, account.exchange)
        log.warning("%s/%s: %s (%s)", account.exchange, account.label, problem.kind, problem.detail)
        return problem

    # --- operations ----------------------------------------------------------------------

    async def verify(self, account: ExchangeKey, *, record: bool = True) -> VerifyResult:
        """One signed call that proves the key works (its permission endpoint if it has one,
        else the balance); never raises for exchange errors. `record`: count a failure
        toward the back-off (off when a refresh counts it itself)."""
        started = time.perf_counter()
        try:
            client = await self._client(account)
            await signed_probe(client, account, self._shared_markets)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            problem = self._problem(exc, account)
            if record:
                self._health.failure(account, problem)
            return VerifyResult(ok=False, problem=problem, latency_ms=elapsed_ms(started))
        self._health.success(account, self._now())
        return VerifyResult(ok=True, latency_ms=elapsed_ms(started))

    async def status(self, account: ExchangeKey) -> AccountStatus:
        """Reachability, latency and clock offset (from the exchange's time, if it has one)."""
        health = self._health_of(account)
        checked_at = self._now()
        latency_ms: float | None
        offset_ms: float | None
        try:
            client = await self._client(account)
            uncertainty_ms = 0.0
            if client.has.get("fetchTime"):
                latency_ms, offset_ms, uncertainty_ms = await measure_clock(client, self.clock)
            else:
                result = await self.verify(account, record=False)
                if result.problem is not None:
                    raise _ProblemRaised(result.problem)
                latency_ms, offset_ms = result.latency_ms, None
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            failure = (
                exc.problem if isinstance(exc, _ProblemRaised) else self._problem(exc, account)
            )
            return failing_status(failure, checked_at, health.last_success_at)
        state, problem = clock_verdict(offset_ms, uncertainty_ms, account.exchange)
        return AccountStatus(
            state=state,
            reachable=True,
            latency_ms=latency_ms,
            clock_offset_ms=offset_ms,
            checked_at=checked_at,
            last_success_at=health.last_success_at,
            problem=problem,  # now's verdict only: an old failure never outlives its cause
        )

    async def balances(self, account: ExchangeKey) -> Balances:
        """Free / in orders / total per held asset, in USD. Raises (`refresh` makes a Problem)."""
        health = self._health_of(account)
        health.balance_latency_ms = None  # a failed call never shows the last one's latency
        client = await self._client(account)
        await self._shared_markets.ensure(client, account)
        balances, latency_ms = await fetch_balances(client, account.exchange, self._now())
        health.balance_latency_ms = latency_ms
        return balances

    async def permissions(self, account: ExchangeKey) -> Permissions:
        """The key's rights, normalized; `reported=False` where the exchange cannot say."""
        if permission_reader(account.exchange) is None:
            return Permissions.not_reported()
        return await read_permissions(await self._client(account), account.exchange)

    def findings(self, account: ExchangeKey, permissions: Permissions) -> list[Finding]:
        return evaluate_findings(account.exchange, permissions, self._now(), account.sandbox)

    async def check_new_key(self, account: ExchangeKey) -> AccountReport:
        """Check a key before it is saved: one signed call on a fresh client, then its
        permissions and findings. Never raises for exchange errors (a failure is the report's
        `problem`); rights that could not be read stay unknown."""
        await self.close_account(account.id)  # never reuse a client with the old key
        result = await self.verify(account)
        permissions: Permissions | None = None
        found: list[Finding] = []
        if result.ok:
            try:
                permissions = await self.permissions(account)
            except asyncio.CancelledError:
                raise
            except Exception as error:
                log.warning("reading permissions failed: %s", scrub(str(error)))
            else:
                found = self.findings(account, permissions)
        else:
            await self.close_account(account.id)
        return new_key_report(account, result, permissions, found, self._now())

    # --- many accounts -------------------------------------------------------------------

    async def refresh(
        self,
        accounts: Iterable[ExchangeKey],
        *,
        with_permissions: bool = True,
        force: bool | Collection[str] = False,
    ) -> AsyncGenerator[AccountReport, None]:
        """Refresh every account concurrently; yield each report as soon as it is ready.

        Accounts in back-off after rate limits or repeated failures are not contacted
        (their last report is yielded again) unless `force` (True: all; or the ids of the
        accounts to check whatever their back-off, as the user asked). Leaving the loop early, or
        cancelling the consumer, cancels and awaits the remaining work.
        """
        tasks = [  # after a sleep every wait is dropped; a scout per host that waits
            asyncio.create_task(
                self._refresh_one(account, with_permissions=with_permissions, force=forced),
                name=f"keydeck-refresh-{account.exchange}-{account.label}",
            )
            for account, forced in self._health.plan(accounts, force)
        ]
        try:
            for next_done in asyncio.as_completed(tasks):
                yield await next_done
        finally:
            pending = [task for task in tasks if not task.done()]
            for task in pending:
                task.cancel()
            if pending:
                await asyncio.gather(*pending, return_exceptions=True)

    async def refresh_all(
        self,
        accounts: Iterable[ExchangeKey],
        *,
        with_permissions: bool = True,
        force: bool | Collection[str] = False,
    ) -> list[AccountReport]:
        """`refresh` collected into a list, in completion order."""
        return [
            report
            async for report in self.refresh(
                accounts, with_permissions=with_permissions, force=force
            )
        ]

    async def _refresh_one(
        self, account: ExchangeKey, *, with_permissions: bool, force: bool
    ) -> AccountReport:
        asked_at = time.monotonic()
        lock = self._refresh_locks.setdefault(account.id, asyncio.Lock())
        try:
            async with lock:  # one check per account at a time (Kraken nonces must increase)
                if self._pool.key_changed(account):
                    self._health.forget(account.id)  # an edited key: forget the old back-off
                health = self._health_of(account)
                last = health.last_report
                if last is not None and health.finished_at >= asked_at:
                    return last  # a check that was under way when we asked has just finished
                if not force and last is not None and not await self._health.due(account):
                    return last
                return await self._timed_check(
                    account, health, with_permissions=with_permissions, manual=force
                )
        finally:
            self._health.checked(account.id)  # however it ended: a scout's siblings go on

    async def _timed_check(
        self, account: ExchangeKey, health: Health, *, with_permissions: bool, manual: bool = False
    ) -> AccountReport:
        try:
            async with asyncio.timeout(self.account_timeout_s):
                report = await self._check(
                    account, with_permissions=with_permissions, manual=manual
                )
        except TimeoutError:
            problem = make_problem(
                ProblemKind.timeout,
                account.exchange,
                detail=f"no complete answer within {self.account_timeout_s:.0f} s",
            )
            self._health.failure(account, problem, manual=manual)
            report = self._failed_report(account, problem, latency_ms=None)
        if not reachable(report.problem):
            # The next attempt opens fresh connections (a restarted host, a new network); what
            # is known of the account's health is kept.
            await self._pool.close(account.id)
        health.last_report = report
        health.finished_at = time.monotonic()
        return report

    async def _check(
        self, account: ExchangeKey, *, with_permissions: bool, manual: bool = False
    ) -> AccountReport:
        """status (public clock call) first, then the signed calls: balances, permissions.

        The clock is measured before the signed calls so their work does not skew it; no
        signed call follows a status check that failed so (`NO_SIGNED_AFTER`). Clock and rights
        only when due (tui/connect/cadence.py); else the balance call checks reachability.
        """
        health = self._health_of(account)
        last = health.last_report
        slow = slow_parts_due(health, manual=manual, every_s=self.slow_every_s)
        status = await self.status(account) if slow or last is None else None
        if status is not None and status.problem and status.problem.kind in NO_SIGNED_AFTER:
            self._health.failure(account, status.problem, manual=manual)
            return self._failed_report(account, status.problem, None, status)
        balances, problem = await self._guarded(self.balances(account), account)
        if status is None and last is not None:
            status = carried_status(last, health.balance_latency_ms, self._now())
        assert status is not None
        problem = blamed_on_clock(status, problem)
        if problem is not None:
            self._health.failure(account, problem, manual=manual)
            return self._failed_report(account, problem, status.latency_ms, status)
        permissions: Permissions | None = None
        read_at = last.permissions_read_at if last is not None else None
        if with_permissions and not slow and last is not None:
            permissions = last.permissions  # read earlier: `read_at` says when
        elif with_permissions:
            permissions, problem = await self._permissions_or_problem(account)
            read_at = self._now()
            if problem is not None:
                self._health.failure(account, problem, manual=manual)
                return self._failed_report(account, problem, status.latency_ms, status)
        health = self._health.success(account, self._now())
        if slow:
            health.slow_read_at = time.monotonic()
        found = self.findings(account, permissions) if permissions is not None else []
        return checked_report(
            account,
            status,
            last_success_at=health.last_success_at,
            balances=balances,
            permissions=permissions,
            findings=found,
            permissions_read_at=read_at if permissions is not None else None,
        )

    async def _guarded(self, work: Any, account: ExchangeKey) -> tuple[Any, Problem | None]:
        try:
            return await work, None
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            return None, self._problem(exc, account)

    async def _permissions_or_problem(
        self, account: ExchangeKey
    ) -> tuple[Permissions | None, Problem | None]:
        """Permissions; None where the exchange refused; a Problem that fails the check
        when the answer came from something Keydeck does not trust (a redirect...)."""
        return permissions_outcome(*await self._guarded(self.permissions(account), account))

    def _failed_report(
        self,
        account: ExchangeKey,
        problem: Problem,
        latency_ms: float | None,
        status: AccountStatus | None = None,
    ) -> AccountReport:
        health = self._health_of(account)
        return failed_report(
            account,
            problem,
            health=health,
            now=self._now(),
            wait_s=health.backoff_until - time.monotonic(),
            latency_ms=latency_ms,
            status=status,
        )


class _ProblemRaised(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.title)
        self.problem = problem
