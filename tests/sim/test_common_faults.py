"""Behaviour every exchange of the simulator core shares, checked through real ccxt clients:
balances, markets, wrong credentials, clock skew, rate limits, IP allowlists, expiry and the
generic faults (maintenance, geo-block, timeout, malformed JSON, latency)."""

from __future__ import annotations

import time
from dataclasses import dataclass

import ccxt.async_support as ccxt
import pytest

from tests.sim.clients import assert_balance_is_provisioned, make_client
from tui.sim import Simulator


@dataclass(frozen=True)
class Expect:
    """The ccxt class the real exchange's answer produces, per situation (exchanges.md)."""

    permissions_method: str
    bad_passphrase: type[Exception] | None
    rate_limited: type[Exception]
    ip_not_allowed: type[Exception]


EXPECT = {
    "binance": Expect(
        "sapi_get_account_apirestrictions", None, ccxt.DDoSProtection, ccxt.AuthenticationError
    ),
    "okx": Expect(
        "private_get_account_config",
        ccxt.AuthenticationError,
        ccxt.RateLimitExceeded,
        ccxt.PermissionDenied,
    ),
    "bybit": Expect(
        "private_get_v5_user_query_api", None, ccxt.RateLimitExceeded, ccxt.PermissionDenied
    ),
    "kucoin": Expect(
        "private_get_user_api_key",
        ccxt.AuthenticationError,
        ccxt.RateLimitExceeded,
        ccxt.AuthenticationError,
    ),
}
EXCHANGES = list(EXPECT)


@pytest.fixture(params=EXCHANGES)
def exchange(request: pytest.FixtureRequest) -> str:
    return request.param


async def test_fetch_balance_equals_provisioned(sim: Simulator, exchange: str) -> None:
    for label in ("main", "sub"):
        account = sim.account(exchange, label)
        async with make_client(sim, exchange, label) as client:
            balance = await client.fetch_balance()
        assert set(account.traits.balances) <= set(balance["total"])
        assert_balance_is_provisioned(balance, account)


async def test_markets_tickers_and_time(sim: Simulator, exchange: str) -> None:
    async with make_client(sim, exchange) as client:
        markets = await client.load_markets()
        tickers = await client.fetch_tickers(["BTC/USDT", "ETH/USDT", "SOL/USDT"])
        server_time = await client.fetch_time()
    assert {"BTC/USDT", "ETH/USDT", "SOL/USDT", "ETH/BTC"} <= set(markets)
    assert not any("NOPX" in symbol for symbol in markets)
    assert tickers["BTC/USDT"]["last"] == pytest.approx(65000.10)
    assert tickers["SOL/USDT"]["bid"] < tickers["SOL/USDT"]["ask"]
    assert abs(server_time - time.time() * 1000) < 60_000


async def test_wrong_secret_and_unknown_key(sim: Simulator, exchange: str) -> None:
    async with make_client(sim, exchange, secret="not-the-secret") as client:
        with pytest.raises(ccxt.AuthenticationError):
            await client.fetch_balance()
    async with make_client(sim, exchange, apiKey="no-such-key") as client:
        with pytest.raises(ccxt.AuthenticationError):
            await client.fetch_balance()


async def test_wrong_passphrase(sim: Simulator, exchange: str) -> None:
    expected = EXPECT[exchange].bad_passphrase
    if expected is None:
        pytest.skip(f"{exchange} keys have no passphrase")
    async with make_client(sim, exchange, password="not-the-passphrase") as client:
        with pytest.raises(expected):
            await client.fetch_balance()


@pytest.mark.parametrize("skew_ms", [120_000, -120_000])
async def test_clock_skew_is_invalid_nonce(sim: Simulator, exchange: str, skew_ms: int) -> None:
    sim.set_faults(exchange, clock_skew_ms=skew_ms)
    async with make_client(sim, exchange) as client:
        reported = await client.fetch_time()
        assert abs(reported - time.time() * 1000 - skew_ms) < 30_000
        with pytest.raises(ccxt.InvalidNonce):
            await getattr(client, EXPECT[exchange].permissions_method)()


async def test_rate_limited_key(sim: Simulator, exchange: str) -> None:
    sim.set_faults(exchange, "main", rate_limited=True)
    async with make_client(sim, exchange) as client:
        with pytest.raises(EXPECT[exchange].rate_limited):
            await getattr(client, EXPECT[exchange].permissions_method)()
    async with make_client(sim, exchange, "risky") as client:  # other keys are unaffected
        await getattr(client, EXPECT[exchange].permissions_method)()


async def test_ip_not_allowed(sim: Simulator, exchange: str) -> None:
    sim.set_faults(exchange, "main", ip_not_allowed=True)
    async with make_client(sim, exchange) as client:
        with pytest.raises(EXPECT[exchange].ip_not_allowed):
            await getattr(client, EXPECT[exchange].permissions_method)()
    # A key bound to another address is refused the same way, without any fault set.
    sim.account(exchange, "sub").traits.ip_allowlist = ("203.0.113.99",)
    async with make_client(sim, exchange, "sub") as client:
        with pytest.raises(EXPECT[exchange].ip_not_allowed):
            await client.fetch_balance()


async def test_expired_key(sim: Simulator, exchange: str) -> None:
    sim.set_faults(exchange, "main", expired=True)
    async with make_client(sim, exchange) as client:
        with pytest.raises(ccxt.AuthenticationError):
            await getattr(client, EXPECT[exchange].permissions_method)()


async def test_maintenance_and_geo_block(sim: Simulator, exchange: str) -> None:
    sim.set_faults(exchange, maintenance=True)
    async with make_client(sim, exchange) as client:
        with pytest.raises(ccxt.ExchangeNotAvailable, match="503"):
            await client.fetch_balance()
    # A CDN's 403 page: ccxt maps the bare status (ExchangeNotAvailable; Bybit, whose own
    # IP rate limit is a 403, gives RateLimitExceeded), so a client must look at the status.
    sim.set_faults(exchange, maintenance=False, geo_blocked=True)
    async with make_client(sim, exchange) as client:
        with pytest.raises(ccxt.NetworkError, match="403 Forbidden"):
            await client.fetch_time()


async def test_timeout_malformed_json_and_latency(sim: Simulator, exchange: str) -> None:
    sim.set_faults(exchange, timeout=True)
    async with make_client(sim, exchange) as client:
        client.timeout = 300
        with pytest.raises(ccxt.RequestTimeout):
            await client.fetch_time()
    sim.set_faults(exchange, timeout=False, malformed_json=True)
    async with make_client(sim, exchange) as client:
        # ccxt does not raise on a body that does not parse: it returns empty results.
        assert await client.fetch_time() is None
        assert await client.load_markets() == {}
    sim.set_faults(exchange, malformed_json=False, latency_ms=150)
    async with make_client(sim, exchange) as client:
        started = time.monotonic()
        await client.fetch_time()
        assert time.monotonic() - started >= 0.14
