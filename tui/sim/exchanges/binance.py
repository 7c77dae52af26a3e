"""Binance spot: HMAC-SHA256 hex over query + body (`binance_style`), key in X-MBX-APIKEY."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from aiohttp import web

from tui.sim.errors import ErrorKind, SimError
from tui.sim.exchanges import register
from tui.sim.exchanges.base import SimExchange, fmt, route
from tui.sim.exchanges.binance_style import check_signed
from tui.sim.market import SpotMarket
from tui.sim.model import SimAccount
from tui.sim.request import SimRequest

_INVALID_KEY = (401, -2015, "Invalid API-key, IP, or permissions for action.")
_ERRORS: dict[ErrorKind, tuple[int, int, str]] = {
    ErrorKind.BAD_KEY: _INVALID_KEY,
    ErrorKind.IP_NOT_ALLOWED: _INVALID_KEY,
    ErrorKind.KEY_EXPIRED: _INVALID_KEY,
    ErrorKind.PERMISSION_DENIED: _INVALID_KEY,
    ErrorKind.BAD_SIGNATURE: (400, -1022, "Signature for this request is not valid."),
    ErrorKind.BAD_PASSPHRASE: (400, -1022, "Signature for this request is not valid."),
    ErrorKind.TIMESTAMP: (400, -1021, "Timestamp for this request is outside of the recvWindow."),
    ErrorKind.NONCE: (400, -1021, "Timestamp for this request is outside of the recvWindow."),
    ErrorKind.RATE_LIMITED: (
        429,
        -1003,
        "Too many requests; current limit of IP(198.51.100.7) is 6000 requests per minute. "
        "Please use the websocket for live updates to avoid polling the API.",
    ),
    ErrorKind.BAD_REQUEST: (
        400,
        -1102,
        "Mandatory parameter was not sent, was empty/null, or malformed.",
    ),
}


@register
class Binance(SimExchange):
    id = "binance"
    name = "Binance"

    def api_key_of(self, request: SimRequest) -> str | None:
        return request.header("X-MBX-APIKEY")

    def authenticate(self, request: SimRequest, account: SimAccount | None) -> None:
        if request.header("X-MBX-APIKEY") is None:
            raise SimError(ErrorKind.BAD_KEY, "API-key format invalid.")
        if account is None:  # -2015 names the address it came from
            raise SimError(ErrorKind.BAD_KEY, self.client_ip(request))
        too_wide = SimError(ErrorKind.BAD_REQUEST, "recvWindow must be less than 60000")
        check_signed(self, request, account, window_too_wide=too_wide)

    def render_error(self, error: SimError) -> web.Response:
        if error.kind is ErrorKind.NOT_FOUND:
            return web.Response(
                status=404,
                text="<html><body><h2>404 Not found</h2></body></html>",
                content_type="text/html",
            )
        status, code, message = _ERRORS[error.kind]
        if error.kind is ErrorKind.BAD_KEY and error.detail == "API-key format invalid.":
            status, code, message = 401, -2014, error.detail
        if code == -2015 and error.detail:
            # As Binance writes it (quoted in ccxt/node-binance-api#414).
            message = f"{message.rstrip('.')}, request ip: {error.detail}"
        headers = {"Retry-After": "60"} if error.kind is ErrorKind.RATE_LIMITED else None
        return self.json({"code": code, "msg": message}, status=status, headers=headers)

    # --- public ------------------------------------------------------------------------

    @route("GET", "/api/v3/ping")
    async def ping(self, request: SimRequest, account: SimAccount | None) -> Any:
        return {}

    @route("GET", "/api/v3/time")
    async def time(self, request: SimRequest, account: SimAccount | None) -> Any:
        return {"serverTime": self.now_ms(account)}

    @route("GET", "/sapi/v1/system/status")
    async def system_status(self, request: SimRequest, account: SimAccount | None) -> Any:
        return {"status": 0, "msg": "normal"}

    @route("GET", "/api/v3/exchangeInfo")
    async def exchange_info(self, request: SimRequest, account: SimAccount | None) -> Any:
        return {
            "timezone": "UTC",
            "serverTime": self.now_ms(account),
            "rateLimits": [
                {
                    "rateLimitType": "REQUEST_WEIGHT",
                    "interval": "MINUTE",
                    "intervalNum": 1,
                    "limit": 6000,
                },
            ],
            "exchangeFilters": [],
            "symbols": [self._symbol(m) for m in self.state.markets.markets],
        }

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
            "makerCommission": 10,
            "takerCommission": 10,
            "buyerCommission": 0,
            "sellerCommission": 0,
            "commissionRates": {
                "maker": "0.00100000",
                "taker": "0.00100000",
                "buyer": "0.00000000",
                "seller": "0.00000000",
            },
            "canTrade": traits.can("spot"),
            "canWithdraw": traits.can("withdraw"),
            "canDeposit": True,
            "brokered": False,
            "requireSelfTradePrevention": False,
            "preventSor": False,
            "updateTime": self.now_ms(account) - 60_000,
            "accountType": "SPOT",
            "balances": [
                {"asset": asset, "free": _amount(b.free), "locked": _amount(b.used)}
                for asset, b in traits.balances.items()
            ],
            "permissions": ["SPOT"] + (["MARGIN"] if traits.can("margin") else []),
            "uid": _uid(account),
        }

    @route("GET", "/sapi/v1/account/apiRestrictions", signed=True, permission="read")
    async def api_restrictions(self, request: SimRequest, account: SimAccount | None) -> Any:
        assert account is not None
        traits = account.traits
        payload: dict[str, Any] = {
            "ipRestrict": bool(traits.ip_allowlist),
            "createTime": int(traits.created_at.timestamp() * 1000),
            "enableReading": traits.can("read"),
            "enableSpotAndMarginTrading": traits.can("spot"),
            "enableMargin": traits.can("margin"),
            "enableFutures": traits.can("futures"),
            "enableVanillaOptions": False,
            "enablePortfolioMarginTrading": False,
            "enableWithdrawals": traits.can("withdraw"),
            "enableInternalTransfer": traits.can("transfer"),
            "permitsUniversalTransfer": traits.can("transfer"),
            "enableFixApiTrade": False,
            "enableFixReadOnly": False,
        }
        if traits.expires_at is not None and traits.can("spot"):
            payload["tradingAuthorityExpirationTime"] = int(traits.expires_at.timestamp() * 1000)
        return payload

    @route("GET", "/sapi/v1/account/apiRestrictions/ipRestriction", signed=True, permission="read")
    async def ip_restriction(self, request: SimRequest, account: SimAccount | None) -> Any:
        assert account is not None
        return {
            "ipRestrict": "true" if account.traits.ip_allowlist else "false",
            "ipList": list(account.traits.ip_allowlist),
            "updateTime": int(account.traits.created_at.timestamp() * 1000),
            "apiKey": account.api_key,
        }

    # --- rendering ---------------------------------------------------------------------

    def _symbol(self, market: SpotMarket) -> dict[str, Any]:
        return {
            "symbol": market.base + market.quote,
            "status": "TRADING",
            "baseAsset": market.base,
            "baseAssetPrecision": 8,
            "quoteAsset": market.quote,
            "quotePrecision": 8,
            "quoteAssetPrecision": 8,
            "baseCommissionPrecision": 8,
            "quoteCommissionPrecision": 8,
            "orderTypes": [
                "LIMIT",
                "LIMIT_MAKER",
                "MARKET",
                "STOP_LOSS_LIMIT",
                "TAKE_PROFIT_LIMIT",
            ],
            "icebergAllowed": True,
            "ocoAllowed": True,
            "quoteOrderQtyMarketAllowed": True,
            "allowTrailingStop": True,
            "cancelReplaceAllowed": True,
            "isSpotTradingAllowed": True,
            "isMarginTradingAllowed": market.quote == "USDT",
            "filters": [
                {
                    "filterType": "PRICE_FILTER",
                    "minPrice": _amount(market.price_step),
                    "maxPrice": "1000000.00000000",
                    "tickSize": _amount(market.price_step),
                },
                {
                    "filterType": "LOT_SIZE",
                    "minQty": _amount(market.amount_step),
                    "maxQty": "9000.00000000",
                    "stepSize": _amount(market.amount_step),
                },
                {
                    "filterType": "NOTIONAL",
                    "minNotional": "5.00000000",
                    "applyMinToMarket": True,
                    "maxNotional": "9000000.00000000",
                    "applyMaxToMarket": False,
                    "avgPriceMins": 5,
                },
            ],
            "permissions": [],
            "permissionSets": [["SPOT", "MARGIN"]],
            "defaultSelfTradePreventionMode": "EXPIRE_MAKER",
            "allowedSelfTradePreventionModes": ["EXPIRE_TAKER", "EXPIRE_MAKER", "EXPIRE_BOTH"],
        }

    def _ticker(self, market: SpotMarket) -> dict[str, Any]:
        now = self.now_ms()
        return {
            "symbol": market.base + market.quote,
            "priceChange": _amount(market.price - market.open_24h),
            "priceChangePercent": fmt(market.change_pct()),
            "weightedAvgPrice": _amount((market.price + market.open_24h) / 2),
            "prevClosePrice": _amount(market.open_24h),
            "lastPrice": _amount(market.price),
            "lastQty": "0.10000000",
            "bidPrice": _amount(market.bid()),
            "bidQty": "1.50000000",
            "askPrice": _amount(market.ask()),
            "askQty": "2.00000000",
            "openPrice": _amount(market.open_24h),
            "highPrice": _amount(market.high()),
            "lowPrice": _amount(market.low()),
            "volume": _amount(market.volume_24h),
            "quoteVolume": _amount(market.quote_volume()),
            "openTime": now - 86_400_000,
            "closeTime": now,
            "firstId": 1000,
            "lastId": 2000,
            "count": 1001,
        }


def _amount(value: Decimal) -> str:
    """Binance prints amounts with exactly eight decimals."""
    return fmt(value.quantize(Decimal("0.00000001")))


def _uid(account: SimAccount) -> int:
    return 100_000_000 + sum(account.api_key.encode()) * 7
