"""WOO X (api.woox.io, REST v3): hex HMAC-SHA256 over timestamp + method + path + body.

Signed requests carry `x-api-key`, `x-api-timestamp` (milliseconds) and `x-api-signature`
= hex(HMAC-SHA256(secret, timestamp + METHOD + request_path + request_body)), the query
string of a GET being part of request_path (WOO's "Integration guide",
https://developer.woox.io/api-reference/guide; ccxt's woo.sign does the same for `v3`).
The server recomputes it over the path and query exactly as sent.

WOO's guide names no timestamp window. ccxt maps 317179 ("Request has failed as the receive
window: N millisecond is exceeded from api_timestamp", BadRequest) for a stale request, so
the simulator answers that code; the window itself (5000 ms either way) is assumed.

Errors are `{"success": false, "code": <int>, "message": ...}`; ccxt matches the code:

| situation | HTTP | code | ccxt |
|---|---|---|---|
| key, timestamp or signature header missing | 401 | -1001 (wrong format) | AuthenticationError |
| unknown/expired key, bad signature, IP refused, no right | 401 | -1002 | AuthenticationError |
| timestamp outside the window (assumed) | 400 | 317179 | BadRequest |
| rate limited | 429 | -1003 "Rate limit exceed." | RateLimitExceeded |
| bad parameter | 400 | -1005 | BadRequest |

-1002's message (WOO's support page "Why do I keep receiving the error code -1002") covers a
rejected key, a missing permission and an expired or revoked key alike; WOO documents no
answer of its own for an IP outside the key's list, so the simulator sends -1002 for it too.
The HTTP statuses are assumed (ccxt reads only the code).

`GET /v3/account/credentials` (ccxt: `v3_private_get_account_credentials`,
https://developer.woox.io/api-reference/endpoint/account/credentials) lists every key of the
calling key's account, paged (`page` from 1, `size` default 25, at most 1000): `accountName`,
`userId`, `apiKey`, `permissions` (READ, TRADE, WITHDRAWAL) and `allowedIPs`, a field left
out when the key has no IP restriction. The documented example masks the key
("+Pxxxxxxxxxxxxxxxxxxxx==": two characters, x's, the last two); the simulator masks the same
way, so the demo keys differ in their first two characters.

ccxt 4.5.90 has no spot ticker for WOO (fetch_ticker/fetch_tickers are perpetuals only), so
only spot instruments (`/v3/public/instruments`), the server clock (`/v3/public/systemInfo`)
and balances (`/v3/asset/balances`) are served.
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
from tui.sim.model import SimAccount, Traits
from tui.sim.request import SimRequest

KEY_HEADER = "x-api-key"
TIMESTAMP_HEADER = "x-api-timestamp"
SIGNATURE_HEADER = "x-api-signature"
WINDOW_MS = 5000  # assumed: WOO's docs name none
DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 1000
MAIN_ACCOUNT_NAME = "Main"

_BAD_KEY = "API key or secret is invalid, it may because key have insufficient permission or the key is expired/revoked."  # noqa: E501 - WOO's message
_ERRORS: dict[ErrorKind, tuple[int, int, str]] = {
    ErrorKind.BAD_KEY: (401, -1002, _BAD_KEY),
    ErrorKind.KEY_EXPIRED: (401, -1002, _BAD_KEY),
    ErrorKind.BAD_SIGNATURE: (401, -1002, _BAD_KEY),
    ErrorKind.BAD_PASSPHRASE: (401, -1002, _BAD_KEY),
    ErrorKind.IP_NOT_ALLOWED: (401, -1002, _BAD_KEY),
    ErrorKind.PERMISSION_DENIED: (401, -1002, _BAD_KEY),
    ErrorKind.TIMESTAMP: (
        400,
        317179,
        "Request has failed as the receive window: {window} millisecond is exceeded from {detail}",
    ),
    ErrorKind.NONCE: (400, 317179, "{detail}"),
    ErrorKind.RATE_LIMITED: (429, -1003, "Rate limit exceed."),
    ErrorKind.BAD_REQUEST: (400, -1005, "Some parameters are in wrong format for api. {detail}"),
    ErrorKind.NOT_FOUND: (404, -1000, "An unknown error occurred while processing the request."),
}
_WRONG_FORMAT = "The api key or secret is in wrong format"


def woo_signature(timestamp: str, method: str, path_with_query: str, body: str, secret: str) -> str:
    """hex(HMAC-SHA256(secret, timestamp + METHOD + path?query + body)), WOO's v3 rule."""
    return SimExchange.hmac_hex(secret, f"{timestamp}{method.upper()}{path_with_query}{body}")


def masked_key(api_key: str) -> str:
    """The key as WOO's documented example shows it: its first and last two characters."""
    if len(api_key) <= 4:
        return "x" * len(api_key)
    return api_key[:2] + "x" * (len(api_key) - 4) + api_key[-2:]


def woo_permissions(traits: Traits) -> list[str]:
    """READ always; TRADE for any trading right; WITHDRAWAL for withdrawals."""
    names = ["READ"]
    if any(traits.can(p) for p in ("spot", "margin", "futures")):
        names.append("TRADE")
    if traits.can("withdraw"):
        names.append("WITHDRAWAL")
    return names


def market_id(market: SpotMarket) -> str:
    return f"SPOT_{market.base}_{market.quote}"


@register
class Woo(SimExchange):
    id = "woo"
    name = "WOO X"

    @classmethod
    def default_credentials(cls, label: str) -> dict[str, str]:
        """A 24-character base64 key like WOO's (it decodes to "<label>-demo-woo") and a
        28-character upper-case secret, as in WOO's guide."""
        credentials = super().default_credentials(label)
        key_bytes = f"{label}-demo-woo".encode()[:16].ljust(16, b"-")
        credentials["apiKey"] = base64.b64encode(key_bytes).decode()
        digest = hashlib.sha256(f"keydeck-sim/woo/{label}".encode()).hexdigest().upper()
        credentials["secret"] = f"DEMOWOO{digest[:21]}"
        return credentials

    # --- authentication ----------------------------------------------------------------

    def api_key_of(self, request: SimRequest) -> str | None:
        return request.header(KEY_HEADER)

    def authenticate(self, request: SimRequest, account: SimAccount | None) -> None:
        timestamp = request.header(TIMESTAMP_HEADER)
        signature = request.header(SIGNATURE_HEADER)
        if request.header(KEY_HEADER) is None or signature is None or timestamp is None:
            raise SimError(ErrorKind.BAD_KEY, _WRONG_FORMAT)
        if account is None:
            raise SimError(ErrorKind.BAD_KEY)
        if not timestamp.isdigit() or len(timestamp) != 13:
            raise SimError(ErrorKind.BAD_KEY)  # WOO: a timestamp of 13 digits, else -1002
        expected = woo_signature(
            timestamp, request.method, request.path_with_query, request.body, account.secret
        )
        if not self.same(expected, signature):
            raise SimError(ErrorKind.BAD_SIGNATURE)
        self.check_timestamp(int(timestamp), account, window_ms=WINDOW_MS, ahead_ms=WINDOW_MS)

    def render_error(self, error: SimError) -> web.Response:
        status, code, message = _ERRORS[error.kind]
        if error.detail == _WRONG_FORMAT:
            code, message = -1001, _WRONG_FORMAT
        text = message.format(detail=error.detail, window=WINDOW_MS)
        return self.json({"success": False, "code": code, "message": text}, status=status)

    # --- public ------------------------------------------------------------------------

    @route("GET", "/v3/public/systemInfo")
    async def system_info(self, request: SimRequest, account: SimAccount | None) -> Any:
        return {
            "success": True,
            "data": {"status": 0, "msg": "System is functioning properly.", "estimatedEndTime": 0},
            "timestamp": self.now_ms(account),
        }

    @route("GET", "/v3/public/instruments")
    async def instruments(self, request: SimRequest, account: SimAccount | None) -> Any:
        rows = [self._instrument(m) for m in self.state.markets.markets]
        return {"success": True, "data": {"rows": rows}, "timestamp": self.now_ms(account)}

    # --- signed ------------------------------------------------------------------------

    @route("GET", "/v3/asset/balances", signed=True, permission="read")
    async def balances(self, request: SimRequest, account: SimAccount | None) -> Any:
        assert account is not None
        now = self.now_ms(account)
        holding = [
            {
                "token": asset,
                "holding": fmt(b.total),
                "frozen": fmt(b.used),
                "staked": "0",
                "unbonding": "0",
                "vault": "0",
                "interest": "0",
                "pendingShortQty": "0",
                "pendingLongQty": "0",
                "availableBalance": fmt(b.free),
                "averageOpenPrice": "0",
                "markPrice": "0",
                "updatedTime": f"{now / 1000:.3f}",
            }
            for asset, b in account.traits.balances.items()
        ]
        return {"success": True, "data": {"holding": holding}, "timestamp": now}

    @route("GET", "/v3/account/credentials", signed=True, permission="read")
    async def credentials(self, request: SimRequest, account: SimAccount | None) -> Any:
        assert account is not None
        page, size = _paging(request.query)
        rows = [self._credential_row(other) for other in self._keys_of_account(account)]
        return {
            "success": True,
            "data": {
                "rows": rows[(page - 1) * size : page * size],
                "meta": {"total": len(rows), "recordsPerPage": size, "currentPage": page},
            },
            "timestamp": self.now_ms(account),
        }

    # --- rendering ---------------------------------------------------------------------

    def _keys_of_account(self, account: SimAccount) -> list[SimAccount]:
        owner = account.traits.sub_account
        return [o for o in self.state.for_exchange(self.id) if o.traits.sub_account == owner]

    def _credential_row(self, account: SimAccount) -> dict[str, Any]:
        owner = account.traits.sub_account
        user_id = int(hashlib.sha256(f"woo-user/{owner}".encode()).hexdigest()[:6], 16)
        row: dict[str, Any] = {
            "accountName": owner or MAIN_ACCOUNT_NAME,
            "userId": user_id,
            "apiKey": masked_key(account.api_key),
            "permissions": woo_permissions(account.traits),
        }
        if account.traits.ip_allowlist:
            row["allowedIPs"] = list(account.traits.ip_allowlist)
        return row

    def _instrument(self, market: SpotMarket) -> dict[str, Any]:
        return {
            "symbol": market_id(market),
            "status": "TRADING",
            "baseAsset": market.base,
            "baseAssetMultiplier": 1,
            "quoteAsset": market.quote,
            "quoteMin": "0",
            "quoteMax": "100000",
            "quoteTick": fmt(market.price_step),
            "baseMin": fmt(market.amount_step),
            "baseMax": "5000",
            "baseTick": fmt(market.amount_step),
            "minNotional": "1",
            "bidCapRatio": "1.1",
            "bidFloorRatio": None,
            "askCapRatio": None,
            "askFloorRatio": "0.9",
            "orderMode": "NORMAL",
            "impactNotional": None,
            "isAllowedRpi": False,
            "tickGranularity": None,
        }


def _paging(query: dict[str, str]) -> tuple[int, int]:
    try:
        page = int(query.get("page", "1"))
        size = int(query.get("size", str(DEFAULT_PAGE_SIZE)))
    except ValueError as error:
        raise SimError(ErrorKind.BAD_REQUEST, "page and size are numbers") from error
    if page < 1 or not 1 <= size <= MAX_PAGE_SIZE:
        raise SimError(ErrorKind.BAD_REQUEST, f"size is 1 to {MAX_PAGE_SIZE}, page from 1")
    return page, size
