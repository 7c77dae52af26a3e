"""HTX (Huobi) spot: signature version 2, HMAC-SHA256 in the query string.

A signed request carries `AccessKeyId`, `SignatureMethod=HmacSHA256`, `SignatureVersion=2`,
`Timestamp` (UTC `YYYY-MM-DDThh:mm:ss`, valid for 5 minutes either way) and `Signature` =
base64 HMAC-SHA256(secret, "METHOD\\nhost\\npath\\nparams"), params being every query
parameter but `Signature`, URL-encoded as sent and sorted by name.

The host: ccxt signs with the host it keeps in `urls['hostnames']` ("api.huobi.pro") even when
`urls['api']` points elsewhere, and the path without the simulator's `/htx` prefix. The
simulator accepts a signature over "api.huobi.pro" or "api-aws.huobi.pro" with that path, or
over the Host header and path the request really carried (a client signing what it sends).

Errors come with HTTP 200 as `{"status": "error", "err-code", "err-msg", "data": null}`; the
gateway's authentication failures all have err-code `api-signature-not-valid` (ccxt:
AuthenticationError, a stale timestamp included), told apart by the message:
"Incorrect Access key", "Verification failure", "Invalid submission time", "Incorrect IP
address". An expired key is refused like an unknown one (assumed: HTX documents no separate
answer). Rate limiting is HTTP 429 `base-request-exceed-frequency-limit` (RateLimitExceeded).

Endpoints: `/v1/common/timestamp` (fetch_time), `/v1/common/symbols` (markets),
`/market/tickers`, `/v1/account/accounts` and `/v1/account/accounts/{id}/balance`
(fetch_balance), `/v2/user/uid` and `/v2/user/api-key?uid=&accessKey=` (the key-permission
query; ccxt: `v2private_get_user_api_key`, also `spot_private_get_v2_user_api_key`). The v2
answers are `{"code": 200, "message": "success", "data": ..., "ok": true}`. Without
`accessKey`, the api-key query lists every key of the uid (as HTX does).

ccxt must be told to load spot markets only: `options = {"fetchMarkets": {"types": {"spot":
True}}}` (a dict, not a list); the contract hosts are not simulated.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, unquote_plus

from aiohttp import web

from tui.sim.errors import ErrorKind, SimError
from tui.sim.exchanges import register
from tui.sim.exchanges.base import SimExchange, fmt, route
from tui.sim.market import SpotMarket
from tui.sim.model import SimAccount, Traits
from tui.sim.request import SimRequest

TIMESTAMP_WINDOW_MS = 5 * 60_000
SIGNED_HOSTS = ("api.huobi.pro", "api-aws.huobi.pro")
"""Hosts a signature may name besides the request's own Host header (see the docstring)."""

_SIGNATURE = "api-signature-not-valid"
_ERRORS: dict[ErrorKind, tuple[int, str, str]] = {
    ErrorKind.BAD_KEY: (
        200,
        _SIGNATURE,
        "Signature not valid: Incorrect Access key [Access key错误]",
    ),
    ErrorKind.KEY_EXPIRED: (
        200,
        _SIGNATURE,
        "Signature not valid: Incorrect Access key [Access key错误]",
    ),
    ErrorKind.BAD_SIGNATURE: (
        200,
        _SIGNATURE,
        "Signature not valid: Verification failure [校验失败]",
    ),
    ErrorKind.BAD_PASSPHRASE: (
        200,
        _SIGNATURE,
        "Signature not valid: Verification failure [校验失败]",
    ),
    ErrorKind.BAD_REQUEST: (
        200,
        _SIGNATURE,
        "Signature not valid: Verification failure [校验失败]",
    ),
    ErrorKind.TIMESTAMP: (
        200,
        _SIGNATURE,
        "Signature not valid: Invalid submission time [无效的提交时间]",
    ),
    ErrorKind.NONCE: (
        200,
        _SIGNATURE,
        "Signature not valid: Invalid submission time [无效的提交时间]",
    ),
    ErrorKind.IP_NOT_ALLOWED: (
        200,
        _SIGNATURE,
        "Signature not valid: Incorrect IP address [IP地址错误]:{detail}",
    ),
    ErrorKind.PERMISSION_DENIED: (200, "forbidden", "API key has no permission [API Key没有权限]"),
    ErrorKind.RATE_LIMITED: (
        429,
        "base-request-exceed-frequency-limit",
        "Frequency of requests has exceeded the limit, please try again later",
    ),
    ErrorKind.NOT_FOUND: (404, "invalid-parameter", "invalid request path"),
}
_AUTH_PARAMS = ("AccessKeyId", "SignatureMethod", "SignatureVersion", "Timestamp")


def signed_params(raw_query: str) -> str:
    """HTX's steps 4-5: every parameter but `Signature`, URL-encoded with upper-case hex
    (":" as %3A, whatever the client's URL library left as is), sorted by name."""
    pairs = []
    for part in raw_query.split("&"):
        name, _, value = part.partition("=")
        if part and name != "Signature":
            pairs.append((_encode(name), _encode(value)))
    return "&".join(f"{name}={value}" for name, value in sorted(pairs))


def _encode(text: str) -> str:
    return quote(unquote_plus(text), safe="-_.~")


def prehash(method: str, host: str, path: str, raw_query: str) -> str:
    return "\n".join((method.upper(), host.lower(), path, signed_params(raw_query)))


def parse_timestamp(text: str) -> int | None:
    try:
        moment = datetime.strptime(text, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC)
    except ValueError:
        return None
    return int(moment.timestamp() * 1000)


def htx_permission(permissions: frozenset[str]) -> str:
    """HTX's three permissions: readOnly, trade (spot, margin, futures, transfers), withdraw."""
    names = ["readOnly"] if "read" in permissions else []
    if permissions & {"spot", "margin", "futures", "transfer"}:
        names.append("trade")
    if "withdraw" in permissions:
        names.append("withdraw")
    return ",".join(names)


def valid_days(traits: Traits, now: datetime) -> int:
    """Days the key is still valid; -1 = permanent (HTX's validDays)."""
    if traits.expires_at is None:
        return -1
    return max(0, (traits.expires_at - now).days)


@register
class Htx(SimExchange):
    id = "htx"
    name = "HTX"
    unbound_key_lifetime_days = 90

    def api_key_of(self, request: SimRequest) -> str | None:
        return request.query.get("AccessKeyId") or None

    def authenticate(self, request: SimRequest, account: SimAccount | None) -> None:
        query = request.query
        if any(not query.get(name) for name in (*_AUTH_PARAMS, "Signature")):
            raise SimError(ErrorKind.BAD_REQUEST, "missing signature parameters")
        if account is None:
            raise SimError(ErrorKind.BAD_KEY)
        if query["SignatureMethod"] != "HmacSHA256" or query["SignatureVersion"] != "2":
            raise SimError(ErrorKind.BAD_SIGNATURE)
        timestamp = parse_timestamp(query["Timestamp"])
        if timestamp is None:
            raise SimError(ErrorKind.TIMESTAMP, query["Timestamp"])
        self.check_timestamp(
            timestamp, account, window_ms=TIMESTAMP_WINDOW_MS, ahead_ms=TIMESTAMP_WINDOW_MS
        )
        given = query["Signature"]
        signed_as = [(host, request.path) for host in SIGNED_HOSTS]
        signed_as.append((request.host, request.full_path))  # the URL exactly as sent
        for host, path in signed_as:
            message = prehash(request.method, host, path, request.raw_query)
            if self.same(self.hmac_b64(account.secret, message), given):
                return
        raise SimError(ErrorKind.BAD_SIGNATURE)

    def render_error(self, error: SimError) -> web.Response:
        status, code, message = _ERRORS[error.kind]
        body = {
            "status": "error",
            "err-code": code,
            "err-msg": message.format(detail=error.detail),
            "data": None,
        }
        return self.json(body, status=status)

    @staticmethod
    def ok(data: Any, **extra: Any) -> dict[str, Any]:
        return {"status": "ok", **extra, "data": data}

    @staticmethod
    def ok_v2(data: Any) -> dict[str, Any]:
        return {"code": 200, "message": "success", "data": data, "ok": True}

    # --- public ------------------------------------------------------------------------

    @route("GET", "/v1/common/timestamp")
    async def timestamp(self, request: SimRequest, account: SimAccount | None) -> Any:
        return self.ok(self.now_ms(account))

    @route("GET", "/v1/common/symbols")
    async def symbols(self, request: SimRequest, account: SimAccount | None) -> Any:
        return self.ok([self._symbol(m) for m in self.state.markets.markets])

    @route("GET", "/market/tickers")
    async def tickers(self, request: SimRequest, account: SimAccount | None) -> Any:
        tickers = [self._ticker(m) for m in self.state.markets.markets]
        return self.ok(tickers, ts=self.now_ms(account))

    # --- signed ------------------------------------------------------------------------

    @route("GET", "/v1/account/accounts", signed=True, permission="read")
    async def accounts(self, request: SimRequest, account: SimAccount | None) -> Any:
        assert account is not None
        return self.ok(
            [{"id": spot_account_id(account), "type": "spot", "subtype": "", "state": "working"}]
        )

    @route("GET", "/v1/account/accounts/{account_id}/balance", signed=True, permission="read")
    async def balance(self, request: SimRequest, account: SimAccount | None) -> Any:
        assert account is not None
        if request.match["account_id"] != str(spot_account_id(account)):
            body = {
                "status": "error",
                "err-code": "account-frozen-account-inexistent-error",
                "err-msg": "account for id `{}` and user id `{}` does not exist".format(
                    request.match["account_id"], user_id(account)
                ),
                "data": None,
            }
            return self.json(body)
        rows: list[dict[str, str]] = []
        for asset, b in account.traits.balances.items():
            currency = asset.lower()
            rows.append({"currency": currency, "type": "trade", "balance": fmt(b.free)})
            rows.append({"currency": currency, "type": "frozen", "balance": fmt(b.used)})
        data = {"id": spot_account_id(account), "type": "spot", "state": "working", "list": rows}
        return self.ok(data)

    @route("GET", "/v2/user/uid", signed=True, permission="read")
    async def uid(self, request: SimRequest, account: SimAccount | None) -> Any:
        assert account is not None
        return self.ok_v2(user_id(account))

    @route("GET", "/v2/user/api-key", signed=True, permission="read")
    async def api_key(self, request: SimRequest, account: SimAccount | None) -> Any:
        assert account is not None
        uid = request.query.get("uid")
        if uid is not None and uid != str(user_id(account)):
            return self.json({"code": 1002, "message": "forbidden", "data": None, "ok": False})
        wanted = request.query.get("accessKey")
        keys = [
            other
            for other in self.state.for_exchange(self.id)
            if user_id(other) == user_id(account) and wanted in (None, other.api_key)
        ]
        return self.ok_v2([self.api_key_payload(k) for k in keys])

    def api_key_payload(self, account: SimAccount) -> dict[str, Any]:
        traits = account.traits
        now = datetime.fromtimestamp(self.now_ms(account) / 1000, UTC)
        created = int(traits.created_at.timestamp() * 1000)
        expired = traits.expires_at is not None and traits.expires_at <= now
        return {
            "accessKey": account.api_key,
            "status": "expired" if expired else "normal",
            "note": traits.label,
            "permission": htx_permission(traits.permissions),
            "ipAddresses": ",".join(traits.ip_allowlist),
            "validDays": valid_days(traits, now),
            "createTime": created,
            "updateTime": created,
        }

    # --- rendering ---------------------------------------------------------------------

    def _symbol(self, market: SpotMarket) -> dict[str, Any]:
        return {
            "base-currency": market.base.lower(),
            "quote-currency": market.quote.lower(),
            "price-precision": _decimals(fmt(market.price_step)),
            "amount-precision": _decimals(fmt(market.amount_step)),
            "symbol-partition": "main",
            "symbol": (market.base + market.quote).lower(),
            "state": "online",
            "value-precision": 8,
            "min-order-amt": float(market.amount_step),
            "max-order-amt": 10000,
            "min-order-value": 5,
            "limit-order-min-order-amt": float(market.amount_step),
            "limit-order-max-order-amt": 10000,
            "sell-market-min-order-amt": float(market.amount_step),
            "sell-market-max-order-amt": 1000,
            "buy-market-max-order-value": 1000000,
            "api-trading": "enabled",
            "tags": "",
        }

    def _ticker(self, market: SpotMarket) -> dict[str, Any]:
        return {
            "symbol": (market.base + market.quote).lower(),
            "open": float(market.open_24h),
            "high": float(market.high()),
            "low": float(market.low()),
            "close": float(market.price),
            "amount": float(market.volume_24h),
            "vol": float(market.quote_volume()),
            "count": 1001,
            "bid": float(market.bid()),
            "bidSize": 1.5,
            "ask": float(market.ask()),
            "askSize": 2.0,
        }


def user_id(account: SimAccount) -> int:
    """The HTX uid: shared by the main account's keys, another for each sub-account."""
    seed = account.traits.sub_account or f"{account.exchange}-main-account"
    return 60_000_000 + sum(seed.encode()) * 131


def spot_account_id(account: SimAccount) -> int:
    return user_id(account) // 7 + 1_000_000


def _decimals(step: str) -> int:
    return len(step.partition(".")[2].rstrip("0")) if "." in step else 0
