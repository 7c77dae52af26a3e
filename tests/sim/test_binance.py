"""Binance against the simulator, through real ccxt clients."""

from __future__ import annotations

import hashlib
import hmac
import time
from urllib.parse import urlencode

import aiohttp
import ccxt.async_support as ccxt
import pytest

from tests.sim.clients import make_client
from tui.sim import Simulator
from tui.sim.exchanges.binance import signed_payload


def test_known_answer_from_binance_docs() -> None:
    # The worked example of Binance's "SIGNED endpoint security" documentation.
    secret = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"
    query = (
        "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1"
        "&recvWindow=5000&timestamp=1499827319559"
    )
    expected = "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71"
    signed = f"{query}&signature={expected}"
    payload = signed_payload(signed, "")
    assert payload == query
    assert hmac.new(secret.encode(), payload.encode(), hashlib.sha256).hexdigest() == expected
    # The docs' mixed example: part in the query string, part in the body.
    mixed = signed_payload("symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC", "quantity=1")
    assert mixed == "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTCquantity=1"


async def test_fetch_balance_equals_provisioned(sim: Simulator) -> None:
    account = sim.account("binance", "main")
    async with make_client(sim, "binance") as client:
        balance = await client.fetch_balance()
    for asset, provisioned in account.traits.balances.items():
        assert balance[asset]["free"] == pytest.approx(float(provisioned.free))
        assert balance[asset]["used"] == pytest.approx(float(provisioned.used))
        assert balance[asset]["total"] == pytest.approx(float(provisioned.total))


async def test_markets_tickers_and_time(sim: Simulator) -> None:
    async with make_client(sim, "binance") as client:
        markets = await client.load_markets()
        tickers = await client.fetch_tickers()
        server_time = await client.fetch_time()
    assert {"BTC/USDT", "ETH/USDT", "SOL/USDT"} <= set(markets)
    assert not any(symbol.startswith("NOPX/") for symbol in markets)
    assert tickers["BTC/USDT"]["last"] == pytest.approx(65000.10)
    assert abs(server_time - time.time() * 1000) < 60_000


@pytest.mark.parametrize("override", [{"secret": "wrong-secret"}, {"apiKey": "unknown-key"}])
async def test_bad_credentials(sim: Simulator, override: dict[str, str]) -> None:
    async with make_client(sim, "binance", **override) as client:
        with pytest.raises(ccxt.AuthenticationError):
            await client.fetch_balance()


async def test_permissions_endpoint(sim: Simulator) -> None:
    async with make_client(sim, "binance", "risky") as client:
        risky = await client.sapi_get_account_apirestrictions()
    async with make_client(sim, "binance", "main") as client:
        main = await client.sapi_get_account_apirestrictions()
        ips = await client.sapi_get_account_apirestrictions_iprestriction()
    assert risky["enableWithdrawals"] is True and risky["ipRestrict"] is False
    assert risky["enableInternalTransfer"] is True and risky["enableMargin"] is True
    assert main["enableWithdrawals"] is False and main["ipRestrict"] is True
    assert main["enableSpotAndMarginTrading"] is True and main["enableReading"] is True
    created = sim.account("binance", "main").traits.created_at
    assert main["createTime"] == int(created.timestamp() * 1000)
    assert ips["ipList"] == ["198.51.100.7"]


async def test_clock_skew_is_invalid_nonce(sim: Simulator) -> None:
    sim.set_faults("binance", clock_skew_ms=120_000)
    async with make_client(sim, "binance") as client:
        server_time = await client.fetch_time()
        assert server_time - time.time() * 1000 > 100_000
        with pytest.raises(ccxt.InvalidNonce):
            await client.fetch_balance()


async def test_rate_limit_is_ddos_protection(sim: Simulator) -> None:
    sim.set_faults("binance", "main", rate_limited=True)
    async with make_client(sim, "binance") as client:
        with pytest.raises(ccxt.DDoSProtection):
            await client.fetch_balance()


async def test_ip_not_allowed(sim: Simulator) -> None:
    sim.set_faults("binance", "main", ip_not_allowed=True)
    async with make_client(sim, "binance") as client:
        with pytest.raises(ccxt.AuthenticationError, match="-2015"):
            await client.sapi_get_account_apirestrictions()
    # A key bound to another address is refused the same way.
    sim.account("binance", "sub").traits.ip_allowlist = ("203.0.113.99",)
    async with make_client(sim, "binance", "sub") as client:
        with pytest.raises(ccxt.AuthenticationError, match="-2015"):
            await client.fetch_balance()


async def test_maintenance(sim: Simulator) -> None:
    sim.set_faults("binance", maintenance=True)
    async with make_client(sim, "binance") as client:
        with pytest.raises(ccxt.ExchangeNotAvailable):
            await client.fetch_balance()


async def test_stale_request_refused_replay_within_window_accepted(sim: Simulator) -> None:
    account = sim.account("binance", "main")

    def signed(timestamp: int) -> str:
        query = urlencode({"recvWindow": 5000, "timestamp": timestamp})
        signature = hmac.new(account.secret.encode(), query.encode(), hashlib.sha256).hexdigest()
        return f"{sim.endpoint('binance')}/api/v3/account?{query}&signature={signature}"

    headers = {"X-MBX-APIKEY": account.api_key}
    async with aiohttp.ClientSession() as session:
        fresh = signed(int(time.time() * 1000))
        for _ in range(2):  # Binance accepts a replay inside recvWindow
            async with session.get(fresh, headers=headers) as response:
                assert response.status == 200
        stale = signed(int(time.time() * 1000) - 10_000)
        async with session.get(stale, headers=headers) as response:
            assert response.status == 400
            assert (await response.json())["code"] == -1021
