"""Deribit against the simulator, through real ccxt clients."""

from __future__ import annotations

import hashlib
import hmac
import time

import ccxt.async_support as ccxt
import pytest

from tests.sim.clients import assert_balance_is_provisioned, make_client
from tui.sim import Simulator


async def test_balances_markets_tickers_and_time(sim: Simulator) -> None:
    async with make_client(sim, "deribit") as client:
        balance = await client.fetch_balance()
        ticker = await client.fetch_ticker("BTC/USDT")
        summary = await client.fetch_tickers(["ETH/USDT", "ETH/BTC"])
        server_time = await client.fetch_time()
    assert {"BTC/USDT", "ETH/USDT", "ETH/BTC"} <= set(client.markets)
    assert client.markets["BTC/USDT"]["spot"] and client.markets["BTC/USD:BTC"]["swap"]
    assert_balance_is_provisioned(balance, sim.account("deribit", "main"))
    assert ticker["last"] == pytest.approx(65000.10) and ticker["bid"] < ticker["ask"]
    assert summary["ETH/USDT"]["last"] == pytest.approx(3200.45)
    assert abs(server_time - time.time() * 1000) < 60_000


async def test_list_api_keys_per_key(sim: Simulator) -> None:
    async with make_client(sim, "deribit", "main") as client:
        main = (await client.private_get_list_api_keys())["result"]
    async with make_client(sim, "deribit", "sub") as client:
        sub = (await client.private_get_list_api_keys())["result"]
    # The main account's two keys; the sub-account lists only its own.
    by_id = {row["client_id"]: row for row in main}
    assert set(by_id) == {"demo-deribit-main-key", "demo-deribit-risky-key"}
    main_row, risky_row = by_id["demo-deribit-main-key"], by_id["demo-deribit-risky-key"]
    assert "trade:read_write" in main_row["max_scope"].split()
    assert "wallet:read" in main_row["max_scope"].split()
    assert main_row["ip_whitelist"] == ["198.51.100.7"]
    assert "wallet:read_write" in risky_row["max_scope"].split()
    assert risky_row["ip_whitelist"] == []
    assert [row["client_id"] for row in sub] == ["demo-deribit-sub-key"]
    assert "trade:read" in sub[0]["max_scope"].split()
    assert all(set(row["client_secret"]) == {"*"} for row in main + sub)


async def test_two_factor_account_gets_a_challenge(sim: Simulator) -> None:
    sim.exchanges["deribit"].tfa_protected.add("demo-deribit-risky-key")
    async with make_client(sim, "deribit", "risky") as client:
        answer = await client.private_get_list_api_keys()
    assert answer["result"]["security_key_authorization_required"] is True
    assert answer["result"]["challenge"]


def _client_signature(secret: str, timestamp: int, nonce: str) -> str:
    message = f"{timestamp}\n{nonce}\n".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


async def test_auth_with_client_signature(sim: Simulator) -> None:
    risky = sim.account("deribit", "risky")
    now = int(time.time() * 1000)
    params = {
        "grant_type": "client_signature",
        "client_id": risky.api_key,
        "timestamp": now,
        "nonce": "abc123",
        "data": "",
        "signature": _client_signature(risky.secret, now, "abc123"),
    }
    async with make_client(sim, "deribit", "risky") as client:
        answer = await client.public_get_auth(params)
        with pytest.raises(ccxt.AuthenticationError, match="13009"):
            await client.public_get_auth({**params, "signature": "00" * 32})
        stale = now - 120_000
        with pytest.raises(ccxt.AuthenticationError, match="invalid timestamp"):
            await client.public_get_auth(
                {
                    **params,
                    "timestamp": stale,
                    "signature": _client_signature(risky.secret, stale, "abc123"),
                }
            )
    scope = answer["result"]["scope"].split()
    assert {"wallet:read_write", "trade:read_write", "connection", "mainaccount"} <= set(scope)


async def test_bad_key_secret_and_timestamp(sim: Simulator) -> None:
    async with make_client(sim, "deribit", apiKey="no-such-client") as client:
        with pytest.raises(ccxt.AuthenticationError, match="13004"):
            await client.private_get_list_api_keys()
    async with make_client(sim, "deribit", secret="not-the-secret") as client:
        with pytest.raises(ccxt.AuthenticationError, match="invalid signature"):
            await client.fetch_balance()
    sim.set_faults("deribit", clock_skew_ms=90_000)
    async with make_client(sim, "deribit") as client:
        with pytest.raises(ccxt.AuthenticationError, match="invalid timestamp"):
            await client.private_get_list_api_keys()


async def test_ip_expiry_and_rate_limit(sim: Simulator) -> None:
    sim.set_faults("deribit", "main", ip_not_allowed=True)
    async with make_client(sim, "deribit") as client:
        with pytest.raises(ccxt.AuthenticationError, match="ip_not_whitelisted"):
            await client.private_get_list_api_keys()
    sim.clear_faults()
    sim.set_faults("deribit", "risky", expired=True)
    async with make_client(sim, "deribit", "risky") as client:
        with pytest.raises(ccxt.AuthenticationError, match="13004"):
            await client.fetch_balance()
    sim.set_faults("deribit", "main", rate_limited=True)
    async with make_client(sim, "deribit") as client:
        with pytest.raises(ccxt.DDoSProtection, match="10028"):
            await client.private_get_list_api_keys()
