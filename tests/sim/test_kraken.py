"""Kraken against the simulator, through real ccxt clients."""

from __future__ import annotations

import base64
import time
from datetime import UTC, datetime

import aiohttp
import ccxt.async_support as ccxt
import pytest

from tests.sim.clients import assert_balance_is_provisioned, make_client
from tui.sim import Simulator
from tui.sim.exchanges.kraken import api_sign

OTHER_SECRET = base64.b64encode(bytes(range(64))).decode()


def test_known_answer_from_kraken_docs() -> None:
    # The worked example of Kraken's "Spot REST Authentication" guide.
    secret = (
        "kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg=="
    )
    postdata = "nonce=1616492376594&ordertype=limit&pair=XBTUSD&price=37500&type=buy&volume=1.25"
    expected = (
        "4/dpxb3iT4tp/ZCVEwSnEsLxx0bqyhLpdfOpc6fn7OR8+UClSV5n9E6aSS8MPtnRfp32bAb0nmbRn6H8ndwLUQ=="
    )
    assert api_sign("/0/private/AddOrder", "1616492376594", postdata, secret) == expected
    with pytest.raises(ValueError):
        api_sign("/0/private/AddOrder", "1", "nonce=1", "not base64!")


async def test_fetch_balance_equals_provisioned(sim: Simulator) -> None:
    account = sim.account("kraken", "main")
    async with make_client(sim, "kraken") as client:
        balance = await client.fetch_balance()
    assert_balance_is_provisioned(balance, account)


async def test_markets_tickers_and_time(sim: Simulator) -> None:
    async with make_client(sim, "kraken") as client:
        client.has["fetchCurrencies"] = True  # ccxt's default: currencies load too
        markets = await client.load_markets()
        tickers = await client.fetch_tickers()
        server_time = await client.fetch_time()
    assert {"BTC/USDT", "ETH/USDT", "SOL/USDT", "ETH/BTC"} <= set(markets)
    assert markets["BTC/USDT"]["id"] == "XBTUSDT" and markets["ETH/BTC"]["id"] == "XETHXXBT"
    assert "NOPX" in client.currencies  # a listed asset without any market
    assert not any(symbol.startswith("NOPX/") for symbol in markets)
    assert tickers["BTC/USDT"]["last"] == pytest.approx(65000.10)
    assert abs(server_time - time.time() * 1000) < 60_000


async def test_bad_key_is_authentication_error(sim: Simulator) -> None:
    async with make_client(sim, "kraken", apiKey="unknown-key") as client:
        with pytest.raises(ccxt.AuthenticationError, match="EAPI:Invalid key"):
            await client.fetch_balance()


async def test_bad_secret_is_a_plain_exchange_error(sim: Simulator) -> None:
    # ccxt has no mapping for "EAPI:Invalid signature": the connector must classify it itself.
    async with make_client(sim, "kraken", secret=OTHER_SECRET) as client:
        with pytest.raises(ccxt.ExchangeError, match="EAPI:Invalid signature") as caught:
            await client.fetch_balance()
    assert not isinstance(caught.value, ccxt.AuthenticationError)


async def test_permissions_endpoint(sim: Simulator) -> None:
    sim.account("kraken", "risky").traits.expires_at = datetime(2027, 1, 1, tzinfo=UTC)
    async with make_client(sim, "kraken", "main") as client:
        main = (await client.private_post_getapikeyinfo())["result"]
    async with make_client(sim, "kraken", "risky") as client:
        risky = (await client.private_post_getapikeyinfo())["result"]
    created = sim.account("kraken", "main").traits.created_at
    assert main["apiKey"] == "demo-kraken-main-key" and main["apiKeyName"] == "main"
    assert "query-funds" in main["permissions"] and "modify-trades" in main["permissions"]
    assert "withdraw-funds" not in main["permissions"]
    assert main["ipAllowlist"] == ["198.51.100.7"]
    assert main["createdTime"] == str(int(created.timestamp()))
    assert main["validUntil"] == "0" and int(main["nonce"]) > 0
    assert {"withdraw-funds", "deposit-funds"} <= set(risky["permissions"])
    assert risky["ipAllowlist"] == []
    assert risky["validUntil"] == str(int(datetime(2027, 1, 1, tzinfo=UTC).timestamp()))


async def test_clock_skew_alone_is_harmless_but_nonces_must_increase(sim: Simulator) -> None:
    sim.set_faults("kraken", clock_skew_ms=300_000)
    async with make_client(sim, "kraken") as client:
        assert await client.fetch_time() - time.time() * 1000 > 250_000
        await client.fetch_balance()  # Kraken never compares the nonce with its clock
    # A client whose clock runs a minute behind sends smaller nonces than the last one.
    async with make_client(sim, "kraken", options={"timeDifference": 60_000}) as client:
        with pytest.raises(ccxt.InvalidNonce):
            await client.fetch_balance()


async def test_replayed_request_is_refused(sim: Simulator) -> None:
    account = sim.account("kraken", "main")
    nonce = str(int(time.time() * 1000))
    body = f"nonce={nonce}"
    headers = {
        "API-Key": account.api_key,
        "API-Sign": api_sign("/0/private/BalanceEx", nonce, body, account.secret),
        "Content-Type": "application/x-www-form-urlencoded",
    }
    url = f"{sim.endpoint('kraken')}/0/private/BalanceEx"
    async with aiohttp.ClientSession() as session:
        async with session.post(url, data=body, headers=headers) as response:
            first = await response.json()
        async with session.post(url, data=body, headers=headers) as response:
            second = await response.json()
    assert first["error"] == [] and "XXBT" in first["result"]
    assert second == {"error": ["EAPI:Invalid nonce"]}


async def test_rate_limit_is_ddos_protection(sim: Simulator) -> None:
    sim.set_faults("kraken", "main", rate_limited=True)
    async with make_client(sim, "kraken") as client:
        with pytest.raises(ccxt.DDoSProtection, match="EAPI:Rate limit exceeded"):
            await client.fetch_balance()


async def test_ip_expiry_and_permission_refusals(sim: Simulator) -> None:
    sim.set_faults("kraken", "main", ip_not_allowed=True)
    async with make_client(sim, "kraken") as client:
        with pytest.raises(ccxt.PermissionDenied):
            await client.fetch_balance()
    sim.set_faults("kraken", "risky", expired=True)
    async with make_client(sim, "kraken", "risky") as client:
        with pytest.raises(ccxt.AuthenticationError, match="EAPI:Invalid key"):
            await client.fetch_balance()
    sub = sim.account("kraken", "sub")
    sub.traits.permissions = frozenset({"spot"})  # no "Query Funds"
    async with make_client(sim, "kraken", "sub") as client:
        with pytest.raises(ccxt.PermissionDenied, match="EGeneral:Permission denied"):
            await client.fetch_balance()


async def test_generic_faults(sim: Simulator) -> None:
    sim.set_faults("kraken", maintenance=True)
    async with make_client(sim, "kraken") as client:
        with pytest.raises(ccxt.ExchangeNotAvailable, match="503"):
            await client.fetch_balance()
    sim.set_faults("kraken", maintenance=False, geo_blocked=True)
    async with make_client(sim, "kraken") as client:
        with pytest.raises(ccxt.ExchangeNotAvailable, match="403 Forbidden"):
            await client.fetch_time()
    sim.set_faults("kraken", geo_blocked=False, timeout=True)
    async with make_client(sim, "kraken") as client:
        client.timeout = 300
        with pytest.raises(ccxt.RequestTimeout):
            await client.fetch_time()
