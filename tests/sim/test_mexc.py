"""MEXC against the simulator, through real ccxt clients."""

from __future__ import annotations

import hashlib
import hmac
import time
from datetime import UTC, datetime

import ccxt.async_support as ccxt
import pytest

from tests.sim.clients import assert_balance_is_provisioned, make_client
from tui.sim import Simulator
from tui.sim.exchanges.binance_style import signed_payload


def test_known_answer_from_mexc_docs() -> None:
    # MEXC's "SIGNED Endpoint Examples for POST /api/v3/order" (examples 2 and 3; the
    # signature printed for example 1 does not match its own payload in the docs).
    secret = "45d0b3c26f2644f19bfb98b07741b2f5"
    query = (
        "symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=1&price=11&recvWindow=5000"
        "&timestamp=1644489390087"
    )
    as_query = "fd3e4e8543c5188531eb7279d68ae7d26a573d0fc5ab0d18eb692451654d837a"
    payload = signed_payload(f"{query}&signature={as_query}", "")
    assert hmac.new(secret.encode(), payload.encode(), hashlib.sha256).hexdigest() == as_query
    mixed = signed_payload(
        "symbol=BTCUSDT&side=BUY&type=LIMIT",
        "quantity=1&price=11&recvWindow=5000&timestamp=1644489390087",
    )
    expected = "d1a676610ceb39174c8039b3f548357994b2a34139a8addd33baadba65684592"
    assert hmac.new(secret.encode(), mixed.encode(), hashlib.sha256).hexdigest() == expected


async def test_balances_markets_tickers_and_time(sim: Simulator) -> None:
    async with make_client(sim, "mexc") as client:
        balance = await client.fetch_balance()
        tickers = await client.fetch_tickers(["BTC/USDT", "ETH/USDT"])
        server_time = await client.fetch_time()
    assert {"BTC/USDT", "ETH/USDT", "ETH/BTC"} <= set(client.markets)
    assert_balance_is_provisioned(balance, sim.account("mexc", "main"))
    assert tickers["BTC/USDT"]["last"] == pytest.approx(65000.10)
    assert tickers["ETH/USDT"]["bid"] < tickers["ETH/USDT"]["ask"]
    assert abs(server_time - time.time() * 1000) < 60_000


async def test_permission_endpoint_per_key(sim: Simulator) -> None:
    async with make_client(sim, "mexc", "main") as client:
        main = await client.spot_private_get_apikeyinfo()
    async with make_client(sim, "mexc", "risky") as client:
        risky = await client.spot_private_get_apikeyinfo()
    async with make_client(sim, "mexc", "sub") as client:
        sub = await client.spot_private_get_apikeyinfo()
    assert main["accessKey"] == sim.account("mexc", "main").api_key
    assert main["ipWhiteList"] == "198.51.100.7" and main["remainingValidity"] == -1
    assert "SPOT_DEAL_WRITE" in main["permissions"].split(",")
    assert "SPOT_WITHDRAW_WRITE" not in main["permissions"].split(",")
    assert main["createTime"] == "2025-01-15T09:30:00.000Z" and main["status"] == "VALID"
    # The unbound key can withdraw and, as at MEXC, expires (90 days, created 30 days ago).
    assert "SPOT_WITHDRAW_WRITE" in risky["permissions"].split(",")
    assert risky["ipWhiteList"] == "" and risky["remainingValidity"] in (59, 60)
    expires = sim.account("mexc", "risky").traits.expires_at
    assert expires is not None and expires > datetime.now(UTC)
    assert sub["permissions"].split(",") == [
        "SPOT_ACCOUNT_READ",
        "SPOT_DEAL_READ",
        "CONTRACT_ACCOUNT_READ",
        "CONTRACT_DEAL_READ",
    ]


async def test_bad_key_secret_and_timestamp(sim: Simulator) -> None:
    async with make_client(sim, "mexc", apiKey="mx0-no-such-key") as client:
        with pytest.raises(ccxt.BadRequest, match="10072"):  # ccxt's mapping of 10072
            await client.spot_private_get_apikeyinfo()
    async with make_client(sim, "mexc", secret="not-the-secret") as client:
        with pytest.raises(ccxt.AuthenticationError, match="700002"):
            await client.spot_private_get_apikeyinfo()
    sim.set_faults("mexc", clock_skew_ms=90_000)
    async with make_client(sim, "mexc") as client:
        with pytest.raises(ccxt.InvalidNonce, match="700003"):
            await client.spot_private_get_apikeyinfo()
    async with make_client(sim, "mexc", options={"recvWindow": 70_000}) as client:
        with pytest.raises(ccxt.InvalidNonce, match="700005"):
            await client.spot_private_get_apikeyinfo()


async def test_faults_ip_and_expiry(sim: Simulator) -> None:
    sim.set_faults("mexc", "main", ip_not_allowed=True)
    async with make_client(sim, "mexc") as client:
        with pytest.raises(ccxt.BadRequest, match="700006"):
            await client.spot_private_get_apikeyinfo()
    sim.clear_faults()
    sim.account("mexc", "risky").traits.expires_at = datetime(2025, 1, 1, tzinfo=UTC)
    async with make_client(sim, "mexc", "risky") as client:
        with pytest.raises(ccxt.BadRequest, match="10072"):
            await client.fetch_balance()
    sim.set_faults("mexc", "main", rate_limited=True)
    async with make_client(sim, "mexc") as client:
        with pytest.raises(ccxt.RateLimitExceeded):
            await client.spot_private_get_apikeyinfo()
