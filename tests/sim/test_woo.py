"""WOO X against the simulator, through real ccxt clients."""

from __future__ import annotations

import json

import aiohttp
import ccxt.async_support as ccxt
import pytest

from tests.sim.clients import assert_balance_is_provisioned, build_client, make_client
from tui.sim import Simulator
from tui.sim.exchanges.woo import masked_key, woo_signature

# WOO's integration guide (https://developer.woox.io/api-reference/guide): its example secret
# and timestamp, and the request it normalizes to "1578565539808GET/v3/algo/orders?algoType=STOP".
GUIDE_SECRET = "QHKRXHPAW1MC9YGZMAT8YDJG2HPR"
GUIDE_TIMESTAMP = "1578565539808"


def test_signature_is_what_ccxt_signs() -> None:
    """ccxt's woo.sign for a v3 GET with a query and a v3 POST with a JSON body."""
    client = build_client(
        "woo", {"apiKey": "AbmyVJGUpN064ks5ELjLfA==", "secret": GUIDE_SECRET}, "http://127.0.0.1:1"
    )
    client.nonce = lambda: int(GUIDE_TIMESTAMP)
    get = client.sign("algo/orders", ["v3", "private"], "GET", {"algoType": "STOP"})
    assert get["url"].endswith("/v3/algo/orders?algoType=STOP")
    assert get["headers"]["x-api-timestamp"] == GUIDE_TIMESTAMP
    assert get["headers"]["x-api-signature"] == woo_signature(
        GUIDE_TIMESTAMP, "GET", "/v3/algo/orders?algoType=STOP", "", GUIDE_SECRET
    )
    post = client.sign("trade/cancelAllAfter", ["v3", "private"], "POST", {"triggerAfter": 0})
    assert post["headers"]["x-api-signature"] == woo_signature(
        GUIDE_TIMESTAMP, "POST", "/v3/trade/cancelAllAfter", post["body"], GUIDE_SECRET
    )
    assert woo_signature(GUIDE_TIMESTAMP, "GET", "/v3/x", "", GUIDE_SECRET) != woo_signature(
        GUIDE_TIMESTAMP, "GET", "/v3/y", "", GUIDE_SECRET
    )


def test_demo_keys_mask_apart() -> None:
    """The documented masking shows two characters: the demo keys differ in them."""
    assert masked_key("+PabcdefghijklmnopqrsA==") == "+Pxxxxxxxxxxxxxxxxxxxx=="
    assert masked_key("abcd") == "xxxx"  # too short to show anything


async def test_markets_time_balances_and_no_spot_tickers(sim: Simulator) -> None:
    async with make_client(sim, "woo") as client:
        balance = await client.fetch_balance()
        server_time = await client.fetch_time()
        with pytest.raises(ccxt.NotSupported):
            await client.fetch_tickers(["BTC/USDT"])  # ccxt 4.5.90: perpetuals only
        with pytest.raises(ccxt.NotSupported):
            await client.fetch_ticker("BTC/USDT")
    assert {"BTC/USDT", "ETH/USDT", "ETH/BTC"} <= set(client.markets)
    assert client.markets["BTC/USDT"]["id"] == "SPOT_BTC_USDT"
    assert_balance_is_provisioned(balance, sim.account("woo", "main"))
    assert abs(server_time - sim.state.now_ms()) < 2000


async def test_credentials_list_the_accounts_keys_masked(sim: Simulator) -> None:
    answers = {}
    for label in ("main", "risky", "sub"):
        async with make_client(sim, "woo", label) as client:
            answers[label] = await client.v3_private_get_account_credentials({"size": 1000})
    main_rows = answers["main"]["data"]["rows"]
    assert answers["risky"]["data"]["rows"] == main_rows  # the same account's list
    keys = {label: sim.account("woo", label).api_key for label in ("main", "risky", "sub")}
    assert [row["apiKey"] for row in main_rows] == [
        masked_key(keys["main"]),
        masked_key(keys["risky"]),
    ]
    assert len({key[:2] for key in keys.values()}) == 3
    main, risky = main_rows
    assert main["permissions"] == ["READ", "TRADE"] and main["allowedIPs"] == ["198.51.100.7"]
    assert risky["permissions"] == ["READ", "TRADE", "WITHDRAWAL"] and "allowedIPs" not in risky
    assert main["accountName"] == "Main"
    [sub] = answers["sub"]["data"]["rows"]
    assert sub["permissions"] == ["READ"] and sub["accountName"] == "woo-desk"
    assert answers["main"]["data"]["meta"] == {"total": 2, "recordsPerPage": 1000, "currentPage": 1}


async def test_paging(sim: Simulator) -> None:
    async with make_client(sim, "woo") as client:
        first = await client.v3_private_get_account_credentials({"size": 1, "page": 1})
        second = await client.v3_private_get_account_credentials({"size": 1, "page": 2})
        third = await client.v3_private_get_account_credentials({"size": 1, "page": 3})
        default = await client.v3_private_get_account_credentials()
        with pytest.raises(ccxt.BadRequest, match="-1005"):
            await client.v3_private_get_account_credentials({"size": 1001})
    assert first["data"]["rows"] != second["data"]["rows"] and third["data"]["rows"] == []
    assert first["data"]["meta"] == {"total": 2, "recordsPerPage": 1, "currentPage": 1}
    assert default["data"]["meta"]["recordsPerPage"] == 25


async def test_bad_key_secret_clock_ip_and_rate_limit(sim: Simulator) -> None:
    async with make_client(sim, "woo", apiKey="bm8tc3VjaC1rZXktLS0tLQ==") as client:
        with pytest.raises(ccxt.AuthenticationError, match="-1002"):
            await client.fetch_balance()
    async with make_client(sim, "woo", secret="NOTTHESECRET") as client:
        with pytest.raises(ccxt.AuthenticationError, match="-1002"):
            await client.v3_private_get_account_credentials()
    sim.set_faults("woo", "main", clock_skew_ms=-30_000)
    async with make_client(sim, "woo") as client:
        with pytest.raises(ccxt.BadRequest, match="317179"):
            await client.v3_private_get_account_credentials()
    sim.clear_faults()
    sim.set_faults("woo", "main", ip_not_allowed=True)
    async with make_client(sim, "woo") as client:
        with pytest.raises(ccxt.AuthenticationError, match="-1002"):
            await client.v3_private_get_account_credentials()
    sim.clear_faults()
    sim.set_faults("woo", "main", rate_limited=True)
    async with make_client(sim, "woo") as client:
        with pytest.raises(ccxt.RateLimitExceeded, match="-1003"):
            await client.v3_private_get_account_credentials()


async def test_unsigned_request_is_wrong_format(sim: Simulator) -> None:
    key = sim.account("woo", "main").api_key
    async with (
        aiohttp.ClientSession() as session,
        session.get(
            sim.endpoint("woo") + "/v3/account/credentials", headers={"x-api-key": key}
        ) as response,
    ):
        body = json.loads(await response.text())
    assert response.status == 401
    assert body == {
        "success": False,
        "code": -1001,
        "message": "The api key or secret is in wrong format",
    }
