"""BloFin (openapi.blofin.com, perpetual futures): base64 of a hex HMAC-SHA256, with a nonce.

Signed requests carry `ACCESS-KEY`, `ACCESS-PASSPHRASE` (in clear), `ACCESS-TIMESTAMP` (ms),
`ACCESS-NONCE` and `ACCESS-SIGN` = base64(hex(HMAC-SHA256(secret, requestPath (with the query
of a GET) + METHOD + timestamp + nonce + body))): the hex digest's text is base64-encoded, as
BloFin's "Signature" section shows (https://docs.blofin.com/index.html#signature; the
blofin/blofin-api-docs repository). ccxt's blofin.sign sends the timestamp as the nonce too.
The timestamp must be within 60 s (152405); a nonce may not repeat within 60 s (152407).

Errors are HTTP 200 {"code": <string>, "msg": ..., "data": null}, BloFin's "Error Codes":

| situation | code | ccxt |
|---|---|---|
| unknown key | 152401 | AuthenticationError |
| expired key | 152402 | AuthenticationError |
| missing right | 152404 | PermissionDenied |
| stale timestamp | 152405 | InvalidNonce |
| IP outside the key's whitelist | 152406 | PermissionDenied |
| repeated nonce | 152407 | InvalidNonce |
| wrong passphrase | 152408 | AuthenticationError |
| wrong signature | 152409 | AuthenticationError |
| rate limited | HTTP 429, 429 | RateLimitExceeded |

Endpoints: `/api/v1/market/instruments` (perpetual swaps, `BTC-USDT`, instType SWAP),
`/api/v1/account/balance` (fetch_balance: the futures account's `details`) and
`/api/v1/user/query-apikey` (the key's `readOnly`, `ips`, `createTime`, `expireTime`,
`parentUid`; no withdrawal flag). BloFin lists no spot markets, so Keydeck prices only the
stablecoins of a BloFin account; it has no server-time endpoint (ccxt: fetchTime False).
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from aiohttp import web

from tui.sim.errors import ErrorKind, SimError
from tui.sim.exchanges import register
from tui.sim.exchanges.base import SimExchange, fmt, route
from tui.sim.market import SpotMarket
from tui.sim.model import SimAccount
from tui.sim.request import SimRequest

WINDOW_MS = 60_000
_ERRORS: dict[ErrorKind, tuple[int, str, str]] = {
    ErrorKind.BAD_KEY: (
        200,
        "152401",
        "Access key does not exist, Please go to the API Management page and check if it "
        "exists and is in an active state.",
    ),
    ErrorKind.KEY_EXPIRED: (
        200,
        "152402",
        "Access key has expired, Please go to the API Management page and check if it exists "
        "and is in an active state.",
    ),
    ErrorKind.PERMISSION_DENIED: (
        200,
        "152404",
        "This operation is not supported, Please check the requestPath or API key permissions.",
    ),
    ErrorKind.TIMESTAMP: (
        200,
        "152405",
        "Timestamp in header or signature has expired, need to be within 60s",
    ),
    ErrorKind.IP_NOT_ALLOWED: (
        200,
        "152406",
        "Your IP is not included in your API key's IP whitelist",
    ),
    ErrorKind.NONCE: (200, "152407", "Repeated nonce, Reusing within 60 seconds is not allowed."),
    ErrorKind.BAD_PASSPHRASE: (200, "152408", "Passphrase error"),
    ErrorKind.BAD_SIGNATURE: (200, "152409", "Signature verification failed"),
    ErrorKind.RATE_LIMITED: (429, "429", "Too Many Requests"),
    ErrorKind.BAD_REQUEST: (200, "152002", "Parameter error."),
    ErrorKind.NOT_FOUND: (
        200,
        "152404",
        "This operation is not supported, Please check the requestPath or API key permissions.",
    ),
}


def blofin_signature(
    path: str, method: str, timestamp: str, nonce: str, body: str, secret: str
) -> str:
    """base64 of the hex text of HMAC-SHA256(secret, path + METHOD + ts + nonce + body)."""
    hex_digest = SimExchange.hmac_hex(secret, f"{path}{method.upper()}{timestamp}{nonce}{body}")
    return base64.b64encode(hex_digest.encode()).decode()


def inst_id(market: SpotMarket) -> str:
    return f"{market.base}-{market.quote}"


@register
class Blofin(SimExchange):
    id = "blofin"
    name = "BloFin"
    credential_names = ("apiKey", "secret", "password")
    unbound_key_lifetime_days = 90  # "API Keys that are not bound to IPs will expire after 90 days"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._nonces: dict[str, dict[str, int]] = {}

    # --- authentication ----------------------------------------------------------------

    def api_key_of(self, request: SimRequest) -> str | None:
        return request.header("ACCESS-KEY")

    def authenticate(self, request: SimRequest, account: SimAccount | None) -> None:
        if account is None:
            raise SimError(ErrorKind.BAD_KEY)
        timestamp = request.header("ACCESS-TIMESTAMP") or ""
        nonce = request.header("ACCESS-NONCE") or ""
        expected = blofin_signature(
            request.path_with_query, request.method, timestamp, nonce, request.body, account.secret
        )
        if not self.same(expected, request.header("ACCESS-SIGN")):
            raise SimError(ErrorKind.BAD_SIGNATURE)
        if request.header("ACCESS-PASSPHRASE") != account.credentials.get("password"):
            raise SimError(ErrorKind.BAD_PASSPHRASE)
        if not timestamp.isdigit() or len(timestamp) != 13:
            raise SimError(ErrorKind.TIMESTAMP, "not a millisecond timestamp")
        self.check_timestamp(int(timestamp), account, window_ms=WINDOW_MS, ahead_ms=WINDOW_MS)
        self._check_nonce(account, nonce)

    def _check_nonce(self, account: SimAccount, nonce: str) -> None:
        now = self.now_ms(account)
        seen = {
            n: t for n, t in self._nonces.get(account.api_key, {}).items() if now - t < WINDOW_MS
        }
        if not nonce or nonce in seen:
            raise SimError(ErrorKind.NONCE, nonce)
        seen[nonce] = now
        self._nonces[account.api_key] = seen

    def render_error(self, error: SimError) -> web.Response:
        status, code, message = _ERRORS[error.kind]
        return self.json({"code": code, "msg": message, "data": None}, status=status)

    # --- public ------------------------------------------------------------------------

    @route("GET", "/api/v1/market/instruments")
    async def instruments(self, request: SimRequest, account: SimAccount | None) -> Any:
        rows = [
            {
                "instId": inst_id(m),
                "baseCurrency": m.base,
                "quoteCurrency": m.quote,
                "contractValue": "1",
                "listTime": "1700000000000",
                "expireTime": "4070880000000",
                "maxLeverage": "50",
                "minSize": "1",
                "lotSize": "1",
                "tickSize": fmt(m.price_step),
                "instType": "SWAP",
                "contractType": "linear",
                "maxLimitSize": "100000",
                "maxMarketSize": "10000",
                "state": "live",
                "settleCurrency": m.quote,
            }
            for m in self.state.markets.markets
        ]
        return {"code": "0", "msg": "success", "data": rows}

    # --- signed ------------------------------------------------------------------------

    @route("GET", "/api/v1/account/balance", signed=True, permission="read")
    async def balance(self, request: SimRequest, account: SimAccount | None) -> Any:
        assert account is not None
        now = self.now_ms(account)
        details = [
            {
                "currency": asset,
                "equity": fmt(b.total),
                "balance": fmt(b.total),
                "ts": str(now),
                "isolatedEquity": "0",
                "available": fmt(b.free),
                "availableEquity": fmt(b.free),
                "frozen": fmt(b.used),
                "orderFrozen": fmt(b.used),
                "equityUsd": "0",
                "isolatedUnrealizedPnl": "0",
                "bonus": "0",
            }
            for asset, b in account.traits.balances.items()
        ]
        return {"code": "0", "msg": "success", "data": {"ts": str(now), "details": details}}

    @route("GET", "/api/v1/user/query-apikey", signed=True)
    async def query_apikey(self, request: SimRequest, account: SimAccount | None) -> Any:
        assert account is not None
        traits = account.traits
        trades = any(traits.can(p) for p in ("spot", "margin", "futures"))
        owner = traits.sub_account
        data = {
            "uid": _uid(owner or "main"),
            "apiName": traits.label or account.label,
            "apiKey": account.api_key,
            "readOnly": 0 if trades else 1,
            "ips": list(traits.ip_allowlist),
            "type": 1,
            "expireTime": _ms(traits.expires_at),
            "createTime": _ms(traits.created_at),
            "referralCode": "",
            "parentUid": _uid("main") if owner else "0",
        }
        return {"code": "0", "msg": "success", "data": data}


def _uid(owner: str) -> str:
    return str(int(hashlib.sha256(f"blofin-user/{owner}".encode()).hexdigest()[:8], 16))


def _ms(moment: Any) -> str:
    return "" if moment is None else str(int(moment.timestamp() * 1000))
