"""KuCoin specifics: api-key payload, signed passphrase (key version 2), 5 s window."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

import aiohttp
import pytest

from tests.sim.clients import make_client
from tui.sim import Simulator
from tui.sim.exchanges.kucoin import prehash


def b64_hmac(secret: str, message: str) -> str:
    digest = hmac.new(secret.encode(), message.encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def test_prehash_layout() -> None:
    # The docs' example: timestamp + "GET" + "/api/v1/deposit-addresses?currency=XBT" + ""
    assert prehash("1547015186532", "GET", "/api/v1/deposit-addresses?currency=XBT", "") == (
        "1547015186532GET/api/v1/deposit-addresses?currency=XBT"
    )


async def test_api_key_reports_traits_in_kucoin_format(sim: Simulator) -> None:
    data = {}
    for label in ("main", "risky", "sub"):
        async with make_client(sim, "kucoin", label) as client:
            data[label] = (await client.private_get_user_api_key())["data"]
    assert data["main"]["permission"] == "General,Spot"
    assert data["main"]["ipWhitelist"] == "198.51.100.7"
    assert data["main"]["isMaster"] is True and "subName" not in data["main"]
    assert data["main"]["createdAt"] == 1736933400000
    assert data["risky"]["permission"] == "General,Spot,Margin,Withdrawal,InnerTransfer"
    assert data["risky"]["ipWhitelist"] == ""
    assert data["sub"]["permission"] == "General"
    assert data["sub"]["isMaster"] is False and data["sub"]["subName"] == "kucoin-desk"


async def raw_get(sim: Simulator, path: str, stamp: int, **changes: str):
    account = sim.account("kucoin", "main")
    headers = {
        "KC-API-KEY": account.api_key,
        "KC-API-TIMESTAMP": str(stamp),
        "KC-API-PASSPHRASE": b64_hmac(account.secret, account.credentials["password"]),
        "KC-API-KEY-VERSION": "2",
        "KC-API-SIGN": b64_hmac(account.secret, f"{stamp}GET{path}"),
    }
    headers.update(changes)
    async with (
        aiohttp.ClientSession() as session,
        session.get(sim.endpoint("kucoin") + path, headers=headers) as response,
    ):
        return response.status, await response.json()


async def test_documented_signature_replay_and_stale(sim: Simulator) -> None:
    now = int(time.time() * 1000)
    for _ in range(2):  # accepted again inside the 5 s window
        status, body = await raw_get(sim, "/api/v1/accounts?type=trade", now)
        assert status == 200 and body["code"] == "200000"
    status, body = await raw_get(sim, "/api/v1/accounts?type=trade", now - 6000)
    assert (status, body["code"]) == (401, "400002")


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"KC-API-PASSPHRASE": "demo-kucoin-main-pass"}, "400004"),  # clear text with version 2
        ({"KC-API-SIGN": ""}, "400001"),
        ({"KC-API-KEY": "someone-else"}, "400003"),
    ],
)
async def test_header_errors(sim: Simulator, changes: dict[str, str], code: str) -> None:
    status, body = await raw_get(sim, "/api/v1/accounts", int(time.time() * 1000), **changes)
    assert (status, body["code"]) == (401, code)
