"""Bitfinex against the simulator, through real ccxt clients."""

from __future__ import annotations

import hashlib
import hmac

import ccxt.async_support as ccxt
import pytest

from tests.sim.clients import assert_balance_is_provisioned, make_client
from tui.sim import Simulator
from tui.sim.exchanges.bitfinex import bitfinex_signature

# Bitfinex's authentication docs print no signature for a given secret, so there is no
# known answer; the message layout is checked instead (ccxt signs the same string).


def test_signed_message_is_api_path_nonce_body() -> None:
    message = b"/api/v2/auth/r/wallets1700000000000{}"
    expected = hmac.new(b"s", message, hashlib.sha384).hexdigest()
    assert bitfinex_signature("/v2/auth/r/wallets", "1700000000000", "{}", "s") == expected


async def test_balances_markets_and_tickers(sim: Simulator) -> None:
    async with make_client(sim, "bitfinex") as client:
        balance = await client.fetch_balance()
        tickers = await client.fetch_tickers(["BTC/USDT", "ETH/BTC"])
    assert {"BTC/USDT", "ETH/USDT", "ETH/BTC", "USDC/USDT"} <= set(client.markets)
    assert client.markets["BTC/USDT"]["id"] == "tBTCUST"  # Bitfinex calls USDT "UST"
    assert_balance_is_provisioned(balance, sim.account("bitfinex", "main"))
    assert tickers["BTC/USDT"]["last"] == pytest.approx(65000.10)
    assert tickers["ETH/BTC"]["bid"] < tickers["ETH/BTC"]["ask"]


async def test_permission_rows_per_key(sim: Simulator) -> None:
    rows = {}
    for label in ("main", "risky", "sub"):
        async with make_client(sim, "bitfinex", label) as client:
            answer = await client.private_post_auth_r_permissions()
        rows[label] = {scope: (read, write) for scope, read, write in answer}
    assert rows["main"]["orders"] == (1, 1) and rows["main"]["withdraw"] == (0, 0)
    assert rows["risky"]["withdraw"] == (0, 1) and rows["risky"]["wallets"] == (1, 1)
    assert all(write == 0 for _, write in rows["sub"].values())
    assert rows["sub"]["wallets"] == (1, 0)


async def test_bad_key_secret_and_nonce(sim: Simulator) -> None:
    async with make_client(sim, "bitfinex", apiKey="no-such-key") as client:
        with pytest.raises(ccxt.AuthenticationError, match="apikey: invalid"):
            await client.private_post_auth_r_permissions()
    async with make_client(sim, "bitfinex", secret="not-the-secret") as client:
        with pytest.raises(ccxt.AuthenticationError, match="digest invalid"):
            await client.private_post_auth_r_permissions()
    async with make_client(sim, "bitfinex", options={"lastNonce": 10**16}) as client:
        await client.private_post_auth_r_permissions()
    async with make_client(sim, "bitfinex") as client:
        with pytest.raises(ccxt.InvalidNonce, match="nonce: small"):
            await client.private_post_auth_r_permissions()


async def test_permission_ip_and_rate_limit(sim: Simulator) -> None:
    sim.account("bitfinex", "sub").traits.permissions = frozenset()
    async with make_client(sim, "bitfinex", "sub") as client:
        with pytest.raises(ccxt.PermissionDenied, match="permission invalid"):
            await client.fetch_balance()
    sim.set_faults("bitfinex", "main", ip_not_allowed=True)
    async with make_client(sim, "bitfinex") as client:
        with pytest.raises(ccxt.AuthenticationError):
            await client.private_post_auth_r_permissions()
    sim.clear_faults()
    sim.set_faults("bitfinex", "main", rate_limited=True)
    async with make_client(sim, "bitfinex") as client:
        with pytest.raises(ccxt.RateLimitExceeded):
            await client.private_post_auth_r_permissions()
