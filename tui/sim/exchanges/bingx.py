"""BingX spot (open-api.bingx.com/openApi): hex HMAC-SHA256 of the parameters, key in X-BX-APIKEY.

A signed request carries `timestamp` (ms; `recvWindow` optional, 5000 when absent or 0) and
`signature` = hex HMAC-SHA256(secret, the parameter string without `signature`). BingX signs
the values unencoded ("Splice all api parameters"), ccxt sends them URL-encoded, so the
simulator accepts the signature over the decoded or the raw string, in the order sent.

Errors come as `{"code": <int>, "msg": ..., "timestamp": ...}` (HTTP 200 unless noted); ccxt
matches the code exactly:

| situation | code | ccxt |
|---|---|---|
| unknown or expired key | 100413 "Incorrect apiKey" | AuthenticationError |
| wrong signature | 100001 "Signature verification failed" | AuthenticationError |
| stale timestamp, clock skew | 100421 "Null timestamp or timestamp mismatch" | BadSymbol (!) |
| unparseable timestamp | 80014 "timestamp is invalid" | BadRequest |
| IP not in the whitelist | 100419 | PermissionDenied |
| no permission | 100004 | PermissionDenied |
| rate limited (HTTP 429) | 100410 "rate limited" | OperationFailed (ccxt's mapping) |

`GET /openApi/v1/account/apiPermissions` (ccxt: `account_v1_private_get_account_apipermissions`)
answers `data = {"apiKey", "permissions": [codes], "ipAddresses": [...], "note"}` with the
codes 1 spot trading, 2 read, 3 perpetual futures trading, 4 universal transfer, 5 withdraw
(BingX reports no creation or expiry date).

ccxt's fetch_markets also asks for swap (`/openApi/swap/v2/quote/contracts`) and coin-M
(`/openApi/cswap/v1/market/contracts`) contracts: both get an empty list. Time is
`/openApi/swap/v2/server/time`; spot symbols, tickers and balances are under
`/openApi/spot/v1/`.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from aiohttp import web

from tui.sim.errors import ErrorKind, SimError
from tui.sim.exchanges import register
from tui.sim.exchanges.base import SimExchange, fmt, route
from tui.sim.market import SpotMarket
from tui.sim.model import SimAccount
from tui.sim.request import SimRequest

DEFAULT_RECV_WINDOW_MS = 5000
KEY_HEADER = "X-BX-APIKEY"

_ERRORS: dict[ErrorKind, tuple[int, int, str]] = {
    ErrorKind.BAD_KEY: (200, 100413, "Incorrect apiKey"),
    ErrorKind.KEY_EXPIRED: (200, 100413, "Incorrect apiKey"),
    ErrorKind.BAD_SIGNATURE: (200, 100001, "Signature verification failed"),
    ErrorKind.BAD_PASSPHRASE: (200, 100001, "Signature verification failed"),
    ErrorKind.TIMESTAMP: (200, 100421, "Null timestamp or timestamp mismatch"),
    ErrorKind.NONCE: (200, 100421, "Null timestamp or timestamp mismatch"),
    ErrorKind.BAD_REQUEST: (200, 80014, "timestamp is invalid"),
    ErrorKind.IP_NOT_ALLOWED: (
        200,
        100419,
        "IP does not match IP whitelist , please go to https://bingx.com/en/account/api/ "
        "to verify the ip you have set",
    ),
    ErrorKind.PERMISSION_DENIED: (
        200,
        100004,
        "Permission denied as the API key was created without the permission",
    ),
    ErrorKind.RATE_LIMITED: (429, 100410, "rate limited"),
    ErrorKind.NOT_FOUND: (404, 100400, "this api is not exist"),
}

PERMISSION_CODES: dict[str, int] = {
    "spot": 1,
    "read": 2,
    "futures": 3,
    "transfer": 4,
    "withdraw": 5,
}
"""BingX's permission codes per neutral permission (BingX has no spot margin code)."""


def unsigned_params(raw_query: str) -> str:
    """The query string as sent, without `signature`."""
    return "&".join(p for p in raw_query.split("&") if p and not p.startswith("signature="))


def bingx_permissions(permissions: frozenset[str]) -> list[int]:
    return sorted(PERMISSION_CODES[p] for p in permissions if p in PERMISSION_CODES)


@register
class Bingx(SimExchange):
    id = "bingx"
    name = "BingX"

    def api_key_of(self, request: SimRequest) -> str | None:
        return request.header(KEY_HEADER)

    def authenticate(self, request: SimRequest, account: SimAccount | None) -> None:
        if account is None:
            raise SimError(ErrorKind.BAD_KEY)
        params = request.params()
        if not params.get("timestamp"):
            raise SimError(ErrorKind.TIMESTAMP, "no timestamp")
        try:
            timestamp = int(params["timestamp"])
            recv_window = int(params.get("recvWindow") or DEFAULT_RECV_WINDOW_MS)
        except ValueError as error:
            raise SimError(ErrorKind.BAD_REQUEST, "timestamp") from error
        self.check_timestamp(timestamp, account, window_ms=recv_window, ahead_ms=1000)
        given = params.get("signature")
        raw = unsigned_params(request.raw_query)
        for text in (unquote(raw), raw):
            if self.same(self.hmac_hex(account.secret, text), given):
                return
        raise SimError(ErrorKind.BAD_SIGNATURE)

    def render_error(self, error: SimError) -> web.Response:
        status, code, message = _ERRORS[error.kind]
        body = {"code": code, "msg": message, "timestamp": self.now_ms()}
        return self.json(body, status=status)

    def ok(self, data: Any) -> dict[str, Any]:
        return {"code": 0, "msg": "", "debugMsg": "", "timestamp": self.now_ms(), "data": data}

    # --- public ------------------------------------------------------------------------

    @route("GET", "/openApi/swap/v2/server/time")
    async def server_time(self, request: SimRequest, account: SimAccount | None) -> Any:
        return {"code": 0, "msg": "", "data": {"serverTime": self.now_ms(account)}}

    @route("GET", "/openApi/spot/v1/common/symbols")
    async def symbols(self, request: SimRequest, account: SimAccount | None) -> Any:
        return self.ok({"symbols": [self._symbol(m) for m in self.state.markets.markets]})

    @route("GET", "/openApi/swap/v2/quote/contracts")
    async def swap_contracts(self, request: SimRequest, account: SimAccount | None) -> Any:
        return self.ok([])

    @route("GET", "/openApi/cswap/v1/market/contracts")
    async def coin_m_contracts(self, request: SimRequest, account: SimAccount | None) -> Any:
        return self.ok([])

    @route("GET", "/openApi/spot/v1/ticker/24hr")
    async def ticker_24hr(self, request: SimRequest, account: SimAccount | None) -> Any:
        wanted = request.query.get("symbol")
        tickers = [self._ticker(m) for m in self.state.markets.markets]
        return self.ok([t for t in tickers if wanted in (None, t["symbol"])])

    # --- signed ------------------------------------------------------------------------

    @route("GET", "/openApi/spot/v1/account/balance", signed=True, permission="read")
    async def balance(self, request: SimRequest, account: SimAccount | None) -> Any:
        assert account is not None
        balances = [
            {"asset": asset, "free": fmt(b.free), "locked": fmt(b.used)}
            for asset, b in account.traits.balances.items()
        ]
        return self.ok({"balances": balances})

    @route("GET", "/openApi/v1/account/apiPermissions", signed=True, permission="read")
    async def api_permissions(self, request: SimRequest, account: SimAccount | None) -> Any:
        assert account is not None
        traits = account.traits
        return self.ok(
            {
                "apiKey": account.api_key,
                "permissions": bingx_permissions(traits.permissions),
                "ipAddresses": list(traits.ip_allowlist),
                "note": traits.label,
            }
        )

    # --- rendering ---------------------------------------------------------------------

    def _symbol(self, market: SpotMarket) -> dict[str, Any]:
        return {
            "symbol": f"{market.base}-{market.quote}",
            "minQty": float(market.amount_step),
            "maxQty": 10000,
            "minNotional": 5,
            "maxNotional": 1000000,
            "status": 1,
            "tickSize": float(market.price_step),
            "stepSize": float(market.amount_step),
            "apiStateSell": True,
            "apiStateBuy": True,
            "timeOnline": 1_700_000_000_000,
            "offTime": 0,
            "maintainTime": 0,
        }

    def _ticker(self, market: SpotMarket) -> dict[str, Any]:
        now = self.now_ms()
        return {
            "symbol": f"{market.base}-{market.quote}",
            "openPrice": fmt(market.open_24h),
            "highPrice": fmt(market.high()),
            "lowPrice": fmt(market.low()),
            "lastPrice": fmt(market.price),
            "priceChange": fmt(market.price - market.open_24h),
            "priceChangePercent": f"{fmt(market.change_pct())}%",
            "volume": fmt(market.volume_24h),
            "quoteVolume": fmt(market.quote_volume()),
            "openTime": now - 86_400_000,
            "closeTime": now,
            "bidPrice": fmt(market.bid()),
            "bidQty": "1.5",
            "askPrice": fmt(market.ask()),
            "askQty": "2",
        }
