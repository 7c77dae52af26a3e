"""KuCoin (classic account): base64 HMAC-SHA256 over timestamp + METHOD + path?query + body;
with key version 2 the passphrase is sent signed (base64 HMAC-SHA256 of it with the secret)."""

from __future__ import annotations

import hashlib
from decimal import Decimal
from typing import Any

from aiohttp import web

from tui.sim.errors import ErrorKind, SimError
from tui.sim.exchanges import register
from tui.sim.exchanges.base import SimExchange, fmt, route
from tui.sim.market import SpotMarket
from tui.sim.model import SimAccount
from tui.sim.request import SimRequest

TIMESTAMP_WINDOW_MS = 5000
"""KuCoin refuses requests whose timestamp differs from its clock by more than 5 s."""

_ERRORS: dict[ErrorKind, tuple[int, str, str]] = {
    ErrorKind.BAD_KEY: (401, "400003", "KC-API-KEY not exists"),
    ErrorKind.KEY_EXPIRED: (401, "400003", "KC-API-KEY not exists"),
    ErrorKind.BAD_PASSPHRASE: (401, "400004", "Invalid KC-API-PASSPHRASE"),
    ErrorKind.BAD_SIGNATURE: (401, "400005", "Invalid KC-API-SIGN"),
    ErrorKind.TIMESTAMP: (401, "400002", "KC-API-TIMESTAMP Invalid"),
    ErrorKind.NONCE: (401, "400002", "KC-API-TIMESTAMP Invalid"),
    ErrorKind.IP_NOT_ALLOWED: (401, "400006", "Invalid request ip, the current clientIp is:{ip}"),
    ErrorKind.PERMISSION_DENIED: (
        401,
        "400007",
        "Access Denied -- Your API key does not have sufficient permissions to access the URI",
    ),
    ErrorKind.RATE_LIMITED: (429, "429000", "Too many requests in a short period of time"),
    ErrorKind.NOT_FOUND: (
        404,
        "404000",
        "Url Not Found -- The request resource could not be found",
    ),
    ErrorKind.BAD_REQUEST: (400, "400100", "Parameter Error -- {detail}"),
}
_MISSING_HEADERS = (
    401,
    "400001",
    "Please check the header of your request for KC-API-KEY, KC-API-SIGN, KC-API-TIMESTAMP, "
    "KC-API-PASSPHRASE",
)

KUCOIN_PERMISSIONS = {
    "read": "General",
    "spot": "Spot",
    "margin": "Margin",
    "futures": "Futures",
    "withdraw": "Withdrawal",
    "transfer": "InnerTransfer",
}


def prehash(timestamp: str, method: str, path_with_query: str, body: str) -> str:
    """What KuCoin signs: timestamp + METHOD + endpoint (with ?query) + body."""
    return timestamp + method.upper() + path_with_query + body


def kucoin_permission(permissions: frozenset[str]) -> str:
    return ",".join(name for trait, name in KUCOIN_PERMISSIONS.items() if trait in permissions)


@register
class Kucoin(SimExchange):
    id = "kucoin"
    name = "KuCoin"
    credential_names = ("apiKey", "secret", "password")

    def api_key_of(self, request: SimRequest) -> str | None:
        return request.header("KC-API-KEY")

    def authenticate(self, request: SimRequest, account: SimAccount | None) -> None:
        names = ("KC-API-KEY", "KC-API-SIGN", "KC-API-TIMESTAMP", "KC-API-PASSPHRASE")
        if any(request.header(name) is None for name in names):
            raise SimError(ErrorKind.BAD_REQUEST, "headers")
        if account is None:
            raise SimError(ErrorKind.BAD_KEY)
        stamp = request.headers["KC-API-TIMESTAMP"]
        try:
            timestamp = int(stamp)
        except ValueError as error:
            raise SimError(ErrorKind.TIMESTAMP) from error
        self.check_timestamp(
            timestamp, account, window_ms=TIMESTAMP_WINDOW_MS, ahead_ms=TIMESTAMP_WINDOW_MS
        )
        given_passphrase = request.headers["KC-API-PASSPHRASE"]
        if request.header("KC-API-KEY-VERSION") in ("2", "3"):
            expected_passphrase = self.hmac_b64(account.secret, account.password or "")
        else:
            expected_passphrase = account.password or ""
        if not self.same(expected_passphrase, given_passphrase):
            raise SimError(ErrorKind.BAD_PASSPHRASE)
        message = prehash(stamp, request.method, request.path_with_query, request.body)
        if not self.same(self.hmac_b64(account.secret, message), request.header("KC-API-SIGN")):
            raise SimError(ErrorKind.BAD_SIGNATURE)

    def render_error(self, error: SimError) -> web.Response:
        if error.kind is ErrorKind.BAD_REQUEST and error.detail == "headers":
            status, code, message = _MISSING_HEADERS
        else:
            status, code, message = _ERRORS[error.kind]
            message = message.format(ip=error.detail, detail=error.detail)
        return self.json({"code": code, "msg": message}, status=status)

    @staticmethod
    def ok(data: Any) -> dict[str, Any]:
        return {"code": "200000", "data": data}

    # --- public ------------------------------------------------------------------------

    @route("GET", "/api/v1/timestamp")
    async def timestamp(self, request: SimRequest, account: SimAccount | None) -> Any:
        return {"code": "200000", "msg": "success", "data": self.now_ms(account)}

    @route("GET", "/api/v1/status")
    async def status(self, request: SimRequest, account: SimAccount | None) -> Any:
        return self.ok({"status": "open", "msg": ""})

    @route("GET", "/api/v2/symbols")
    async def symbols(self, request: SimRequest, account: SimAccount | None) -> Any:
        return self.ok([self._symbol(m) for m in self.state.markets.markets])

    @route("GET", "/api/v1/market/allTickers")
    async def all_tickers(self, request: SimRequest, account: SimAccount | None) -> Any:
        return self.ok(
            {
                "time": self.now_ms(account),
                "ticker": [self._ticker(m) for m in self.state.markets.markets],
            }
        )

    # --- private -----------------------------------------------------------------------

    @route("GET", "/api/ua/v1/account/mode", signed=True, permission="read")
    async def account_mode(self, request: SimRequest, account: SimAccount | None) -> Any:
        assert account is not None
        return self.ok(
            {
                "selfAccountMode": "CLASSIC",
                "unifiedSubAccount": [],
                "classicSubAccount": [] if account.traits.sub_account is None else [_uid(account)],
            }
        )

    @route("GET", "/api/v1/hf/accounts/opened", signed=True, permission="read")
    async def hf_opened(self, request: SimRequest, account: SimAccount | None) -> Any:
        return self.ok(False)

    @route("GET", "/api/v3/margin/symbols", signed=True, permission="read")
    async def margin_symbols(self, request: SimRequest, account: SimAccount | None) -> Any:
        return self.ok({"timestamp": self.now_ms(account), "items": []})

    @route("GET", "/api/v1/isolated/symbols", signed=True, permission="read")
    async def isolated_symbols(self, request: SimRequest, account: SimAccount | None) -> Any:
        return self.ok([])

    @route("GET", "/api/v1/accounts", signed=True, permission="read")
    async def accounts(self, request: SimRequest, account: SimAccount | None) -> Any:
        assert account is not None
        kind = request.query.get("type")
        currency = request.query.get("currency")
        rows = []
        if kind in (None, "trade"):
            for asset, b in account.traits.balances.items():
                if currency and asset != currency:
                    continue
                rows.append(
                    {
                        "id": hashlib.sha1(  # noqa: S324 - an id, not security
                            f"{account.api_key}/{asset}".encode()
                        ).hexdigest()[:24],
                        "currency": asset,
                        "type": "trade",
                        "balance": fmt(b.total),
                        "available": fmt(b.free),
                        "holds": fmt(b.used),
                    }
                )
        return self.ok(rows)

    @route("GET", "/api/v1/user/api-key", signed=True)
    async def api_key_info(self, request: SimRequest, account: SimAccount | None) -> Any:
        assert account is not None
        traits = account.traits
        data: dict[str, Any] = {
            "remark": traits.label,
            "apiKey": account.api_key,
            "apiVersion": 3,
            "permission": kucoin_permission(traits.permissions),
            "ipWhitelist": ",".join(traits.ip_allowlist),
            "createdAt": int(traits.created_at.timestamp() * 1000),
            "uid": _uid(account),
            "isMaster": traits.sub_account is None,
        }
        if traits.sub_account is not None:
            data["subName"] = traits.sub_account
        return self.ok(data)

    # --- rendering ---------------------------------------------------------------------

    def _symbol(self, market: SpotMarket) -> dict[str, Any]:
        name = f"{market.base}-{market.quote}"
        return {
            "symbol": name,
            "name": name,
            "baseCurrency": market.base,
            "quoteCurrency": market.quote,
            "feeCurrency": market.quote,
            "market": "USDS" if market.quote == "USDT" else market.quote,
            "baseMinSize": fmt(market.amount_step),
            "quoteMinSize": "0.1",
            "baseMaxSize": "10000000000",
            "quoteMaxSize": "99999999",
            "baseIncrement": fmt(market.amount_step),
            "quoteIncrement": "0.000001",
            "priceIncrement": fmt(market.price_step),
            "priceLimitRate": "0.1",
            "minFunds": "0.1",
            "isMarginEnabled": market.quote == "USDT",
            "enableTrading": True,
            "feeCategory": 1,
            "makerFeeCoefficient": "1.00",
            "takerFeeCoefficient": "1.00",
            "st": False,
            "callauctionIsEnabled": False,
            "tradingStartTime": None,
        }

    def _ticker(self, market: SpotMarket) -> dict[str, Any]:
        name = f"{market.base}-{market.quote}"
        change = (market.price - market.open_24h) / market.open_24h
        return {
            "symbol": name,
            "symbolName": name,
            "buy": fmt(market.bid()),
            "bestBidSize": "1.5",
            "sell": fmt(market.ask()),
            "bestAskSize": "2",
            "changeRate": fmt(change.quantize(Decimal("0.0001"))),
            "changePrice": fmt(market.price - market.open_24h),
            "high": fmt(market.high()),
            "low": fmt(market.low()),
            "vol": fmt(market.volume_24h),
            "volValue": fmt(market.quote_volume()),
            "last": fmt(market.price),
            "averagePrice": fmt(market.open_24h),
            "takerFeeRate": "0.001",
            "makerFeeRate": "0.001",
            "takerCoefficient": "1",
            "makerCoefficient": "1",
        }


def _uid(account: SimAccount) -> int:
    seed = account.traits.sub_account or f"{account.exchange}-main-account"
    return 165_000_000 + sum(seed.encode()) * 31
