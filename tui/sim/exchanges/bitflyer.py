"""bitFlyer Lightning (api.bitflyer.com/v1): hex HMAC-SHA256 over timestamp + method + path.

Signed requests carry `ACCESS-KEY`, `ACCESS-TIMESTAMP` and `ACCESS-SIGN` = hex(HMAC-SHA256(
secret, timestamp + METHOD + request path (with the query of a GET) + body)), as bitFlyer's
"Authentication" section shows (https://lightning.bitflyer.com/docs#authentication). ccxt's
bitflyer.sign sends the timestamp in seconds (its default nonce); bitFlyer's own sample sends
milliseconds, so both are accepted. bitFlyer names no window: 5 minutes either way is assumed.

Errors are `{"status": <negative int>, "error_message": ..., "data": null}`. bitFlyer publishes
no code list; SDK tests show HTTP 401 with status -500 for "ACCESS-KEY header is required" and
"Invalid signature". The simulator answers every authentication refusal so (an unknown key,
a wrong signature, a stale timestamp, an IP outside the key's list, an expired key, a missing
right: assumed, bitFlyer documents no separate answers). ccxt maps only -2 (maintenance), so
it raises ExchangeError for them. Rate limiting is HTTP 429 with a plain-text body (assumed),
which ccxt raises as RateLimitExceeded.

`GET /v1/me/getpermissions` (ccxt: `private_get_getpermissions`) lists the private paths the
key may call (https://lightning.bitflyer.com/docs#get-api-key-permissions); a key with the
withdraw right lists `/v1/me/withdraw`. Served besides: the market lists (`/v1/getmarkets`,
`/usa`, `/eu`: the shared spot pairs as `BTC_USDT`), `/v1/getticker` and `/v1/me/getbalance`.
bitFlyer has no server-time endpoint (ccxt: no fetchTime).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from tui.sim.errors import ErrorKind, SimError
from tui.sim.exchanges import register
from tui.sim.exchanges.base import SimExchange, fmt, route
from tui.sim.market import SpotMarket
from tui.sim.model import SimAccount, Traits
from tui.sim.request import SimRequest

KEY_HEADER = "ACCESS-KEY"
TIMESTAMP_HEADER = "ACCESS-TIMESTAMP"
SIGNATURE_HEADER = "ACCESS-SIGN"
WINDOW_MS = 5 * 60_000  # assumed: bitFlyer names none
_MISSING = "ACCESS-KEY header is required"
_MESSAGES: dict[ErrorKind, str] = {
    ErrorKind.BAD_KEY: "Invalid API key",
    ErrorKind.KEY_EXPIRED: "Invalid API key",
    ErrorKind.BAD_SIGNATURE: "Invalid signature",
    ErrorKind.BAD_PASSPHRASE: "Invalid signature",
    ErrorKind.TIMESTAMP: "Invalid signature",
    ErrorKind.NONCE: "Invalid signature",
    ErrorKind.IP_NOT_ALLOWED: "Permission denied",
    ErrorKind.PERMISSION_DENIED: "Permission denied",
}

READ_PATHS = (
    "/v1/me/getpermissions",
    "/v1/me/getbalance",
    "/v1/me/getcollateral",
    "/v1/me/getchildorders",
    "/v1/me/getparentorders",
    "/v1/me/getparentorder",
    "/v1/me/getexecutions",
    "/v1/me/getpositions",
)
"""The doc's example answer: a key that may only read."""
TRADE_PATHS = (
    "/v1/me/sendchildorder",
    "/v1/me/cancelchildorder",
    "/v1/me/sendparentorder",
    "/v1/me/cancelparentorder",
    "/v1/me/cancelallchildorders",
)
WITHDRAW_PATHS = ("/v1/me/getbankaccounts", "/v1/me/withdraw", "/v1/me/getwithdrawals")


def bitflyer_signature(timestamp: str, method: str, path: str, body: str, secret: str) -> str:
    """hex(HMAC-SHA256(secret, timestamp + METHOD + path?query + body))."""
    return SimExchange.hmac_hex(secret, f"{timestamp}{method.upper()}{path}{body}")


def permitted_paths(traits: Traits) -> list[str]:
    """What getpermissions lists for a key with these traits."""
    paths = list(READ_PATHS)
    if any(traits.can(p) for p in ("spot", "margin", "futures")):
        paths += TRADE_PATHS
    if traits.can("withdraw"):
        paths += WITHDRAW_PATHS
    return paths


def product_code(market: SpotMarket) -> str:
    return f"{market.base}_{market.quote}"


@register
class Bitflyer(SimExchange):
    id = "bitflyer"
    name = "bitFlyer"

    # --- authentication ----------------------------------------------------------------

    def api_key_of(self, request: SimRequest) -> str | None:
        return request.header(KEY_HEADER)

    def authenticate(self, request: SimRequest, account: SimAccount | None) -> None:
        timestamp = request.header(TIMESTAMP_HEADER)
        signature = request.header(SIGNATURE_HEADER)
        if request.header(KEY_HEADER) is None:
            raise SimError(ErrorKind.BAD_KEY, _MISSING)
        if account is None:
            raise SimError(ErrorKind.BAD_KEY)
        if signature is None or timestamp is None or not timestamp.isdigit():
            raise SimError(ErrorKind.BAD_SIGNATURE)
        expected = bitflyer_signature(
            timestamp, request.method, request.path_with_query, request.body, account.secret
        )
        if not self.same(expected, signature):
            raise SimError(ErrorKind.BAD_SIGNATURE)
        moment = int(timestamp)
        moment_ms = moment if moment > 10**11 else moment * 1000  # ccxt: seconds
        self.check_timestamp(moment_ms, account, window_ms=WINDOW_MS, ahead_ms=WINDOW_MS)

    def render_error(self, error: SimError) -> web.Response:
        if error.kind is ErrorKind.RATE_LIMITED:
            return web.Response(text="Too Many Requests", status=429, content_type="text/plain")
        if error.kind is ErrorKind.NOT_FOUND:
            return self.json({"status": -100, "error_message": "Not found", "data": None}, 404)
        if error.kind is ErrorKind.BAD_REQUEST:
            body = {"status": -100, "error_message": f"Invalid request. {error.detail}"}
            return self.json({**body, "data": None}, status=400)
        message = _MISSING if error.detail == _MISSING else _MESSAGES[error.kind]
        return self.json({"status": -500, "error_message": message, "data": None}, status=401)

    # --- public ------------------------------------------------------------------------

    @route("GET", "/v1/getmarkets")
    async def markets(self, request: SimRequest, account: SimAccount | None) -> Any:
        return [
            {"product_code": product_code(m), "market_type": "Spot"}
            for m in self.state.markets.markets
        ]

    @route("GET", "/v1/getmarkets/usa")
    @route("GET", "/v1/getmarkets/eu")
    async def regional_markets(self, request: SimRequest, account: SimAccount | None) -> Any:
        return []  # the shared pairs are all listed once, in the Japanese list

    @route("GET", "/v1/getticker")
    async def ticker(self, request: SimRequest, account: SimAccount | None) -> Any:
        code = request.query.get("product_code", "")
        market = next(
            (m for m in self.state.markets.markets if product_code(m) == code.upper()), None
        )
        if market is None:
            raise SimError(ErrorKind.BAD_REQUEST, f"unknown product_code {code!r}")
        return {
            "product_code": code.upper(),
            "state": "RUNNING",
            "timestamp": _utc_text(self.now_ms(account)),
            "tick_id": 3579,
            "best_bid": float(market.bid()),
            "best_ask": float(market.ask()),
            "best_bid_size": 0.1,
            "best_ask_size": 5,
            "total_bid_depth": 15.13,
            "total_ask_depth": 20,
            "market_bid_size": 0,
            "market_ask_size": 0,
            "ltp": float(market.price),
            "volume": float(market.volume_24h),
            "volume_by_product": float(market.volume_24h),
        }

    # --- signed ------------------------------------------------------------------------

    @route("GET", "/v1/me/getbalance", signed=True, permission="read")
    async def balance(self, request: SimRequest, account: SimAccount | None) -> Any:
        assert account is not None
        return [
            {"currency_code": asset, "amount": fmt(b.total), "available": fmt(b.free)}
            for asset, b in account.traits.balances.items()
        ]

    @route("GET", "/v1/me/getpermissions", signed=True)
    async def permissions(self, request: SimRequest, account: SimAccount | None) -> Any:
        assert account is not None
        return permitted_paths(account.traits)


def _utc_text(ms: int) -> str:
    """bitFlyer's timestamps: UTC without a zone, e.g. "2015-07-08T02:50:59.97"."""
    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-4]
