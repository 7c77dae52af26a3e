"""`keydeck check --json` on the exchanges' documented answers, served by a small fake server
on 127.0.0.1 (not the simulator): each account points at it through its `endpoint`.

The server answers the permission endpoint with a fixture of tests/fixtures/exchange_answers
and every other call Keydeck makes with the least answer of the exchange's format (a clock,
no markets, an empty balance), so what the check reports about rights comes from the docs.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from tests.connect.documented_answers import ROOT
from tests.connect.test_check_cli import _check, _config_dir, _keyfile
from tui.vault import Account

Routes = dict[str, Callable[[], Any]]


def _now_ms() -> int:
    return int(time.time() * 1000)


# The calls `keydeck check` makes besides the permission endpoint, per exchange.
BASE_ROUTES: dict[str, Routes] = {
    "binance": {
        "/api/v3/time": lambda: {"serverTime": _now_ms()},
        "/api/v3/exchangeInfo": lambda: {"timezone": "UTC", "serverTime": _now_ms(), "symbols": []},
        "/api/v3/account": lambda: {"balances": [], "canTrade": True, "updateTime": _now_ms()},
    },
    "bybit": {
        "/v5/market/time": lambda: {
            "retCode": 0,
            "retMsg": "OK",
            "result": {"timeSecond": str(_now_ms() // 1000), "timeNano": str(_now_ms() * 10**6)},
            "time": _now_ms(),
        },
        "/v5/market/instruments-info": lambda: {
            "retCode": 0,
            "retMsg": "OK",
            "result": {"category": "spot", "list": []},
            "time": _now_ms(),
        },
        "/v5/account/info": lambda: {
            "retCode": 0,
            "retMsg": "OK",
            "result": {"marginMode": "REGULAR_MARGIN", "unifiedMarginStatus": 6},
            "time": _now_ms(),
        },
        "/v5/account/wallet-balance": lambda: {
            "retCode": 0,
            "retMsg": "OK",
            "result": {"list": []},
            "time": _now_ms(),
        },
    },
    "kraken": {
        "/0/public/Time": lambda: {
            "error": [],
            "result": {"unixtime": _now_ms() // 1000, "rfc1123": ""},
        },
        "/0/public/AssetPairs": lambda: {"error": [], "result": {}},
        "/0/public/Assets": lambda: {"error": [], "result": {}},
        "/0/private/BalanceEx": lambda: {"error": [], "result": {}},
        "/0/private/Balance": lambda: {"error": [], "result": {}},
    },
    "gate": {
        "/api/v4/spot/time": lambda: {"server_time": _now_ms()},
        **{
            path: list
            for path in (
                "/api/v4/spot/currency_pairs",
                "/api/v4/spot/currencies",
                "/api/v4/spot/tickers",
                "/api/v4/margin/currency_pairs",
                "/api/v4/futures/usdt/contracts",
                "/api/v4/futures/btc/contracts",
                "/api/v4/delivery/usdt/contracts",
                "/api/v4/options/underlyings",
            )
        },
        "/api/v4/spot/accounts": lambda: [],
    },
}


def _gate(answer: dict[str, Any]) -> tuple[Routes, str]:
    """fetch_raw joins account/detail, main_keys and the calling key: split them again."""
    detail = {k: v for k, v in answer.items() if k not in ("main_keys", "callingKey")}
    routes: Routes = {
        "/api/v4/account/detail": lambda: detail,
        "/api/v4/account/main_keys": lambda: answer["main_keys"],
    }
    return routes, answer["callingKey"]


# Exchanges whose fixture is not one HTTP answer: how to serve it, and the key to use.
SPLIT: dict[str, Callable[[dict[str, Any]], tuple[Routes, str]]] = {"gate": _gate}
PERMISSION_PATH = {
    "binance": "/sapi/v1/account/apiRestrictions",
    "bybit": "/v5/user/query-api",
    "kraken": "/0/private/GetApiKeyInfo",
    "gate": "",  # SPLIT
}
CREDENTIALS = {
    "binance": {"apiKey": "documented-answer-key", "secret": "documented-secret"},
    "bybit": {"apiKey": "documented-answer-key", "secret": "documented-secret"},
    "kraken": {"apiKey": "documented-answer-key", "secret": "ZG9jdW1lbnRlZC1zZWNyZXQ="},
    "gate": {"apiKey": "", "secret": "documented-secret"},
}


class FakeExchange:
    """Serves fixed JSON per path; records what was asked."""

    def __init__(self) -> None:
        self.routes: Routes = {}
        self.seen: list[str] = []
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def _handle(self, request: web.Request) -> web.Response:
        self.seen.append(request.path)
        answer = self.routes.get(request.path)
        if answer is None:
            return web.json_response({"code": -1000, "msg": "not served"}, status=404)
        return web.json_response(answer())

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()


@pytest.fixture
async def fake() -> AsyncIterator[FakeExchange]:
    server = FakeExchange()
    await server.start()
    yield server
    await server.stop()


def _fixture(exchange: str, name: str) -> dict[str, Any]:
    return json.loads((ROOT / exchange / f"{name}.json").read_text(encoding="utf-8"))


async def _check_with(
    fake: FakeExchange, tmp_path: Path, exchange: str, name: str
) -> dict[str, Any]:
    doc = _fixture(exchange, name)
    credentials = dict(CREDENTIALS[exchange])
    if exchange in SPLIT:
        routes, credentials["apiKey"] = SPLIT[exchange](doc["answer"])
    else:
        routes = {PERMISSION_PATH[exchange]: lambda: doc["answer"]}
    fake.routes = {**BASE_ROUTES[exchange], **routes}
    config = _config_dir(tmp_path, f"{exchange}-{name}")
    account = Account(exchange=exchange, label=name, credentials=credentials, endpoint=fake.url)
    _keyfile(config, [account])
    code, out, err = await _check(config, "--json")
    document = json.loads(out)
    (row,) = document["accounts"]
    assert row["problem"] is None, (row["problem"], fake.seen, err)
    return {"code": code, "row": row, "findings": [f["code"] for f in row["findings"]]}


@pytest.mark.parametrize("exchange", sorted(PERMISSION_PATH))
async def test_check_json_reads_the_documented_answers(
    fake: FakeExchange, tmp_path: Path, exchange: str
) -> None:
    for path in sorted((ROOT / exchange).glob("*.json")):
        if path.name.startswith("error_"):
            continue  # quoted error texts (test_seen_ip.py), not permission answers
        doc = _fixture(exchange, path.stem)
        result = await _check_with(fake, tmp_path, exchange, path.stem)
        permissions = result["row"]["permissions"]
        expect = doc["_expect"]
        if "withdraw" in expect:
            assert permissions["withdraw"] == expect["withdraw"], path.stem
        if expect.get("withdraw") is True:
            assert "withdraw_enabled" in result["findings"] and result["code"] == 1
        if expect.get("withdraw") is None:
            assert "withdraw_unknown" in result["findings"]
        assert set(expect.get("findings", ())) <= set(result["findings"])
