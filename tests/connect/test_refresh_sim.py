"""Many accounts at once: concurrency, streaming, timeouts, back-off, cancellation, caching."""

from __future__ import annotations

import asyncio
import time
from contextlib import aclosing, suppress
from pathlib import Path

from tests.connect.conftest import Account, account_for
from tui.connect import Connector, ProblemKind
from tui.connect.clients import MarketsCache
from tui.sim import Balance, SimAccount, Simulator, Traits


def _add_keys(sim: Simulator, exchange: str, count: int) -> list[Account]:
    accounts = []
    for index in range(count):
        label = f"extra-{index}"
        sim.add_account(
            SimAccount(
                exchange=exchange,
                label=label,
                credentials=sim.exchanges[exchange].default_credentials(label),
                traits=Traits(balances={"USDT": Balance(str(100 + index), "0")}),
            )
        )
        accounts.append(account_for(sim, exchange, label))
    return accounts


def _refresh_tasks() -> list[asyncio.Task]:
    return [
        t
        for t in asyncio.all_tasks()
        if t.get_name().startswith("keydeck-refresh") and not t.done()
    ]


async def _timed_refresh(connector: Connector, accounts: list[Account]) -> float:
    started = time.perf_counter()
    reports = [r async for r in connector.refresh(accounts)]
    assert all(r.problem is None for r in reports), [r.problem for r in reports]
    return time.perf_counter() - started


async def test_n_accounts_take_about_one_latency(sim: Simulator, connector: Connector) -> None:
    accounts = _add_keys(sim, "binance", 8)
    await _timed_refresh(connector, [account_for(sim, "binance", "main")])  # warm: ccxt, markets
    sim.set_faults("binance", latency_ms=200)
    single = await _timed_refresh(connector, accounts[:1])
    together = await _timed_refresh(connector, accounts)
    # Sequential work would take ~8 x single; allow a wide margin for a loaded machine.
    assert together < single * 4, (single, together)
    # Several keys on one exchange, side by side, each with its own balances.
    reports = {r.label: r async for r in connector.refresh(accounts[:3])}
    usdt = {label: r.balances.assets[0].total for label, r in reports.items()}
    assert usdt == {"extra-0": 100, "extra-1": 101, "extra-2": 102}


async def test_slow_exchange_does_not_hold_back_others(
    sim: Simulator, connector: Connector
) -> None:
    fast = [account_for(sim, e) for e in ("binance", "bybit", "gate")]
    slow = account_for(sim, "okx")
    sim.set_faults("okx", latency_ms=700)
    arrivals: list[str] = []
    async for report in connector.refresh([slow, *fast]):
        assert report.problem is None
        arrivals.append(report.exchange)
    assert arrivals[-1] == "okx", arrivals


async def test_per_account_timeout(sim: Simulator, tmp_path: Path) -> None:
    hanging = account_for(sim, "bybit")
    sim.set_faults("bybit", "main", timeout=True)
    async with Connector(cache_dir=tmp_path, timeout_s=30, account_timeout_s=1.0) as connector:
        started = time.perf_counter()
        [report] = [r async for r in connector.refresh([hanging])]
    assert time.perf_counter() - started < 10
    assert report.problem is not None and report.problem.kind is ProblemKind.timeout


async def test_leaving_early_cancels_the_rest(sim: Simulator, tmp_path: Path) -> None:
    quick = account_for(sim, "binance")
    hanging = account_for(sim, "okx")
    sim.set_faults("okx", "main", timeout=True)
    async with Connector(cache_dir=tmp_path, timeout_s=30) as connector:
        async with aclosing(connector.refresh([hanging, quick])) as stream:
            async for report in stream:
                assert report.exchange == "binance"
                break
        assert _refresh_tasks() == []


async def test_cancelling_the_consumer_is_clean(sim: Simulator, tmp_path: Path) -> None:
    hanging = [account_for(sim, e) for e in ("okx", "kucoin")]
    for exchange in ("okx", "kucoin"):
        sim.set_faults(exchange, "main", timeout=True)
    async with Connector(cache_dir=tmp_path, timeout_s=30) as connector:

        async def consume() -> None:
            async with aclosing(connector.refresh(hanging)) as stream:
                async for _report in stream:
                    raise AssertionError("nothing should arrive")

        consumer = asyncio.create_task(consume())
        await asyncio.sleep(0.5)
        consumer.cancel()
        with suppress(asyncio.CancelledError):
            await consumer
        assert consumer.cancelled()
        assert _refresh_tasks() == []


async def test_back_off_after_rate_limit(sim: Simulator, connector: Connector) -> None:
    account = account_for(sim, "gate")
    sim.set_faults("gate", "main", rate_limited=True)
    [first] = [r async for r in connector.refresh([account])]
    assert first.problem.kind is ProblemKind.rate_limited
    sim.clear_faults()
    [second] = [r async for r in connector.refresh([account])]
    assert second is first  # still backing off: the exchange was not asked again
    [forced] = [r async for r in connector.refresh([account], force=True)]
    assert forced.problem is None and forced.status.last_success_at is not None


async def test_markets_cached_with_expiry(sim: Simulator, tmp_path: Path) -> None:
    account = account_for(sim, "kucoin")
    async with Connector(cache_dir=tmp_path) as connector:
        balances = await connector.balances(account)
    assert balances.total_usd > 0
    cache = MarketsCache(tmp_path, ttl_s=60)
    markets = cache.load(account)
    assert markets and any(m["symbol"] == "BTC/USDT" for m in markets)
    assert cache.load(account, now=time.time() + 120) is None  # expired
    other = Account(
        exchange="kucoin",
        label="x",
        credentials={"apiKey": "k"},
        endpoint="http://127.0.0.1:1/elsewhere",
    )
    assert cache.load(other) is None  # keyed by endpoint too


async def test_verify_and_close_account(sim: Simulator, connector: Connector) -> None:
    good = account_for(sim, "bitget")
    result = await connector.verify(good)
    assert result.ok and result.problem is None and result.latency_ms is not None
    bad = account_for(sim, "bitget", "main", credentials={"password": "nope"})
    result = await connector.verify(bad)
    assert not result.ok and result.problem.kind is ProblemKind.bad_passphrase
    await connector.close_account(good.id)
    assert (await connector.verify(good)).ok  # a new client is made on demand


async def test_edited_key_gets_a_new_client_and_no_back_off(
    sim: Simulator, connector: Connector
) -> None:
    wrong = account_for(sim, "okx", "main", credentials={"password": "typo"})
    for _ in range(2):  # two failures in a row start a back-off
        [report] = [r async for r in connector.refresh([wrong])]
        assert report.problem.kind is ProblemKind.bad_passphrase
    fixed = wrong.replace(credentials=sim.account("okx", "main").credentials)
    [report] = [r async for r in connector.refresh([fixed])]
    assert report.problem is None and report.account_id == wrong.id


async def test_overlapping_refreshes_share_one_check(sim: Simulator, connector: Connector) -> None:
    account = account_for(sim, "kraken")  # concurrent signed calls would break its nonces
    first, second = await asyncio.gather(
        connector.refresh_all([account]), connector.refresh_all([account])
    )
    assert first[0].problem is None
    assert second[0] is first[0]
