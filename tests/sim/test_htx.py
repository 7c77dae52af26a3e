"""HTX against the simulator, through real ccxt clients."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from datetime import UTC, datetime
from urllib.parse import urlencode

import aiohttp
import ccxt.async_support as ccxt
import pytest

from tests.sim.clients import assert_balance_is_provisioned, make_client
from tui.sim import Simulator
from tui.sim.exchanges.htx import prehash, signed_params


def test_pre_signed_text_of_the_htx_docs_example() -> None:
    # HTX's "HmacSHA256 Signature Method" walk-through: the final URL's parameters, sorted
    # by name without Signature, give the documented pre-signed text (the docs publish no
    # secret, so there is no signature to check).
    sent = (
        "AccessKeyId=e2xxxxxx-99xxxxxx-84xxxxxx-7xxxx&order-id=1234567890"
        "&SignatureMethod=HmacSHA256&SignatureVersion=2&Timestamp=2017-05-11T15%3A19%3A30"
        "&Signature=4F65x5A2bLyMWVQj3Aqp%2BB4w%2BivaA7n5Oi2SuYtCJ9o%3D"
    )
    assert signed_params(sent) == (
        "AccessKeyId=e2xxxxxx-99xxxxxx-84xxxxxx-7xxxx&SignatureMethod=HmacSHA256"
        "&SignatureVersion=2&Timestamp=2017-05-11T15%3A19%3A30&order-id=1234567890"
    )
    assert prehash("get", "API.huobi.pro", "/v1/order/orders", sent).split("\n")[:3] == [
        "GET",
        "api.huobi.pro",
        "/v1/order/orders",
    ]


async def test_balances_markets_tickers_and_time(sim: Simulator) -> None:
    async with make_client(sim, "htx") as client:
        balance = await client.fetch_balance()
        tickers = await client.fetch_tickers(["BTC/USDT", "ETH/USDT"])
        server_time = await client.fetch_time()
    assert {"BTC/USDT", "ETH/USDT", "ETH/BTC"} <= set(client.markets)
    assert_balance_is_provisioned(balance, sim.account("htx", "main"))
    assert tickers["BTC/USDT"]["last"] == pytest.approx(65000.10)
    assert tickers["ETH/USDT"]["bid"] < tickers["ETH/USDT"]["ask"]
    assert abs(server_time - time.time() * 1000) < 60_000


async def test_uid_then_api_key_query(sim: Simulator) -> None:
    main_key = sim.account("htx", "main").api_key
    async with make_client(sim, "htx", "main") as client:
        uid = (await client.v2private_get_user_uid())["data"]
        own = await client.v2private_get_user_api_key({"uid": uid, "accessKey": main_key})
        every = await client.v2private_get_user_api_key({"uid": uid})
        other_uid = await client.v2private_get_user_api_key({"uid": uid + 1})
    assert own["code"] == 200 and own["ok"] is True
    [main] = own["data"]
    assert main == {
        "accessKey": main_key,
        "status": "normal",
        "note": "main",
        "permission": "readOnly,trade",
        "ipAddresses": "198.51.100.7",
        "validDays": -1,
        "createTime": 1736933400000,
        "updateTime": 1736933400000,
    }
    # Without accessKey: every key of the uid (main and risky share the main account).
    by_key = {row["accessKey"]: row for row in every["data"]}
    risky = by_key[sim.account("htx", "risky").api_key]
    assert set(by_key) == {main_key, sim.account("htx", "risky").api_key}
    assert risky["permission"] == "readOnly,trade,withdraw" and risky["ipAddresses"] == ""
    assert risky["validDays"] in (59, 60)  # unbound HTX keys expire after 90 days
    assert other_uid == {"code": 1002, "message": "forbidden", "data": None, "ok": False}
    async with make_client(sim, "htx", "sub") as client:
        sub_uid = (await client.spot_private_get_v2_user_uid())["data"]
        [sub] = (await client.spot_private_get_v2_user_api_key({"uid": sub_uid}))["data"]
    assert sub_uid != uid and sub["permission"] == "readOnly"


async def test_bad_key_secret_and_timestamp(sim: Simulator) -> None:
    async with make_client(sim, "htx", apiKey="no-such-key") as client:
        with pytest.raises(ccxt.AuthenticationError, match="Incorrect Access key"):
            await client.v2private_get_user_uid()
    async with make_client(sim, "htx", secret="not-the-secret") as client:
        with pytest.raises(ccxt.AuthenticationError, match="Verification failure"):
            await client.v2private_get_user_uid()
    sim.set_faults("htx", clock_skew_ms=-400_000)  # HTX allows 5 minutes
    async with make_client(sim, "htx") as client:
        with pytest.raises(ccxt.AuthenticationError, match="Invalid submission time"):
            await client.v2private_get_user_uid()
    sim.set_faults("htx", clock_skew_ms=200_000)
    async with make_client(sim, "htx") as client:
        assert (await client.v2private_get_user_uid())["ok"] is True


async def test_ip_expiry_and_rate_limit(sim: Simulator) -> None:
    sim.account("htx", "main").traits.ip_allowlist = ("203.0.113.99",)
    async with make_client(sim, "htx") as client:
        with pytest.raises(ccxt.AuthenticationError, match="Incorrect IP address"):
            await client.fetch_balance()
    sim.account("htx", "risky").traits.expires_at = datetime(2025, 1, 1, tzinfo=UTC)
    async with make_client(sim, "htx", "risky") as client:
        with pytest.raises(ccxt.AuthenticationError):
            await client.v2private_get_user_uid()
    sim.set_faults("htx", "sub", rate_limited=True)
    async with make_client(sim, "htx", "sub") as client:
        with pytest.raises(ccxt.RateLimitExceeded):
            await client.v2private_get_user_uid()


async def test_signature_over_the_real_host_is_accepted(sim: Simulator) -> None:
    account = sim.account("htx", "main")
    host = sim.url.removeprefix("http://")

    def url(signed_host: str, path: str) -> str:
        params = {
            "AccessKeyId": account.api_key,
            "SignatureMethod": "HmacSHA256",
            "SignatureVersion": "2",
            "Timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S"),
        }
        query = urlencode(params)
        text = "\n".join(("GET", signed_host, path, signed_params(query)))
        digest = hmac.new(account.secret.encode(), text.encode(), hashlib.sha256).digest()
        signature = urlencode({"Signature": base64.b64encode(digest).decode()})
        return f"{sim.endpoint('htx')}/v2/user/uid?{query}&{signature}"

    async with aiohttp.ClientSession() as session:
        for signed_host, path, accepted in (
            (host, "/htx/v2/user/uid", True),  # what a plain client sends
            ("api.huobi.pro", "/v2/user/uid", True),  # what ccxt signs
            ("x.com", "/v2/user/uid", False),
            (host, "/v2/user/uid", False),
        ):
            async with session.get(url(signed_host, path)) as response:
                body = await response.json()
            assert response.status == 200
            assert (body.get("ok") is True) is accepted, (signed_host, body)
