"""OKX v5: base64 HMAC-SHA256 over ISO timestamp + method + path?query + body; the
passphrase travels in clear in OK-ACCESS-PASSPHRASE."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from tui.sim.errors import ErrorKind, SimError
from tui.sim.exchanges import register
from tui.sim.exchanges.base import SimExchange, fmt, route
from tui.sim.market import SpotMarket
from tui.sim.model import SimAccount
from tui.sim.request import SimRequest

TIMESTAMP_WINDOW_MS = 30_000
"""OKX refuses requests whose timestamp is more than 30 s away from its clock."""

_ERRORS: dict[ErrorKind, tuple[int, str, str]] = {
    ErrorKind.BAD_KEY: (401, "50111", "Invalid OK-ACCESS-KEY"),
    ErrorKind.KEY_EXPIRED: (401, "50111", "Invalid OK-ACCESS-KEY"),
    ErrorKind.BAD_SIGNATURE: (401, "50113", "Invalid Sign"),
    ErrorKind.BAD_PASSPHRASE: (401, "50105", "OK-ACCESS-PASSPHRASE incorrect"),
    ErrorKind.TIMESTAMP: (401, "50102", "Timestamp request expired"),
    ErrorKind.NONCE: (401, "50102", "Timestamp request expired"),
    ErrorKind.RATE_LIMITED: (429, "50011", "Too Many Requests"),
    ErrorKind.IP_NOT_ALLOWED: (
        401,
        "50110",
        "Your IP {ip} is not included in your API key's IP whitelist.",
    ),
    ErrorKind.PERMISSION_DENIED: (401, "50120", "API key doesn't have permission"),
    ErrorKind.NOT_FOUND: (404, "50000", "Not Found"),
    ErrorKind.BAD_REQUEST: (400, "50014", "Parameter {detail} can not be empty."),
}
_HEADER_MISSING: dict[str, tuple[str, str]] = {
    "OK-ACCESS-KEY": ("50103", "Request header OK-ACCESS-KEY can not be empty."),
    "OK-ACCESS-PASSPHRASE": ("50104", "Request header OK-ACCESS-PASSPHRASE can not be empty."),
    "OK-ACCESS-SIGN": ("50106", "Request header OK-ACCESS-SIGN can not be empty."),
    "OK-ACCESS-TIMESTAMP": ("50107", "Request header OK-ACCESS-TIMESTAMP can not be empty."),
}


def prehash(timestamp: str, method: str, path_with_query: str, body: str) -> str:
    """The string OKX signs: timestamp + METHOD + requestPath(?query) + body."""
    return timestamp + method.upper() + path_with_query + body


def parse_timestamp(text: str) -> int | None:
    """OKX's ISO-8601 timestamp with milliseconds, e.g. 2020-12-08T09:08:57.715Z -> ms."""
    try:
        moment = datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    except ValueError:
        return None
    return int(moment.timestamp() * 1000)


class _InvalidTimestamp(SimError):
    def __init__(self) -> None:
        super().__init__(ErrorKind.BAD_REQUEST, "OK-ACCESS-TIMESTAMP")


@register
class Okx(SimExchange):
    id = "okx"
    name = "OKX"
    credential_names = ("apiKey", "secret", "password")

    def api_key_of(self, request: SimRequest) -> str | None:
        return request.header("OK-ACCESS-KEY")

    def authenticate(self, request: SimRequest, account: SimAccount | None) -> None:
        for header in ("OK-ACCESS-KEY", "OK-ACCESS-SIGN", "OK-ACCESS-TIMESTAMP"):
            if request.header(header) is None:
                raise SimError(ErrorKind.BAD_REQUEST, f"header:{header}")
        if account is None:
            raise SimError(ErrorKind.BAD_KEY)
        if request.header("x-simulated-trading") == "1":
            raise SimError(ErrorKind.BAD_REQUEST, "environment")
        passphrase = request.header("OK-ACCESS-PASSPHRASE")
        if passphrase is None:
            raise SimError(ErrorKind.BAD_REQUEST, "header:OK-ACCESS-PASSPHRASE")
        if not self.same(account.password or "", passphrase):
            raise SimError(ErrorKind.BAD_PASSPHRASE)
        stamp = request.headers["OK-ACCESS-TIMESTAMP"]
        timestamp = parse_timestamp(stamp)
        if timestamp is None:
            raise SimError(ErrorKind.BAD_REQUEST, "timestamp-format")
        self.check_timestamp(
            timestamp, account, window_ms=TIMESTAMP_WINDOW_MS, ahead_ms=TIMESTAMP_WINDOW_MS
        )
        message = prehash(stamp, request.method, request.path_with_query, request.body)
        if not self.same(self.hmac_b64(account.secret, message), request.header("OK-ACCESS-SIGN")):
            raise SimError(ErrorKind.BAD_SIGNATURE)

    def render_error(self, error: SimError) -> web.Response:
        if error.kind is ErrorKind.BAD_REQUEST and error.detail.startswith("header:"):
            code, message = _HEADER_MISSING[error.detail.removeprefix("header:")]
            return self.json({"msg": message, "code": code}, status=401)
        if error.kind is ErrorKind.BAD_REQUEST and error.detail == "timestamp-format":
            return self.json({"msg": "Invalid OK-ACCESS-TIMESTAMP", "code": "50112"}, status=401)
        if error.kind is ErrorKind.BAD_REQUEST and error.detail == "environment":
            message = "APIKey does not match current environment."
            return self.json({"msg": message, "code": "50101"}, status=401)
        status, code, message = _ERRORS[error.kind]
        message = message.format(ip=error.detail, detail=error.detail or "")
        return self.json({"msg": message, "code": code, "data": []}, status=status)

    @staticmethod
    def ok(data: list[Any]) -> dict[str, Any]:
        return {"code": "0", "msg": "", "data": data}

    # --- public ------------------------------------------------------------------------

    @route("GET", "/api/v5/public/time")
    async def time(self, request: SimRequest, account: SimAccount | None) -> Any:
        return self.ok([{"ts": str(self.now_ms(account))}])

    @route("GET", "/api/v5/system/status")
    async def status(self, request: SimRequest, account: SimAccount | None) -> Any:
        return self.ok([])

    @route("GET", "/api/v5/public/instruments")
    async def instruments(self, request: SimRequest, account: SimAccount | None) -> Any:
        kind = request.query.get("instType")
        if kind is None:
            raise SimError(ErrorKind.BAD_REQUEST, "instType")
        if kind != "SPOT":
            return self.ok([])
        return self.ok([self._instrument(m) for m in self.state.markets.markets])

    @route("GET", "/api/v5/market/tickers")
    async def tickers(self, request: SimRequest, account: SimAccount | None) -> Any:
        kind = request.query.get("instType")
        if kind is None:
            raise SimError(ErrorKind.BAD_REQUEST, "instType")
        if kind != "SPOT":
            return self.ok([])
        return self.ok([self._ticker(m) for m in self.state.markets.markets])

    @route("GET", "/api/v5/market/ticker")
    async def ticker(self, request: SimRequest, account: SimAccount | None) -> Any:
        wanted = request.query.get("instId")
        found = [self._ticker(m) for m in self.state.markets.markets]
        return self.ok([t for t in found if t["instId"] == wanted])

    # --- private -----------------------------------------------------------------------

    @route("GET", "/api/v5/account/balance", signed=True, permission="read")
    async def balance(self, request: SimRequest, account: SimAccount | None) -> Any:
        assert account is not None
        now = str(self.now_ms(account))
        wanted = request.query.get("ccy")
        details = []
        total_usd = 0.0
        for asset, b in account.traits.balances.items():
            if wanted and asset not in wanted.split(","):
                continue
            price = self._usd_price(asset)
            eq_usd = float(b.total) * price if price is not None else 0.0
            total_usd += eq_usd
            details.append(
                {
                    "ccy": asset,
                    "eq": fmt(b.total),
                    "cashBal": fmt(b.total),
                    "availBal": fmt(b.free),
                    "availEq": fmt(b.free),
                    "frozenBal": fmt(b.used),
                    "ordFrozen": fmt(b.used),
                    "eqUsd": f"{eq_usd:.8f}",
                    "disEq": f"{eq_usd:.8f}",
                    "isoEq": "0",
                    "upl": "0",
                    "liab": "",
                    "crossLiab": "",
                    "interest": "",
                    "maxLoan": "",
                    "notionalLever": "",
                    "stgyEq": "0",
                    "spotInUseAmt": "",
                    "uTime": now,
                }
            )
        return self.ok(
            [
                {
                    "adjEq": "",
                    "imr": "",
                    "mmr": "",
                    "isoEq": "0",
                    "mgnRatio": "",
                    "notionalUsd": "",
                    "ordFroz": "",
                    "totalEq": f"{total_usd:.8f}",
                    "uTime": now,
                    "details": details,
                }
            ]
        )

    @route("GET", "/api/v5/account/config", signed=True, permission="read")
    async def config(self, request: SimRequest, account: SimAccount | None) -> Any:
        assert account is not None
        return self.ok([self.config_payload(account)])

    def config_payload(self, account: SimAccount) -> dict[str, Any]:
        traits = account.traits
        main_uid = _uid(f"{account.exchange}-main-account")
        uid = _uid(traits.sub_account) if traits.sub_account else main_uid
        return {
            "acctLv": "1",
            "acctStpMode": "cancel_maker",
            "autoLoan": False,
            "ctIsoMode": "automatic",
            "enableSpotBorrow": False,
            "greeksType": "PA",
            "ip": ",".join(traits.ip_allowlist),
            "kycLv": "2",
            "label": traits.label,
            "level": "Lv1",
            "levelTmp": "",
            "liquidationGear": "-1",
            "mainUid": main_uid,
            "mgnIsoMode": "automatic",
            "opAuth": "0",
            "perm": okx_perm(traits.permissions),
            "posMode": "net_mode",
            "roleType": "0",
            "spotBorrowAutoRepay": False,
            "spotOffsetType": "",
            "spotRoleType": "0",
            "spotTraderInsts": [],
            "traderInsts": [],
            "type": "0",
            "uid": uid,
        }

    # --- rendering ---------------------------------------------------------------------

    def _usd_price(self, asset: str) -> float | None:
        if asset in ("USDT", "USD"):
            return 1.0
        market = self.state.markets.get(asset, "USDT")
        return float(market.price) if market else None

    def _instrument(self, market: SpotMarket) -> dict[str, Any]:
        return {
            "alias": "",
            "baseCcy": market.base,
            "category": "1",
            "ctMult": "",
            "ctType": "",
            "ctVal": "",
            "ctValCcy": "",
            "expTime": "",
            "instFamily": "",
            "instId": f"{market.base}-{market.quote}",
            "instType": "SPOT",
            "lever": "10",
            "listTime": "1606468572000",
            "lotSz": fmt(market.amount_step),
            "maxIcebergSz": "9999999999",
            "maxLmtAmt": "20000000",
            "maxLmtSz": "9999999999",
            "maxMktAmt": "1000000",
            "maxMktSz": "",
            "maxStopSz": "",
            "maxTriggerSz": "9999999999",
            "maxTwapSz": "9999999999",
            "minSz": fmt(market.amount_step),
            "optType": "",
            "quoteCcy": market.quote,
            "settleCcy": "",
            "state": "live",
            "stk": "",
            "tickSz": fmt(market.price_step),
            "uly": "",
        }

    def _ticker(self, market: SpotMarket) -> dict[str, Any]:
        return {
            "instType": "SPOT",
            "instId": f"{market.base}-{market.quote}",
            "last": fmt(market.price),
            "lastSz": "0.1",
            "askPx": fmt(market.ask()),
            "askSz": "2",
            "bidPx": fmt(market.bid()),
            "bidSz": "1.5",
            "open24h": fmt(market.open_24h),
            "high24h": fmt(market.high()),
            "low24h": fmt(market.low()),
            "volCcy24h": fmt(market.quote_volume()),
            "vol24h": fmt(market.volume_24h),
            "sodUtc0": fmt(market.open_24h),
            "sodUtc8": fmt(market.open_24h),
            "ts": str(self.now_ms()),
        }


def okx_perm(permissions: frozenset[str]) -> str:
    """OKX knows three permissions: read_only, trade (spot/margin/futures, transfers), withdraw."""
    perm = ["read_only"] if "read" in permissions else []
    if permissions & {"spot", "margin", "futures", "transfer"}:
        perm.append("trade")
    if "withdraw" in permissions:
        perm.append("withdraw")
    return ",".join(perm)


def _uid(seed: str) -> str:
    return str(44705892343619584 + sum(seed.encode()) * 7919)
