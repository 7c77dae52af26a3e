"""Binance against the simulator, through real ccxt clients."""

from __future__ import annotations

import hashlib
import hmac
import time
from urllib.parse import urlencode

import aiohttp

from tests.sim.clients import make_client
from tui.sim import Simulator
from tui.sim.exchanges.binance_style import signed_payload


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
