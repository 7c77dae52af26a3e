"""Bitget classic-account REST (api.bitget.com /api/v2, plus the v3 UTA probe).

Signed requests carry ACCESS-KEY, ACCESS-TIMESTAMP (ms), ACCESS-PASSPHRASE (in clear) and
ACCESS-SIGN = base64(HMAC-SHA256(secret, timestamp + METHOD + path + "?" + query + body)),
the "?query" part only when there is a query. A timestamp more than 30 s away from Bitget's
clock is refused with 40008 (ccxt: InvalidNonce). Errors are
`{"code": "40006", "msg": ..., "requestTime": ..., "data": null}`.

ccxt probes `GET /api/v3/account/settings` before markets and balances to tell a unified
(UTA) account from a classic one; the simulated keys are classic accounts, so the probe gets
Bitget's 40084 "Classic Account mode" answer, which ccxt swallows.
"""

from __future__ import annotations

import hashlib
import time
from typing import Any
from urllib.parse import unquote

from aiohttp import web

from tui.sim.exchanges import register
from tui.sim.exchanges.base import (
    ErrorKind,
    SimAccount,
    SimError,
    SimExchange,
    SimRequest,
    fmt,
    route,
)
from tui.sim.market import UNPRICED_ASSET, SpotMarket

WINDOW_MS = 30_000
CLASSIC_ACCOUNT_CODE = "40084"

_ERRORS: dict[ErrorKind, tuple[int, str, str]] = {
    ErrorKind.BAD_KEY: (400, "40006", "Invalid ACCESS_KEY"),
    ErrorKind.BAD_SIGNATURE: (400, "40009", "sign signature error"),
    ErrorKind.BAD_PASSPHRASE: (400, "40012", "apikey/password is incorrect"),
    ErrorKind.TIMESTAMP: (400, "40008", "Request timestamp expired"),
    ErrorKind.NONCE: (400, "40008", "Request timestamp expired"),
    ErrorKind.RATE_LIMITED: (429, "429", "Too Many Requests"),
    ErrorKind.IP_NOT_ALLOWED: (400, "40018", "Invalid IP"),
    ErrorKind.KEY_EXPIRED: (400, "40037", "Apikey does not exist"),
    ErrorKind.PERMISSION_DENIED: (400, "40014", "Incorrect permissions"),
    ErrorKind.NOT_FOUND: (404, "40404", "Request URL NOT FOUND"),
    ErrorKind.BAD_REQUEST: (400, "40017", "Parameter verification failed"),
}

# Missing headers have codes of their own (ccxt: AuthenticationError).
_MISSING_HEADER_CODES: dict[str, tuple[str, str]] = {
    "ACCESS-KEY": ("40001", "ACCESS_KEY cannot be empty"),
    "ACCESS-SIGN": ("40003", "Signature cannot be empty"),
    "ACCESS-TIMESTAMP": ("40005", "Invalid ACCESS_TIMESTAMP"),
    "ACCESS-PASSPHRASE": ("40011", "ACCESS_PASSPHRASE cannot be empty"),
}

# Bitget's authority codes: read-only "...or"/"...r", read-write "...ow"/"...w".
_READ_AUTHORITIES = ("coor", "cpor", "stor", "smor", "wtor")
_WRITE_AUTHORITIES: dict[str, tuple[str, ...]] = {
    "spot": ("stow",),
    "margin": ("smow",),
    "futures": ("coow", "cpow"),
    "transfer": ("wtow",),
    "withdraw": ("wwow",),
}


def prehash(timestamp: str, method: str, path: str, query: str, body: str) -> str:
    """The string Bitget signs: timestamp + METHOD + path [+ "?" + query] + body."""
    return timestamp + method.upper() + path + (f"?{query}" if query else "") + body


def sign(secret: str, timestamp: str, method: str, path: str, query: str, body: str) -> str:
    """Bitget's ACCESS-SIGN (see the module docstring)."""
    return SimExchange.hmac_b64(secret, prehash(timestamp, method, path, query, body), "sha256")


def authorities(permissions: frozenset[str]) -> list[str]:
    """The `authorities` list of /api/v2/spot/account/info for a key's permissions."""
    granted: list[str] = []
    for permission in ("spot", "margin", "futures", "transfer", "withdraw"):
        if permission in permissions:
            granted.extend(_WRITE_AUTHORITIES[permission])
    if "read" in permissions:
        written = {code[:2] for code in granted}
        granted.extend(code for code in _READ_AUTHORITIES if code[:2] not in written)
    return granted


def symbol_id(market: SpotMarket) -> str:
    return f"{market.base}{market.quote}"


def _places(step: Any) -> str:
    exponent = step.normalize().as_tuple().exponent
    return str(-exponent if isinstance(exponent, int) and exponent < 0 else 0)


def render_symbol(market: SpotMarket) -> dict[str, Any]:
    return {
        "symbol": symbol_id(market),
        "baseCoin": market.base,
        "quoteCoin": market.quote,
        "minTradeAmount": "0",
        "maxTradeAmount": "10000000000",
        "takerFeeRate": "0.001",
        "makerFeeRate": "0.001",
        "pricePrecision": _places(market.price_step),
        "quantityPrecision": _places(market.amount_step),
        "quotePrecision": _places(market.price_step),
        "status": "online",
        "minTradeUSDT": "1",
        "buyLimitPriceRatio": "0.05",
        "sellLimitPriceRatio": "0.05",
        "areaSymbol": "no",
        "orderQuantity": "200",
        "openTime": "1532454360000",
        "offTime": "",
    }


def render_coin(code: str) -> dict[str, Any]:
    chain = {
        "chain": code,
        "needTag": "false",
        "withdrawable": "true",
        "rechargeable": "true",
        "withdrawFee": "0.0005",
        "extraWithDrawFee": "0",
        "depositConfirm": "12",
        "withdrawConfirm": "12",
        "minDepositAmount": "0.0001",
        "minWithdrawAmount": "0.001",
        "browserUrl": "",
        "contractAddress": "",
        "withdrawStep": "0",
        "withdrawMinScale": "8",
        "congestion": "normal",
    }
    return {"coinId": code, "coin": code, "transfer": "true", "chains": [chain]}


def render_ticker(market: SpotMarket, now_ms: int) -> dict[str, Any]:
    return {
        "symbol": symbol_id(market),
        "high24h": fmt(market.high()),
        "open": fmt(market.open_24h),
        "low24h": fmt(market.low()),
        "lastPr": fmt(market.price),
        "quoteVolume": fmt(market.quote_volume()),
        "baseVolume": fmt(market.volume_24h),
        "usdtVolume": fmt(market.quote_volume()),
        "bidPr": fmt(market.bid()),
        "askPr": fmt(market.ask()),
        "bidSz": "1",
        "askSz": "1",
        "openUtc": fmt(market.open_24h),
        "ts": str(now_ms),
        "changeUtc24h": fmt(market.change_pct() / 100),
        "change24h": fmt(market.change_pct() / 100),
    }


def user_id(account: SimAccount) -> str:
    scope = account.traits.sub_account or "main"
    return str(int(hashlib.sha256(f"bitget-user/{scope}".encode()).hexdigest()[:9], 16))


def render_account_info(account: SimAccount) -> dict[str, Any]:
    traits = account.traits
    main_id = str(int(hashlib.sha256(b"bitget-user/main").hexdigest()[:9], 16))
    return {
        "userId": user_id(account),
        "inviterId": "",
        "ips": ",".join(traits.ip_allowlist),
        "authorities": authorities(traits.permissions),
        "parentId": int(main_id),
        "traderType": "not_trader",
        "channelCode": "",
        "channel": "",
        "regisTime": str(int(traits.created_at.timestamp() * 1000)),
    }


def render_assets(account: SimAccount, now_ms: int) -> list[dict[str, str]]:
    return [
        {
            "coin": asset,
            "available": fmt(b.free),
            "frozen": fmt(b.used),
            "locked": "0",
            "limitAvailable": "0",
            "uTime": str(now_ms),
        }
        for asset, b in sorted(account.traits.balances.items())
    ]


@register
class Bitget(SimExchange):
    id = "bitget"
    name = "Bitget"
    credential_names = ("apiKey", "secret", "password")

    def api_key_of(self, request: SimRequest) -> str | None:
        return request.header("ACCESS-KEY")

    def authenticate(self, request: SimRequest, account: SimAccount | None) -> None:
        for header in _MISSING_HEADER_CODES:
            if request.header(header) is None:
                raise SimError(ErrorKind.BAD_REQUEST, header)
        if account is None:
            raise SimError(ErrorKind.BAD_KEY)
        if not self.same(account.password or "", request.header("ACCESS-PASSPHRASE")):
            raise SimError(ErrorKind.BAD_PASSPHRASE)
        timestamp = request.header("ACCESS-TIMESTAMP") or ""
        if not timestamp.isdigit():
            raise SimError(ErrorKind.BAD_REQUEST, "ACCESS-TIMESTAMP")
        self.check_timestamp(int(timestamp), account, window_ms=WINDOW_MS, ahead_ms=WINDOW_MS)
        given = request.header("ACCESS-SIGN")
        if not any(
            self.same(
                sign(account.secret, timestamp, request.method, request.path, q, request.body),
                given,
            )
            for q in {request.raw_query, unquote(request.raw_query)}
        ):
            raise SimError(ErrorKind.BAD_SIGNATURE)

    def render_error(self, error: SimError) -> web.Response:
        status, code, message = _ERRORS.get(error.kind, (500, "40015", "System is abnormal"))
        if error.kind is ErrorKind.BAD_REQUEST and error.detail in _MISSING_HEADER_CODES:
            code, message = _MISSING_HEADER_CODES[error.detail]
        return self._answer(code, message, None, status)

    def _answer(self, code: str, message: str, data: Any, status: int = 200) -> web.Response:
        body = {"code": code, "msg": message, "requestTime": int(time.time() * 1000), "data": data}
        return self.json(body, status=status)

    def _ok(self, data: Any) -> web.Response:
        return self._answer("00000", "success", data)

    # --- public ------------------------------------------------------------------------

    @route("GET", "/api/v2/public/time")
    async def time(self, request: SimRequest, account: SimAccount | None) -> Any:
        return self._ok({"serverTime": str(self.now_ms(account))})

    @route("GET", "/api/v2/spot/public/symbols")
    async def symbols(self, request: SimRequest, account: SimAccount | None) -> Any:
        wanted = request.query.get("symbol")
        markets = [m for m in self.state.markets.markets if wanted in (None, symbol_id(m))]
        return self._ok([render_symbol(m) for m in markets])

    @route("GET", "/api/v2/spot/public/coins")
    async def coins(self, request: SimRequest, account: SimAccount | None) -> Any:
        markets = self.state.markets.markets
        codes = {m.base for m in markets} | {m.quote for m in markets} | {UNPRICED_ASSET}
        return self._ok([render_coin(code) for code in sorted(codes)])

    @route("GET", "/api/v2/margin/currencies")
    async def margin_currencies(self, request: SimRequest, account: SimAccount | None) -> Any:
        return self._ok([])

    @route("GET", "/api/v2/mix/market/contracts")
    async def contracts(self, request: SimRequest, account: SimAccount | None) -> Any:
        return self._ok([])

    @route("GET", "/api/v2/spot/market/tickers")
    async def tickers(self, request: SimRequest, account: SimAccount | None) -> Any:
        wanted = request.query.get("symbol")
        markets = [m for m in self.state.markets.markets if wanted in (None, symbol_id(m))]
        now = self.now_ms(account)
        return self._ok([render_ticker(m, now) for m in markets])

    # --- private -----------------------------------------------------------------------

    @route("GET", "/api/v3/account/settings", signed=True)
    async def uta_settings(self, request: SimRequest, account: SimAccount | None) -> Any:
        message = (
            "You are in Classic Account mode, and the unified account API is not supported"
            " at this time"
        )
        return self._answer(CLASSIC_ACCOUNT_CODE, message, None, status=400)

    @route("GET", "/api/v2/spot/account/info", signed=True, permission="read")
    async def account_info(self, request: SimRequest, account: SimAccount | None) -> Any:
        assert account is not None
        return self._ok(render_account_info(account))

    @route("GET", "/api/v2/spot/account/assets", signed=True, permission="read")
    async def assets(self, request: SimRequest, account: SimAccount | None) -> Any:
        assert account is not None
        wanted = request.query.get("coin")
        rows = render_assets(account, self.now_ms(account))
        return self._ok([r for r in rows if wanted in (None, r["coin"])])
