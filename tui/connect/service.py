"""The connector: verify, status, balances, permissions and findings for vault accounts.

One ccxt client per account, made on first use and kept until `close_account`/`aclose`.
`refresh` checks many accounts concurrently and yields each report as soon as it is ready,
so one slow exchange never holds back the others.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tui.connect import findings as findings_rules
from tui.connect.cadence import SLOW_EVERY_S, carried_status, slow_parts_due
from tui.connect.ccxt_hooks import close_client
from tui.connect.classifier import classify
from tui.connect.clients import (
    DEFAULT_MARKETS_TTL_S,
    ClientSetupError,
    MarketsCache,
    build_client,
    config_fingerprint,
    ensure_markets,
    load_ccxt,
)
from tui.connect.clock import clock_verdict, elapsed_ms, measure_clock
from tui.connect.exchanges import balance_shape, permission_reader, permission_shape
from tui.connect.health import Health, HealthBook
from tui.connect.models import (
    AccountReport,
    AccountStatus,
    Balances,
    Finding,
    Permissions,
    VerifyResult,
)
from tui.connect.problems import STOP_KINDS, UNREACHABLE_KINDS, Problem, ProblemKind, make_problem
from tui.connect.shapes import has_shape, require_json, require_shape
from tui.connect.shared_markets import SharedMarkets
from tui.connect.tickers import fetch_tickers
from tui.connect.valuation import STABLECOINS, held_assets, plan_prices, usd_prices, value_balances

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT_S = 15.0
DEFAULT_ACCOUNT_TIMEOUT_S = 45.0

# Refusals a badly set clock produces on exchanges that do not say "timestamp".
_CLOCK_MASKED_KINDS = frozenset(
    {ProblemKind.bad_credentials, ProblemKind.bad_passphrase, ProblemKind.unknown}
)


@dataclass
class _ClientEntry:
    client: Any
    fingerprint: str


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
        self.use_system_proxy = use_system_proxy
        self.timeout_s = timeout_s
        self.account_timeout_s = account_timeout_s
        self.clock = clock
        self._markets = MarketsCache(self.cache_dir, markets_ttl_s)
        self._shared_markets = SharedMarkets(
            lambda client, account: ensure_markets(client, account, self._markets)
        )
        self._clients: dict[str, _ClientEntry] = {}
        self._client_locks: dict[str, asyncio.Lock] = {}
        self._refresh_locks: dict[str, asyncio.Lock] = {}
        self._health = HealthBook(clock)

    # --- lifecycle -----------------------------------------------------------------------

    async def __aenter__(self) -> Connector:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def close_account(self, account_id: str) -> None:
        """Close and forget this account's client (after edit, removal or lock)."""
        entry = self._clients.pop(account_id, None)
        self._health.forget(account_id)
        if entry is not None:
            await _close_client(entry.client)

    async def _drop_client(self, account_id: str) -> None:
        """Close an account's client but keep what is known of its health: after a network
        failure its pooled connections may be dead (a restarted host, a new network)."""
        lock = self._client_locks.setdefault(account_id, asyncio.Lock())
        async with lock:
            entry = self._clients.pop(account_id, None)
        if entry is not None:
            await _close_client(entry.client)

    async def aclose(self) -> None:
        """Close every client. The connector can be used again afterwards."""
        entries = list(self._clients.values())
        self._clients.clear()
        self._health.clear()
        await asyncio.gather(*(_close_client(e.client) for e in entries))

    # --- clients -------------------------------------------------------------------------

    async def _client(self, account: Any) -> Any:
        lock = self._client_locks.setdefault(account.id, asyncio.Lock())
        async with lock:
            fingerprint = config_fingerprint(account)
            entry = self._clients.get(account.id)
            if entry is not None and entry.fingerprint == fingerprint:
                return entry.client
            if entry is not None:  # edited key: new client, and a clean slate for back-off
                self._clients.pop(account.id, None)
                self._health.forget(account.id)
                await _close_client(entry.client)
            ccxt_async = await load_ccxt()
            client = build_client(
                ccxt_async, account, self.timeout_s, use_system_proxy=self.use_system_proxy
            )
            self._clients[account.id] = _ClientEntry(client, fingerprint)
            return client

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), tz=UTC)

    def _health_of(self, account: Any) -> Health:
        return self._health.of(account)

    def _problem(self, exc: BaseException, account: Any) -> Problem:
        if isinstance(exc, ClientSetupError):
            return exc.problem
        problem = classify(exc, account.exchange)
        log.warning("%s/%s: %s (%s)", account.exchange, account.label, problem.kind, problem.detail)
        return problem

    # --- operations ----------------------------------------------------------------------

    async def verify(self, account: Any, *, record: bool = True) -> VerifyResult:
        """One signed call that proves the key works (its permission endpoint if it has one,
        else the balance); never raises for exchange errors. `record`: count a failure
        toward the back-off (off when a refresh counts it itself)."""
        started = time.perf_counter()
        try:
            client = await self._client(account)
            await self._signed_probe(client, account)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            problem = self._problem(exc, account)
            if record:
                self._health.failure(account, problem)
            return VerifyResult(ok=False, problem=problem, latency_ms=elapsed_ms(started))
        self._health.success(account, self._now())
        return VerifyResult(ok=True, latency_ms=elapsed_ms(started))

    async def _signed_probe(self, client: Any, account: Any) -> None:
        reader = permission_reader(account.exchange)
        if reader is not None and not account.sandbox:  # `{}` proves nothing: shapes count
            raw = await reader.fetch(client)
            require_json(raw, "key permissions")
            require_shape(
                raw, permission_shape(account.exchange), account.exchange, "key permissions"
            )
            return
        await self._shared_markets.ensure(client, account)
        _checked_balance(await client.fetch_balance(), account.exchange)

    async def status(self, account: Any) -> AccountStatus:
        """Reachability, latency and clock offset (from the exchange's time, if it has one)."""
        health = self._health_of(account)
        checked_at = self._now()
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
            problem = (
                exc.problem if isinstance(exc, _ProblemRaised) else self._problem(exc, account)
            )
            return AccountStatus(
                state="failing",
                reachable=problem.kind not in UNREACHABLE_KINDS,
                latency_ms=None,
                clock_offset_ms=None,
                checked_at=checked_at,
                last_success_at=health.last_success_at,
                problem=problem,
            )
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

    async def balances(self, account: Any) -> Balances:
        """Free / in orders / total per held asset with USD values. Raises on failure;
        `refresh` turns that into a Problem."""
        client = await self._client(account)
        await self._shared_markets.ensure(client, account)
        started = time.perf_counter()
        raw = _checked_balance(await client.fetch_balance(), account.exchange)
        self._health_of(account).balance_latency_ms = elapsed_ms(started)
        fetched_at = self._now()
        held = held_assets(raw)
        plan = plan_prices((a for a in held if a not in STABLECOINS), client.markets or {})
        tickers = await fetch_tickers(client, account.exchange, plan.symbols)
        return value_balances(held, usd_prices(plan, tickers), fetched_at)

    async def permissions(self, account: Any) -> Permissions:
        """The key's rights, normalized; `reported=False` where the exchange cannot say."""
        reader = permission_reader(account.exchange)
        if reader is None:
            return Permissions.not_reported()
        client = await self._client(account)
        raw = await reader.fetch(client)
        require_json(raw, "key permissions")
        if not has_shape(raw, permission_shape(account.exchange)):
            log.warning("%s: the key permissions answer lacks its usual fields", account.exchange)
            return Permissions.could_not_read()
        return reader.normalize(raw if isinstance(raw, dict) else {"data": raw})

    def findings(self, account: Any, permissions: Permissions) -> list[Finding]:
        return findings_rules.evaluate(account.exchange, permissions, now=self._now())

    # --- many accounts -------------------------------------------------------------------

    async def refresh(
        self,
        accounts: Iterable[Any],
        *,
        with_permissions: bool = True,
        force: bool | Collection[str] = False,
    ) -> AsyncIterator[AccountReport]:
        """Refresh every account concurrently; yield each report as soon as it is ready.

        Accounts in back-off after rate limits or repeated failures are not contacted
        (their last report is yielded again) unless `force` (True: all; or the ids of the
        accounts to check whatever their back-off, as the user asked). Leaving the loop early, or
        cancelling the consumer, cancels and awaits the remaining work.
        """
        self._health.after_sleep()
        tasks = [
            asyncio.create_task(
                self._refresh_one(
                    account,
                    with_permissions=with_permissions,
                    force=force if isinstance(force, bool) else account.id in force,
                ),
                name=f"keydeck-refresh-{account.exchange}-{account.label}",
            )
            for account in accounts
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
        accounts: Iterable[Any],
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
        self, account: Any, *, with_permissions: bool, force: bool
    ) -> AccountReport:
        asked_at = time.monotonic()
        lock = self._refresh_locks.setdefault(account.id, asyncio.Lock())
        async with lock:  # one check per account at a time (Kraken nonces must increase)
            entry = self._clients.get(account.id)
            if entry is not None and entry.fingerprint != config_fingerprint(account):
                self._health.forget(account.id)  # an edited key: forget the old back-off
            health = self._health_of(account)
            last = health.last_report
            if last is not None and health.finished_at >= asked_at:
                return last  # a check that was under way when we asked has just finished
            if not force and time.monotonic() < health.backoff_until and last is not None:
                return last
            return await self._timed_check(
                account, health, with_permissions=with_permissions, manual=force
            )

    async def _timed_check(
        self, account: Any, health: Health, *, with_permissions: bool, manual: bool = False
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
        if report.problem is not None and report.problem.kind in UNREACHABLE_KINDS:
            await self._drop_client(account.id)  # the next attempt opens fresh connections
        health.last_report = report
        health.finished_at = time.monotonic()
        return report

    async def _check(
        self, account: Any, *, with_permissions: bool, manual: bool = False
    ) -> AccountReport:
        """status (public clock call) first, then the signed calls: balances, permissions.

        The clock is measured before the signed calls so their work does not skew it, and an
        exchange we cannot reach at all is not asked three more times. Clock and rights only
        when due (tui/connect/cadence.py); else the balance call is the reachability check.
        """
        health = self._health_of(account)
        last = health.last_report
        slow = slow_parts_due(health, manual=manual, every_s=self.slow_every_s)
        status = await self.status(account) if slow or last is None else None
        if status is not None and status.problem is not None and status.problem.kind in STOP_KINDS:
            self._health.failure(account, status.problem, manual=manual)
            return self._failed_report(account, status.problem, None, status)
        balances, problem = await self._guarded(self.balances(account), account)
        if status is None and last is not None:
            status = carried_status(last, health.balance_latency_ms, self._now())
        assert status is not None
        clock_failing = status.state == "failing" and status.problem is not None
        if clock_failing and (problem is None or problem.kind in _CLOCK_MASKED_KINDS):
            # More than 10 s off: the likely cause of an auth refusal (an expired JWT, a
            # stale timestamp), and worth failing on even where the exchange still accepts.
            problem = status.problem
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
        self._health.success(account, self._now())
        if slow:
            health.slow_read_at = time.monotonic()
        status = AccountStatus(
            state=status.state,
            reachable=True,
            latency_ms=status.latency_ms,
            clock_offset_ms=status.clock_offset_ms,
            checked_at=status.checked_at,
            last_success_at=self._health_of(account).last_success_at,
            problem=status.problem if status.state != "ok" else None,
        )
        found = self.findings(account, permissions) if permissions is not None else []
        return AccountReport(
            account_id=account.id,
            exchange=account.exchange,
            label=account.label,
            status=status,
            balances=balances,
            permissions=permissions,
            findings=tuple(found),
            permissions_read_at=read_at if permissions is not None else None,
        )

    async def _guarded(self, work: Any, account: Any) -> tuple[Any, Problem | None]:
        try:
            return await work, None
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            return None, self._problem(exc, account)

    async def _permissions_or_problem(
        self, account: Any
    ) -> tuple[Permissions | None, Problem | None]:
        """Permissions; None where the exchange refused; a Problem that fails the check
        when the answer came from something Keydeck does not trust (a redirect...)."""
        permissions, problem = await self._guarded(self.permissions(account), account)
        if problem is None:
            return permissions, None
        if problem.kind is ProblemKind.bad_answer:
            return Permissions.could_not_read(), None
        if problem.kind in (ProblemKind.unsupported, ProblemKind.unknown):
            return Permissions.not_reported(), None  # e.g. testnets without the endpoint
        if problem.kind in STOP_KINDS:
            return None, problem
        return None, None

    def _failed_report(
        self,
        account: Any,
        problem: Problem,
        latency_ms: float | None,
        status: AccountStatus | None = None,
    ) -> AccountReport:
        health = self._health_of(account)
        wait_s = health.backoff_until - time.monotonic()
        failing = AccountStatus(
            state="failing",
            reachable=problem.kind not in UNREACHABLE_KINDS,
            latency_ms=latency_ms,
            clock_offset_ms=status.clock_offset_ms if status else None,
            checked_at=status.checked_at if status else self._now(),
            last_success_at=health.last_success_at,
            problem=problem,
            retry_at=self._now() + timedelta(seconds=wait_s) if wait_s > 0 else None,
        )
        return AccountReport(
            account_id=account.id,
            exchange=account.exchange,
            label=account.label,
            status=failing,
            problem=problem,
        )


class _ProblemRaised(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.title)
        self.problem = problem


def _checked_balance(raw: Any, exchange_id: str) -> Any:
    """ccxt's fetch_balance result, once its raw answer (`info`) has the exchange's shape."""
    answer = raw.get("info") if isinstance(raw, dict) else raw
    require_json(answer, "balance")
    require_shape(answer, balance_shape(exchange_id), exchange_id, "balance")
    return raw


async def _close_client(client: Any) -> None:
    try:
        await close_client(client)
    except Exception:  # closing must never raise into lock/exit paths
        log.warning("closing a ccxt client failed", exc_info=True)
