"""BingX against the simulator, through real ccxt clients."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import ccxt.async_support as ccxt
import pytest

from tests.sim.clients import assert_balance_is_provisioned, make_client
from tui.sim import Simulator
from tui.sim.exchanges.bingx import unsigned_params

# BingX's signing example (docs "Signature Description") prints a signature that does not
# match its own payload and secret, so there is no known answer to test against.


def test_signed_string_is_the_query_as_sent_without_signature() -> None:
    sent = "recvWindow=0&symbol=BTC-USDT&timestamp=1696751141337&signature=1e63e8cf"
    assert unsigned_params(sent) == "recvWindow=0&symbol=BTC-USDT&timestamp=1696751141337"


async def test_balances_markets_tickers_and_time(sim: Simulator) -> None:
    async with make_client(sim, "bingx") as client:
        balance = await client.fetch_balance()
        tickers = await client.fetch_tickers(["BTC/USDT", "ETH/USDT"])
        server_time = await client.fetch_time()
    assert {"BTC/USDT", "ETH/USDT", "ETH/BTC"} <= set(client.markets)
    assert_balance_is_provisioned(balance, sim.account("bingx", "main"))
    assert tickers["BTC/USDT"]["last"] == pytest.approx(65000.10)
    assert tickers["ETH/USDT"]["bid"] < tickers["ETH/USDT"]["ask"]
    assert abs(server_time - time.time() * 1000) < 60_000


async def test_permission_endpoint_per_key(sim: Simulator) -> None:
    answers = {}
    for label in ("main", "risky", "sub"):
        async with make_client(sim, "bingx", label) as client:
            answers[label] = await client.account_v1_private_get_account_apipermissions()
    main = answers["main"]
    assert main["code"] == 0
    assert main["data"] == {
        "apiKey": sim.account("bingx", "main").api_key,
        "permissions": [1, 2],
        "ipAddresses": ["198.51.100.7"],
        "note": "main",
    }
    assert answers["risky"]["data"]["permissions"] == [1, 2, 4, 5]  # 5 = withdraw
    assert answers["risky"]["data"]["ipAddresses"] == []
    assert answers["sub"]["data"]["permissions"] == [2]


async def test_bad_key_secret_and_timestamp(sim: Simulator) -> None:
    method = "account_v1_private_get_account_apipermissions"
    async with make_client(sim, "bingx", apiKey="no-such-key") as client:
        with pytest.raises(ccxt.AuthenticationError, match="100413"):
            await getattr(client, method)()
    async with make_client(sim, "bingx", secret="not-the-secret") as client:
        with pytest.raises(ccxt.AuthenticationError, match="100001"):
            await getattr(client, method)()
    sim.set_faults("bingx", clock_skew_ms=-30_000)
    async with make_client(sim, "bingx") as client:
        # BingX's own code for a stale timestamp; ccxt maps 100421 to BadSymbol.
        with pytest.raises(ccxt.BadSymbol, match="100421"):
            await getattr(client, method)()


async def test_ip_expiry_and_rate_limit(sim: Simulator) -> None:
    method = "account_v1_private_get_account_apipermissions"
    sim.account("bingx", "main").traits.ip_allowlist = ("203.0.113.99",)
    async with make_client(sim, "bingx") as client:
        with pytest.raises(ccxt.PermissionDenied, match="100419"):
            await client.fetch_balance()
    sim.account("bingx", "risky").traits.expires_at = datetime(2025, 1, 1, tzinfo=UTC)
    async with make_client(sim, "bingx", "risky") as client:
        with pytest.raises(ccxt.AuthenticationError, match="100413"):
            await getattr(client, method)()
    sim.set_faults("bingx", "sub", rate_limited=True)
    async with make_client(sim, "bingx", "sub") as client:
        with pytest.raises(ccxt.OperationFailed, match="100410"):
            await getattr(client, method)()
