"""Coins.ph (ccxt `coinsph`): Binance-style signing with the key in X-COINS-APIKEY.

Signed requests carry `timestamp` (and optionally `recvWindow`, default 5000, at most 60000)
in the query and `signature` = hex HMAC-SHA256(secret, totalParams), totalParams being the
query string (without `signature`) followed by the body; accepted when
`timestamp < serverTime + 1000` and `serverTime - timestamp <= recvWindow`
(https://coins-docs.github.io/rest-api/, "SIGNED Endpoint Security", "Timing Security").

Errors are `{"code": <int>, "msg": ...}` with Coins.ph's codes
(https://coins-docs.github.io/errors/); the HTTP statuses are assumed (400, 429):

| situation | code | ccxt |
|---|---|---|
| no X-COINS-APIKEY header | -1024 MISS_HEADER_ERROR | BadRequest |
| unknown key | -2018 "API-key does not exist." | ExchangeError |
| key disabled or expired | -2015 "API-key is not enabled." | AuthenticationError |
| wrong signature | -1022 "Signature for this request is not valid." | BadRequest |
| timestamp outside recvWindow / clock skew | -1021 | BadRequest |
| IP not in the key's list | -2017 "Request ip is not in the whitelist" | ExchangeError |
| no permission for the endpoint | -1152 "Unauthorized to operate this API." | NotSupported |
| rate limited | -1003 (HTTP 429) | RateLimitExceeded |

`GET /openapi/v1/api-keys` (ccxt: `private_get_openapi_v1_api_keys`) lists the account's keys
as the doc's example does: `apiKey`, `apiName`, `apiType` ("Read only", or "Enable Spot",
"Enable Convert" for trading, "Enable Crypto Wallet" and "Enable Fiat" for a key that may
withdraw), `createTime` (ms string), `ipAccessRestrictions`, `status` "ENABLE". Only the
keys of the calling key's account are listed.

Markets, tickers, time and balances: `/openapi/v1/exchangeInfo`, `/openapi/quote/v1/ticker/24hr`,
`/openapi/v1/time`, `/openapi/v1/account`.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from tui.sim.errors import ErrorKind, SimError
from tui.sim.exchanges import register
from tui.sim.exchanges.base import SimExchange, fmt, route
from tui.sim.exchanges.binance import signature_of
from tui.sim.market import SpotMarket
from tui.sim.model import SimAccount, Traits
from tui.sim.request import SimRequest

DEFAULT_RECV_WINDOW_MS = 5000
MAX_RECV_WINDOW_MS = 60000
KEY_HEADER = "X-COINS-APIKEY"

_ERRORS: dict[ErrorKind, tuple[int, int, str]] = {
    ErrorKind.BAD_KEY: (400, -2018, "API-key does not exist."),
    ErrorKind.KEY_EXPIRED: (400, -2015, "API-key is not enabled."),
    ErrorKind.BAD_SIGNATURE: (400, -1022, "Signature for this request is not valid."),
    ErrorKind.BAD_PASSPHRASE: (400, -1022, "Signature for this request is not valid."),
    ErrorKind.TIMESTAMP: (400, -1021, "Timestamp for this request is outside of the recv window."),
    ErrorKind.NONCE: (400, -1021, "Timestamp for this request is outside of the recv window."),
    ErrorKind.IP_NOT_ALLOWED: (400, -2017, "Request ip is not in the whitelist"),
    ErrorKind.PERMISSION_DENIED: (400, -1152, "Unauthorized to operate this API."),
    ErrorKind.RATE_LIMITED: (429, -1003, "Too many requests, current limit is 1200 per 1M."),
    ErrorKind.BAD_REQUEST: (400, -1025, "Parameter 'timestamp' is not valid."),
}


def totals(raw_query: str) -> str:
    """The query as signed: everything but its `signature` parameter, cut out as sent.

    ccxt 4.5.90 signs "timestamp=...&" (its query encoder leaves a trailing "&") and sends
    "timestamp=...&&signature=..."; cutting "&signature=..." out keeps what it signed, and
    gives "timestamp=..." for a client that sent no extra "&"."""
    head, found, tail = raw_query.partition("signature=")
    if not found:
        return raw_query
    rest = tail.partition("&")[2]
    if head.endswith("&"):
        head = head[:-1]
    return head + ("&" + rest if rest and head else rest)


def api_types(traits: Traits) -> list[str]:
    """The `apiType` list of a key with these rights, in the doc's wording and order."""
    if not traits.permissions - {"read"}:
        return ["Read only"]
    types = []
    if traits.can("spot"):
        types += ["Enable Spot", "Enable Convert"]
    if traits.can("withdraw"):
        types += ["Enable Crypto Wallet", "Enable Fiat"]
    return types or ["Read only"]


@register
class CoinsPh(SimExchange):
    id = "coinsph"
    name = "Coins.ph"

    def api_key_of(self, request: SimRequest) -> str | None:
        return request.header(KEY_HEADER)

    def authenticate(self, request: SimRequest, account: SimAccount | None) -> None:
        if request.header(KEY_HEADER) is None:
            raise SimError(ErrorKind.BAD_REQUEST, "header")
        if account is None:
            raise SimError(ErrorKind.BAD_KEY)
        params = request.params()
        try:
            timestamp = int(params["timestamp"])
            recv_window = int(params.get("recvWindow", DEFAULT_RECV_WINDOW_MS))
        except (KeyError, ValueError) as error:
            raise SimError(ErrorKind.BAD_REQUEST, "timestamp") from error
        if recv_window > MAX_RECV_WINDOW_MS:
            raise SimError(ErrorKind.BAD_REQUEST, "recvWindow")
        self.check_timestamp(timestamp, account, window_ms=recv_window, ahead_ms=1000)
        expected = self.hmac_hex(account.secret, totals(request.raw_query) + request.body)
        if not self.same(expected, signature_of(request)):
            raise SimError(ErrorKind.BAD_SIGNATURE)

    def render_error(self, error: SimError) -> web.Response:
        if error.kind is ErrorKind.NOT_FOUND:
            return self.json({"code": -1020, "msg": "This operation is not supported."}, 404)
        status, code, message = _ERRORS[error.kind]
        if error.kind is ErrorKind.BAD_REQUEST and error.detail == "header":
            code, message = -1024, f"Header '{KEY_HEADER}' is required."
        return self.json({"code": code, "msg": message}, status=status)

    # --- public ------------------------------------------------------------------------

    @route("GET", "/openapi/v1/ping")
    async def ping(self, request: SimRequest, account: SimAccount | None) -> Any:
        return {}

    @route("GET", "/openapi/v1/time")
    async def time(self, request: SimRequest, account: SimAccount | None) -> Any:
        return {"serverTime": self.now_ms(account)}

    @route("GET", "/openapi/v1/exchangeInfo")
    async def exchange_info(self, request: SimRequest, account: SimAccount | None) -> Any:
        return {
            "timezone": "UTC",
            "serverTime": self.now_ms(account),
            "exchangeFilters": [],
            "symbols": [self._symbol(m) for m in self.state.markets.markets],
        }

    @route("GET", "/openapi/quote/v1/ticker/24hr")
    async def ticker_24hr(self, request: SimRequest, account: SimAccount | None) -> Any:
        return [self._ticker(m) for m in self.state.markets.markets]

    # --- signed ------------------------------------------------------------------------

    @route("GET", "/openapi/v1/account", signed=True, permission="read")
    async def account(self, request: SimRequest, account: SimAccount | None) -> Any:
        assert account is not None
        traits = account.traits
        return {
            "canTrade": traits.can("spot"),
            "canDeposit": True,
            "canWithdraw": traits.can("withdraw"),
            "accountType": "SPOT",
            "balances": [
                {"asset": asset, "free": fmt(b.free), "locked": fmt(b.used)}
                for asset, b in traits.balances.items()
            ],
            "token": "PHP",
            "updateTime": self.now_ms(account),
        }

    @route("GET", "/openapi/v1/api-keys", signed=True, permission="read")
    async def api_keys(self, request: SimRequest, account: SimAccount | None) -> Any:
        assert account is not None
        return [self._key_row(account)]

    def _key_row(self, account: SimAccount) -> dict[str, Any]:
        traits = account.traits
        return {
            "apiKey": account.api_key,
            "apiName": traits.label,
            "apiType": api_types(traits),
            "createTime": str(int(traits.created_at.timestamp() * 1000)),
            "ipAccessRestrictions": list(traits.ip_allowlist),
            "status": "ENABLE",
        }

    # --- rendering ---------------------------------------------------------------------

    def _symbol(self, market: SpotMarket) -> dict[str, Any]:
        return {
            "symbol": market.base + market.quote,
            "status": "TRADING",
            "baseAsset": market.base,
            "quoteAsset": market.quote,
            "orderTypes": ["LIMIT", "MARKET", "LIMIT_MAKER"],
            "filters": [
                {"filterType": "PRICE_FILTER", "tickSize": fmt(market.price_step)},
                {"filterType": "LOT_SIZE", "stepSize": fmt(market.amount_step)},
            ],
        }

    def _ticker(self, market: SpotMarket) -> dict[str, Any]:
        now = self.now_ms()
        return {
            "symbol": market.base + market.quote,
            "priceChange": fmt(market.price - market.open_24h),
            "priceChangePercent": fmt(market.change_pct()),
            "lastPrice": fmt(market.price),
            "bidPrice": fmt(market.bid()),
            "askPrice": fmt(market.ask()),
            "openPrice": fmt(market.open_24h),
            "highPrice": fmt(market.high()),
            "lowPrice": fmt(market.low()),
            "volume": fmt(market.volume_24h),
            "quoteVolume": fmt(market.quote_volume()),
            "openTime": now - 86_400_000,
            "closeTime": now,
        }
