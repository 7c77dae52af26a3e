"""Bybit v5: hex HMAC-SHA256 over timestamp + apiKey + recvWindow + (query or JSON body),
sent in X-BAPI-* headers; the request must fall inside the receive window."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from aiohttp import web

from tui.sim.errors import ErrorKind, SimError
from tui.sim.exchanges import register
from tui.sim.exchanges.base import SimExchange, fmt, route
from tui.sim.market import SpotMarket
from tui.sim.model import SimAccount
from tui.sim.request import SimRequest

DEFAULT_RECV_WINDOW_MS = 5000

_ERRORS: dict[ErrorKind, tuple[int, int, str]] = {
    ErrorKind.BAD_KEY: (401, 10003, "API key is invalid."),
    ErrorKind.BAD_SIGNATURE: (
        401,
        10004,
        "error sign! origin_string[{detail}]",
    ),
    ErrorKind.BAD_PASSPHRASE: (401, 10004, "error sign!"),
    ErrorKind.TIMESTAMP: (
        200,
        10002,
        "invalid request, please check your server timestamp or recv_window param. {detail}",
    ),
    ErrorKind.NONCE: (200, 10002, "invalid request, please check your timestamp. {detail}"),
    ErrorKind.RATE_LIMITED: (429, 10006, "Too many visits. Exceeded the API Rate Limit."),
    ErrorKind.IP_NOT_ALLOWED: (
        401,
        10010,
        "Unmatched IP, please check your API key's bound IP addresses.",
    ),
    ErrorKind.KEY_EXPIRED: (401, 33004, "Your api key has expired."),
    ErrorKind.PERMISSION_DENIED: (
        403,
        10005,
        "Permission denied, please check your API key permissions.",
    ),
    ErrorKind.NOT_FOUND: (404, 10017, "route not found"),
    ErrorKind.BAD_REQUEST: (200, 10001, "params error: {detail}"),
}


def prehash(timestamp: str, api_key: str, recv_window: str, payload: str) -> str:
    """What Bybit v5 signs: timestamp + api key + recv window + query string (GET) or body."""
    return timestamp + api_key + recv_window + payload


def bybit_permissions(permissions: frozenset[str]) -> dict[str, list[str]]:
    wallet = []
    if "transfer" in permissions:
        wallet += ["AccountTransfer", "SubMemberTransfer"]
    if "withdraw" in permissions:
        wallet.append("Withdraw")
    return {
        "ContractTrade": ["Order", "Position"] if "futures" in permissions else [],
        "Spot": ["SpotTrade"] if permissions & {"spot", "margin"} else [],
        "Wallet": wallet,
        "Options": [],
        "Derivatives": ["DerivativesTrade"] if "futures" in permissions else [],
        "CopyTrading": [],
        "BlockTrade": [],
        "Exchange": ["ExchangeHistory"] if "read" in permissions else [],
        "NFT": [],
        "Affiliate": [],
        "Earn": [],
    }


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@register
class Bybit(SimExchange):
    id = "bybit"
    name = "Bybit"

    def api_key_of(self, request: SimRequest) -> str | None:
        return request.header("X-BAPI-API-KEY")

    def authenticate(self, request: SimRequest, account: SimAccount | None) -> None:
        key = request.header("X-BAPI-API-KEY")
        stamp = request.header("X-BAPI-TIMESTAMP")
        signature = request.header("X-BAPI-SIGN")
        if key is None or stamp is None or signature is None:
            raise SimError(ErrorKind.BAD_REQUEST, "missing X-BAPI-API-KEY/TIMESTAMP/SIGN")
        if account is None:
            raise SimError(ErrorKind.BAD_KEY)
        recv_window = request.header("X-BAPI-RECV-WINDOW") or str(DEFAULT_RECV_WINDOW_MS)
        try:
            timestamp, window = int(stamp), int(recv_window)
        except ValueError as error:
            raise SimError(ErrorKind.BAD_REQUEST, "timestamp") from error
        now = self.now_ms(account)
        if not (now - window <= timestamp < now + 1000):
            detail = f"req_timestamp[{timestamp}],server_timestamp[{now}],recv_window[{window}]"
            raise SimError(ErrorKind.TIMESTAMP, detail)
        payload = request.body if request.method == "POST" else request.raw_query
        message = prehash(stamp, key, recv_window, payload)
        if not self.same(self.hmac_hex(account.secret, message), signature):
            raise SimError(ErrorKind.BAD_SIGNATURE, message)

    def render_error(self, error: SimError) -> web.Response:
        status, code, message = _ERRORS[error.kind]
        return self.json(
            {
                "retCode": code,
                "retMsg": message.format(detail=error.detail),
                "result": {},
                "retExtInfo": {},
                "time": self.now_ms(),
            },
            status=status,
        )

    def ok(self, result: Any, account: SimAccount | None = None) -> dict[str, Any]:
        return {
            "retCode": 0,
            "retMsg": "OK",
            "result": result,
            "retExtInfo": {},
            "time": self.now_ms(account),
        }

    # --- public ------------------------------------------------------------------------

    @route("GET", "/v5/market/time")
    async def time(self, request: SimRequest, account: SimAccount | None) -> Any:
        now = self.now_ms(account)
        return self.ok({"timeSecond": str(now // 1000), "timeNano": str(now * 1_000_000)}, account)

    @route("GET", "/v5/market/instruments-info")
    async def instruments(self, request: SimRequest, account: SimAccount | None) -> Any:
        category = request.query.get("category")
        if category is None:
            raise SimError(ErrorKind.BAD_REQUEST, "category")
        items = (
            [self._instrument(m) for m in self.state.markets.markets] if category == "spot" else []
        )
        return self.ok({"category": category, "list": items, "nextPageCursor": ""})

    @route("GET", "/v5/market/tickers")
    async def tickers(self, request: SimRequest, account: SimAccount | None) -> Any:
        category = request.query.get("category")
        if category is None:
            raise SimError(ErrorKind.BAD_REQUEST, "category")
        items = [self._ticker(m) for m in self.state.markets.markets] if category == "spot" else []
        wanted = request.query.get("symbol")
        if wanted:
            items = [t for t in items if t["symbol"] == wanted]
        return self.ok({"category": category, "list": items})

    # --- private -----------------------------------------------------------------------

    @route("GET", "/v5/user/query-api", signed=True)
    async def query_api(self, request: SimRequest, account: SimAccount | None) -> Any:
        assert account is not None
        traits = account.traits
        expired_at = ""
        deadline_day = 0
        if traits.expires_at is not None:
            expired_at = _iso(traits.expires_at)
            deadline_day = max(0, (traits.expires_at - datetime.now(UTC)).days)
        return self.ok(
            {
                "id": str(13_770_000 + sum(account.api_key.encode())),
                "note": traits.label,
                "apiKey": account.api_key,
                "readOnly": 0 if traits.permissions - {"read"} else 1,
                "secret": "",
                "permissions": bybit_permissions(traits.permissions),
                "ips": list(traits.ip_allowlist) or ["*"],
                "type": 1,
                "deadlineDay": deadline_day,
                "expiredAt": expired_at,
                "createdAt": _iso(traits.created_at),
                "unified": 0,
                "uta": 1,
                "userID": _user_id(account),
                "inviterID": 0,
                "vipLevel": "No VIP",
                "mktMakerLevel": "0",
                "affiliateID": 0,
                "rsaPublicKey": "",
                "isMaster": traits.sub_account is None,
                "parentUid": "0" if traits.sub_account is None else str(_user_id(None)),
                "kycLevel": "LEVEL_1",
                "kycRegion": "",
            },
            account,
        )

    @route("GET", "/v5/account/info", signed=True, permission="read")
    async def account_info(self, request: SimRequest, account: SimAccount | None) -> Any:
        return self.ok(
            {
                "marginMode": "REGULAR_MARGIN",
                "updatedTime": str(self.now_ms(account) - 86_400_000),
                "unifiedMarginStatus": 6,
                "dcpStatus": "OFF",
                "timeWindow": 10,
                "smpGroup": 0,
                "isMasterTrader": False,
                "spotHedgingStatus": "OFF",
            },
            account,
        )

    @route("GET", "/v5/account/wallet-balance", signed=True, permission="read")
    async def wallet_balance(self, request: SimRequest, account: SimAccount | None) -> Any:
        assert account is not None
        kind = request.query.get("accountType")
        if kind is None:
            raise SimError(ErrorKind.BAD_REQUEST, "accountType")
        if kind != "UNIFIED":
            return self.render_error(
                SimError(ErrorKind.BAD_REQUEST, "accountType only support UNIFIED")
            )
        coins = []
        total_usd = Decimal(0)
        for asset, b in account.traits.balances.items():
            usd = self._usd_value(asset, b.total)
            total_usd += usd
            coins.append(
                {
                    "availableToBorrow": "",
                    "bonus": "0",
                    "accruedInterest": "0",
                    "availableToWithdraw": "",
                    "totalOrderIM": "0",
                    "equity": fmt(b.total),
                    "totalPositionMM": "0",
                    "usdValue": fmt(usd),
                    "spotHedgingQty": "0",
                    "unrealisedPnl": "0",
                    "collateralSwitch": True,
                    "borrowAmount": "0",
                    "totalPositionIM": "0",
                    "walletBalance": fmt(b.total),
                    "cumRealisedPnl": "0",
                    "locked": fmt(b.used),
                    "marginCollateral": True,
                    "coin": asset,
                }
            )
        total = fmt(total_usd)
        return self.ok(
            {
                "list": [
                    {
                        "totalEquity": total,
                        "accountIMRate": "0",
                        "totalMarginBalance": total,
                        "totalInitialMargin": "0",
                        "accountType": "UNIFIED",
                        "totalAvailableBalance": total,
                        "accountMMRate": "0",
                        "totalPerpUPL": "0",
                        "totalWalletBalance": total,
                        "accountLTV": "0",
                        "totalMaintenanceMargin": "0",
                        "coin": coins,
                    }
                ]
            },
            account,
        )

    # --- rendering ---------------------------------------------------------------------

    def _usd_value(self, asset: str, amount: Decimal) -> Decimal:
        if asset in ("USDT", "USDC"):
            return amount
        market = self.state.markets.get(asset, "USDT")
        return (amount * market.price).quantize(Decimal("0.0001")) if market else Decimal(0)

    def _instrument(self, market: SpotMarket) -> dict[str, Any]:
        return {
            "symbol": market.base + market.quote,
            "baseCoin": market.base,
            "quoteCoin": market.quote,
            "innovation": "0",
            "status": "Trading",
            "marginTrading": "utaOnly" if market.quote == "USDT" else "none",
            "stTag": "0",
            "lotSizeFilter": {
                "basePrecision": fmt(market.amount_step),
                "quotePrecision": "0.00000001",
                "minOrderQty": fmt(market.amount_step),
                "maxOrderQty": "10000",
                "minOrderAmt": "1",
                "maxOrderAmt": "4000000",
            },
            "priceFilter": {"tickSize": fmt(market.price_step)},
            "riskParameters": {"priceLimitRatioX": "0.05", "priceLimitRatioY": "0.05"},
        }

    def _ticker(self, market: SpotMarket) -> dict[str, Any]:
        change = (market.price - market.open_24h) / market.open_24h
        return {
            "symbol": market.base + market.quote,
            "bid1Price": fmt(market.bid()),
            "bid1Size": "1.5",
            "ask1Price": fmt(market.ask()),
            "ask1Size": "2",
            "lastPrice": fmt(market.price),
            "prevPrice24h": fmt(market.open_24h),
            "price24hPcnt": fmt(change.quantize(Decimal("0.0001"))),
            "highPrice24h": fmt(market.high()),
            "lowPrice24h": fmt(market.low()),
            "turnover24h": fmt(market.quote_volume()),
            "volume24h": fmt(market.volume_24h),
            "usdIndexPrice": fmt(market.price) if market.quote == "USDT" else "",
        }


def _user_id(account: SimAccount | None) -> int:
    if account is None or account.traits.sub_account is None:
        return 24_600_000
    return 24_600_000 + sum(account.traits.sub_account.encode())
