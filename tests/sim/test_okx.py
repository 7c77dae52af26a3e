"""OKX specifics: the account/config payload, passphrase and timestamp rules, raw requests
signed from the documented recipe (not with the simulator's own helpers)."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime, timedelta

import aiohttp
import pytest

from tests.sim.clients import make_client
from tui.sim import Simulator
from tui.sim.exchanges.okx import parse_timestamp, prehash


def documented_sign(secret: str, timestamp: str, method: str, path: str, body: str = "") -> str:
    """OKX docs: Base64(HMAC-SHA256(secret, timestamp + method + requestPath + body))."""
    message = f"{timestamp}{method}{path}{body}".encode()
    return base64.b64encode(hmac.new(secret.encode(), message, hashlib.sha256).digest()).decode()


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def test_prehash_matches_the_docs_example() -> None:
    # The docs' example: timestamp 2020-12-08T09:08:57.715Z, GET /api/v5/account/balance?ccy=BTC
    stamp = "2020-12-08T09:08:57.715Z"
    assert prehash(stamp, "GET", "/api/v5/account/balance?ccy=BTC", "") == (
        "2020-12-08T09:08:57.715ZGET/api/v5/account/balance?ccy=BTC"
    )
    assert parse_timestamp(stamp) == 1607418537715
    assert parse_timestamp("1607418537715") is None


async def test_config_reports_traits_in_okx_format(sim: Simulator) -> None:
    configs = {}
    for label in ("main", "risky", "sub"):
        async with make_client(sim, "okx", label) as client:
            configs[label] = (await client.private_get_account_config())["data"][0]
    assert configs["main"]["perm"] == "read_only,trade"
    assert configs["main"]["ip"] == "198.51.100.7"
    assert configs["main"]["uid"] == configs["main"]["mainUid"]
    assert configs["main"]["label"] == "main"
    assert configs["risky"]["perm"] == "read_only,trade,withdraw"
    assert configs["risky"]["ip"] == ""
    assert configs["sub"]["perm"] == "read_only"
    assert configs["sub"]["uid"] != configs["sub"]["mainUid"]  # a sub-account key


async def raw_get(sim: Simulator, path: str, headers: dict[str, str]) -> tuple[int, dict]:
    async with (
        aiohttp.ClientSession() as session,
        session.get(sim.endpoint("okx") + path, headers=headers) as response,
    ):
        return response.status, await response.json()


def signed_headers(sim: Simulator, stamp: str, path: str, **changes: str) -> dict[str, str]:
    account = sim.account("okx", "main")
    headers = {
        "OK-ACCESS-KEY": account.api_key,
        "OK-ACCESS-PASSPHRASE": account.credentials["password"],
        "OK-ACCESS-TIMESTAMP": stamp,
        "OK-ACCESS-SIGN": documented_sign(account.secret, stamp, "GET", path),
    }
    headers.update(changes)
    return headers


async def test_documented_signature_replay_and_stale(sim: Simulator) -> None:
    path = "/api/v5/account/balance?ccy=BTC,USDT"
    fresh = signed_headers(sim, iso(datetime.now(UTC)), path)
    for _ in range(2):  # OKX accepts the same request again inside its 30 s window
        status, body = await raw_get(sim, path, fresh)
        assert status == 200 and body["code"] == "0"
        assert {d["ccy"] for d in body["data"][0]["details"]} == {"BTC", "USDT"}
    stale = signed_headers(sim, iso(datetime.now(UTC) - timedelta(seconds=45)), path)
    assert await raw_get(sim, path, stale) == (
        401,
        {"msg": "Timestamp request expired", "code": "50102", "data": []},
    )


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"OK-ACCESS-TIMESTAMP": "1607418537715"}, "50112"),
        ({"OK-ACCESS-PASSPHRASE": ""}, "50104"),
        ({"x-simulated-trading": "1"}, "50101"),
    ],
)
async def test_header_errors(sim: Simulator, changes: dict[str, str], code: str) -> None:
    path = "/api/v5/account/config"
    status, body = await raw_get(
        sim, path, signed_headers(sim, iso(datetime.now(UTC)), path, **changes)
    )
    assert (status, body["code"]) == (401, code)
