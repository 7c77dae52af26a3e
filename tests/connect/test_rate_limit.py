"""Keydeck's paced rate limiter (tui/connect/rate_limit.py): ccxt's leaky bucket, one sleep
per waiting request instead of ccxt's polling, and never faster than the bucket allows."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

import ccxt.async_support as ccxt_async
import pytest
from ccxt.async_support.base.throttler import Throttler
from hypothesis import given, settings
from hypothesis import strategies as st

from tui.connect.ccxt_hooks import close_client, throttle_waits_s
from tui.connect.clients import UNTHROTTLED_LOOPBACK_ENV, build_client, load_ccxt
from tui.connect.rate_limit import PacedLimiter, TokenBucket, install_paced_limiter
from tui.vault import Account


def _bucket(rate_limit_ms: float, capacity: float = 1, tokens: float = 0) -> dict[str, Any]:
    """A token bucket as ccxt builds one (`Exchange.init_rest_rate_limiter`)."""
    return {
        "delay": 0.001,
        "capacity": capacity,
        "cost": 1,
        "refillRate": 1 / rate_limit_ms,
        "algorithm": "leakyBucket",
        "tokens": tokens,
    }


def _grants(bucket: TokenBucket, arrivals: list[tuple[float, float]]) -> list[float]:
    return [at + bucket.reserve(at, cost) for at, cost in arrivals]


@settings(max_examples=300, deadline=None)
@given(
    rate_limit_ms=st.floats(5, 5000),
    capacity=st.sampled_from([1, 1, 2, 6]),
    start_full=st.booleans(),
    steps=st.lists(
        st.tuples(st.floats(0, 8000), st.sampled_from([0.5, 1, 1, 2, 5])), min_size=1, max_size=40
    ),
)
def test_never_faster_than_the_bucket_and_in_arrival_order(
    rate_limit_ms: float,
    capacity: float,
    start_full: bool,
    steps: list[tuple[float, float]],
) -> None:
    """For any arrivals and costs: requests go in the order they came, none before it
    arrived, and between any two grants at most `ceiling + elapsed / rate_limit` tokens were
    spent (ceiling: the burst a pause allows, or the starting tokens). With capacity 1 that
    is: two requests never closer than `cost` intervals."""
    start = capacity if start_full else 0
    bucket = TokenBucket(_bucket(rate_limit_ms, capacity, start))
    arrivals, at = [], 1000.0
    for gap, cost in steps:
        at += gap
        arrivals.append((at, cost))
    grants = _grants(bucket, arrivals)
    ceiling = max(capacity - 1, start)
    for index, ((arrived, _), granted) in enumerate(zip(arrivals, grants, strict=True)):
        assert granted >= arrived
        if index:
            assert granted >= grants[index - 1]
    for i in range(len(grants)):
        for j in range(i + 1, len(grants)):
            spent = sum(cost for _, cost in arrivals[i:j])
            allowed = ceiling + (grants[j] - grants[i]) / rate_limit_ms
            assert spent <= allowed + 1e-6, (i, j, spent, allowed)


def test_after_a_pause_the_next_request_goes_at_once() -> None:
    """ccxt's own bucket fills only while a request waits, so the first request after any
    pause waited a whole interval (Kraken: 3 s a round for nothing). A request that comes
    at least one interval after the last one goes at once."""
    bucket = TokenBucket(_bucket(1000))
    assert _grants(bucket, [(0, 1), (0, 1)]) == [0, 1000]
    assert bucket.reserve(2000) == 0  # one interval after the last grant
    assert bucket.reserve(2000) == 1000  # and the one right behind it waits its turn
    assert bucket.reserve(10_000) == 0


def test_a_costly_request_holds_back_the_next_one_by_its_cost() -> None:
    bucket = TokenBucket(_bucket(100))
    assert bucket.reserve(0, 5) == 0
    assert bucket.reserve(0) == pytest.approx(500)


def test_a_cancelled_wait_keeps_its_turn_spent() -> None:
    """A request cancelled while it waits (a round restarted by `r`) is not taken back: the
    next request still waits for it, erring on the slow side."""
    bucket = TokenBucket(_bucket(1000))
    assert bucket.reserve(0) == 0
    assert bucket.reserve(10) == pytest.approx(990)  # cancelled: never sent
    assert bucket.reserve(20) == pytest.approx(1980)


def test_a_clock_going_backwards_adds_nothing() -> None:
    bucket = TokenBucket(_bucket(1000))
    bucket.reserve(5000)
    assert bucket.reserve(4000) == pytest.approx(1000)


async def _counting_sleeps(
    monkeypatch: pytest.MonkeyPatch, run: Callable[[], Awaitable[None]]
) -> int:
    """How many times `asyncio.sleep` was called while `run` ran."""
    calls = 0
    real_sleep = asyncio.sleep

    async def counted(delay: float, result: Any = None) -> Any:
        nonlocal calls
        calls += 1
        return await real_sleep(delay, result)

    monkeypatch.setattr(asyncio, "sleep", counted)
    try:
        await run()
    finally:
        monkeypatch.setattr(asyncio, "sleep", real_sleep)
    return calls


async def test_a_waiting_request_sleeps_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The point of the limiter: four requests 40 ms apart wake the event loop three times,
    where ccxt's limiter (1 ms polling) wakes it once a millisecond of waiting."""
    limiter = PacedLimiter(_bucket(40))

    async def four() -> None:
        await asyncio.gather(*(limiter() for _ in range(4)))

    started = time.monotonic()
    assert await _counting_sleeps(monkeypatch, four) == 3
    assert time.monotonic() - started >= 3 * 0.040 - 0.002


async def test_grants_keep_the_rate_in_real_time() -> None:
    """Five requests at once take four intervals. (One gap alone can be shorter when the
    loop woke the one before it late: the bucket counts real time, as ccxt's does.)"""
    limiter = PacedLimiter(_bucket(30))
    granted: list[float] = []

    async def one() -> None:
        await limiter()
        granted.append(time.monotonic())

    await asyncio.gather(*(one() for _ in range(5)))
    assert granted == sorted(granted)
    assert granted[-1] - granted[0] >= 4 * 0.030 - 0.002


async def test_a_wall_clock_set_forward_releases_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    limiter = PacedLimiter(_bucket(60_000))
    await limiter()
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + 3600)
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(limiter(), 0.05)


async def test_the_same_burst_as_ccxt_for_kraken() -> None:
    """Kraken's module gives its bucket 6 tokens and a capacity of 6 (a burst, as Kraken's
    counter allows). ccxt's own limiter lets 7 requests through at once from that bucket;
    the paced limiter lets the same 7, and holds the 8th."""
    config = _bucket(2000, capacity=6, tokens=6)
    for limiter in (Throttler(dict(config)), PacedLimiter(dict(config))):
        tasks = [asyncio.ensure_future(limiter()) for _ in range(9)]
        await asyncio.sleep(0.2)
        assert sum(task.done() for task in tasks) == 7, type(limiter).__name__
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


@pytest.mark.parametrize("exchange", ["binance", "kraken", "okx", "coinbase"])
async def test_every_client_gets_the_paced_limiter(
    exchange: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The limits are ccxt's (the exchange's `rateLimit`, the module's burst); only the
    waiting changes. The meter still counts the waits."""
    monkeypatch.delenv(UNTHROTTLED_LOOPBACK_ENV)
    ccxt = await load_ccxt()
    account = Account(exchange=exchange, credentials={"apiKey": "k", "secret": "s"})
    client = build_client(ccxt, account, timeout_s=7)
    try:
        assert client.enableRateLimit
        assert client.timeout == 7000
        assert isinstance(client.throttler, PacedLimiter)
        assert client.throttler.bucket.refill_per_ms == pytest.approx(1 / client.rateLimit)
        if exchange == "kraken":  # its own burst allowance survives the merge
            assert client.throttler.bucket.capacity == 6
        if exchange == "kraken":
            return  # its 7-request burst would make the test wait 3 s for the 8th
        before = throttle_waits_s(client)
        await client.throttle(1)
        await client.throttle(1)  # waits one interval, counted by the meter
        assert throttle_waits_s(client) - before >= client.rateLimit / 1000 * 0.9 - 0.05
    finally:
        await close_client(client)


async def test_a_rolling_window_client_keeps_ccxts_limiter() -> None:
    """ccxt's rolling-window limiter already sleeps once per wait; only leaky buckets are
    replaced."""
    client = ccxt_async.binance({"rateLimiterAlgorithm": "rollingWindow"})
    try:
        assert client.tokenBucket["algorithm"] == "rollingWindow"
        own = client.throttler
        install_paced_limiter(client)
        assert client.throttler is own
    finally:
        client.timeout_on_exit = 0
        await client.close()
