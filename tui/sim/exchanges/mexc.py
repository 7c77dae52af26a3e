"""MEXC spot v3: Binance-style signing (`binance_style`, as MEXC's docs give it) with the
key in X-MEXC-APIKEY.

Errors are `{"code": <int>, "msg": ...}` with MEXC's codes; ccxt maps them exactly:

| situation | HTTP | code | ccxt |
|---|---|---|---|
| unknown (or expired) key | 400 | 10072 "Api key info invalid" | BadRequest |
| no X-MEXC-APIKEY header | 400 | 700001 "API-key format invalid." | AuthenticationError |
| wrong signature | 400 | 700002 | AuthenticationError |
| timestamp outside recvWindow / clock skew | 400 | 700003 | InvalidNonce |
| recvWindow > 60000 | 400 | 700005 | InvalidNonce |
| IP not in the key's white list | 400 | 700006 | BadRequest |
| no permission for the endpoint | 400 | 700007 | AuthenticationError |
| rate limited | 429 | 429 | RateLimitExceeded |

Note that ccxt raises BadRequest, not AuthenticationError, for an unknown key (10072).

`GET /api/v3/apiKeyInfo` (ccxt: `spot_private_get_apikeyinfo`) describes the calling key:
`accessKey`, `note`, `permissions` (comma list of MEXC permission names; withdraw is
`SPOT_WITHDRAW_WRITE`), `ipWhiteList` (comma list, "" = not bound), `createTime` (ISO-8601),
`remainingValidity` (days; -1 = permanent) and `status` ("VALID"). MEXC keys bound to no IP
address expire after 90 days, so the default unbound key ("risky") has an expiry.
Only GET is served: POST on this path changes the key's IP list at MEXC.

ccxt's fetch_markets also asks the futures API (`/api/v1/contract/detail`); it gets an empty
list. fetch_time, markets, tickers and balances use `/api/v3/time`, `/api/v3/exchangeInfo`,
`/api/v3/ticker/24hr` and `/api/v3/account`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from aiohttp import web

from tui.sim.errors import ErrorKind, SimError
from tui.sim.exchanges import register
from tui.sim.exchanges.base import SimExchange, fmt, route
from tui.sim.exchanges.binance_style import check_signed
from tui.sim.market import SpotMarket
from tui.sim.model import SimAccount, Traits
from tui.sim.request import SimRequest

KEY_HEADER = "X-MEXC-APIKEY"

_ERRORS: dict[ErrorKind, tuple[int, int, str]] = {
    ErrorKind.BAD_KEY: (400, 10072, "Api key info invalid"),
    ErrorKind.KEY_EXPIRED: (400, 10072, "Api key info invalid"),
    ErrorKind.BAD_SIGNATURE: (400, 700002, "Signature for this request is not valid."),
    ErrorKind.BAD_PASSPHRASE: (400, 700002, "Signature for this request is not valid."),
    ErrorKind.TIMESTAMP: (400, 700003, "Timestamp for this request is outside of the recvWindow."),
    ErrorKind.NONCE: (400, 700003, "Timestamp for this request is outside of the recvWindow."),
    ErrorKind.IP_NOT_ALLOWED: (400, 700006, "IP [{detail}] not in the ip white list"),
    ErrorKind.PERMISSION_DENIED: (400, 700007, "No permission to access the endpoint."),
    ErrorKind.RATE_LIMITED: (429, 429, "Too Many Requests"),
    ErrorKind.BAD_REQUEST: (400, 33333, "Param error!"),
}

# MEXC's permission names per neutral permission (read covers every *_READ we show).
_PERMISSION_NAMES: dict[str, tuple[str, ...]] = {
    "read": ("SPOT_ACCOUNT_READ", "SPOT_DEAL_READ", "CONTRACT_ACCOUNT_READ", "CONTRACT_DEAL_READ"),
    "spot": ("SPOT_DEAL_WRITE",),
    "margin": ("MARGIN_ACCOUNT_WRITE",),
    "futures": ("CONTRACT_DEAL_WRITE",),
    "transfer": ("SPOT_TRANSFER_WRITE",),
    "withdraw": ("SPOT_WITHDRAW_WRITE",),
}
_PERMISSION_ORDER = ("read", "spot", "margin", "futures", "transfer", "withdraw")


def mexc_permissions(permissions: frozenset[str]) -> str:
    """The `permissions` string of apiKeyInfo, e.g. "SPOT_ACCOUNT_READ,...,SPOT_DEAL_WRITE"."""
    names = [n for p in _PERMISSION_ORDER if p in permissions for n in _PERMISSION_NAMES[p]]
    return ",".join(names)


def remaining_validity_days(traits: Traits, now: datetime) -> int:
    """Whole days left before the key expires; -1 for a key that never expires."""
    if traits.expires_at is None:
        return -1
    return max(0, (traits.expires_at - now).days)


@register
class Mexc(SimExchange):
    id = "mexc"
    name = "MEXC"
    unbound_key_lifetime_days = 90

    def api_key_of(self, request: SimRequest) -> str | None:
        return request.header(KEY_HEADER)

    def authenticate(self, request: SimRequest, account: SimAccount | None) -> None:
        if request.header(KEY_HEADER) is None:
            raise SimError(ErrorKind.BAD_KEY, "API-key format invalid.")
        if account is None:
            raise SimError(ErrorKind.BAD_KEY)
        check_signed(
            self, request, account, window_too_wide=SimError(ErrorKind.TIMESTAMP, "recvWindow")
        )

    def render_error(self, error: SimError) -> web.Response:
        if error.kind is ErrorKind.NOT_FOUND:
            return web.Response(
                status=404,
                text="<html><body><h1>404 Not Found</h1></body></html>",
                content_type="text/html",
            )
        status, code, message = _ERRORS[error.kind]
        if error.kind is ErrorKind.BAD_KEY and error.detail == "API-key format invalid.":
            code, message = 700001, error.detail
        if error.kind is ErrorKind.TIMESTAMP and error.detail == "recvWindow":
            code, message = 700005, "recvWindow must less than 60000"
        body = {"code": code, "msg": message.format(detail=error.detail)}
        return self.json(body, status=status)

    # --- public ------------------------------------------------------------------------

    @route("GET", "/api/v3/ping")
    async def ping(self, request: SimRequest, account: SimAccount | None) -> Any:
        return {}

    @route("GET", "/api/v3/time")
    async def time(self, request: SimRequest, account: SimAccount | None) -> Any:
        return {"serverTime": self.now_ms(account)}

    @route("GET", "/api/v3/exchangeInfo")
    async def exchange_info(self, request: SimRequest, account: SimAccount | None) -> Any:
        return {
            "timezone": "CST",
            "serverTime": self.now_ms(account),
            "rateLimits": [],
            "exchangeFilters": [],
            "symbols": [self._symbol(m) for m in self.state.markets.markets],
        }

    @route("GET", "/api/v1/contract/detail")
    async def contract_detail(self, request: SimRequest, account: SimAccount | None) -> Any:
        return {"success": True, "code": 0, "data": []}

    @route("GET", "/api/v3/ticker/24hr")
    async def ticker_24hr(self, request: SimRequest, account: SimAccount | None) -> Any:
        wanted = request.query.get("symbol")
        tickers = [self._ticker(m) for m in self.state.markets.markets]
        if wanted is None:
            return tickers
        for ticker in tickers:
            if ticker["symbol"] == wanted:
                return ticker
        return self.json({"code": -1121, "msg": "Invalid symbol."}, status=400)

    # --- signed ------------------------------------------------------------------------

    @route("GET", "/api/v3/account", signed=True, permission="read")
    async def account(self, request: SimRequest, account: SimAccount | None) -> Any:
        assert account is not None
        traits = account.traits
        return {
            "makerCommission": None,
            "takerCommission": None,
            "buyerCommission": None,
            "sellerCommission": None,
            "canTrade": traits.can("spot"),
            "canWithdraw": traits.can("withdraw"),
            "canDeposit": True,
            "updateTime": None,
            "accountType": "SPOT",
            "balances": [
                {
                    "asset": asset,
                    "free": fmt(b.free),
                    "locked": fmt(b.used),
                    "available": fmt(b.free),
                }
                for asset, b in traits.balances.items()
            ],
            "permissions": ["SPOT"],
        }

    @route("GET", "/api/v3/apiKeyInfo", signed=True, permission="read")
    async def api_key_info(self, request: SimRequest, account: SimAccount | None) -> Any:
        assert account is not None
        return self.api_key_info_payload(account)

    def api_key_info_payload(self, account: SimAccount) -> dict[str, Any]:
        traits = account.traits
        now = datetime.fromtimestamp(self.now_ms(account) / 1000, UTC)
        return {
            "accessKey": account.api_key,
            "note": traits.label,
            "permissions": mexc_permissions(traits.permissions),
            "ipWhiteList": ",".join(traits.ip_allowlist),
            "createTime": traits.created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "remainingValidity": remaining_validity_days(traits, now),
            "status": "VALID",
        }

    # --- rendering ---------------------------------------------------------------------

    def _symbol(self, market: SpotMarket) -> dict[str, Any]:
        return {
            "symbol": market.base + market.quote,
            "status": "1",
            "baseAsset": market.base,
            "baseAssetPrecision": _decimals(market.amount_step),
            "quoteAsset": market.quote,
            "quotePrecision": _decimals(market.price_step),
            "quoteAssetPrecision": _decimals(market.price_step),
            "baseCommissionPrecision": _decimals(market.amount_step),
            "quoteCommissionPrecision": _decimals(market.price_step),
            "orderTypes": ["LIMIT", "MARKET", "LIMIT_MAKER"],
            "isSpotTradingAllowed": True,
            "isMarginTradingAllowed": False,
            "quoteAmountPrecision": "1",
            "baseSizePrecision": fmt(market.amount_step),
            "permissions": ["SPOT"],
            "filters": [],
            "maxQuoteAmount": "2000000",
            "makerCommission": "0",
            "takerCommission": "0.0005",
            "quoteAmountPrecisionMarket": "1",
            "maxQuoteAmountMarket": "100000",
            "fullName": market.base,
            "tradeSideType": 1,
        }

    def _ticker(self, market: SpotMarket) -> dict[str, Any]:
        now = self.now_ms()
        return {
            "symbol": market.base + market.quote,
            "priceChange": fmt(market.price - market.open_24h),
            "priceChangePercent": fmt(market.change_pct() / 100),
            "prevClosePrice": fmt(market.open_24h),
            "lastPrice": fmt(market.price),
            "bidPrice": fmt(market.bid()),
            "bidQty": "1.5",
            "askPrice": fmt(market.ask()),
            "askQty": "2",
            "openPrice": fmt(market.open_24h),
            "highPrice": fmt(market.high()),
            "lowPrice": fmt(market.low()),
            "volume": fmt(market.volume_24h),
            "quoteVolume": fmt(market.quote_volume()),
            "openTime": now - 86_400_000,
            "closeTime": now,
            "count": None,
        }


def _decimals(step: Decimal) -> int:
    """MEXC gives precisions as a number of decimals: 0.01 -> 2."""
    exponent = step.normalize().as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0
