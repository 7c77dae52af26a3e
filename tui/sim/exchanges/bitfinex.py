"""Bitfinex API v2 (api.bitfinex.com / api-pub.bitfinex.com): a signed nonce in headers.

Authenticated calls are POSTs to `/v2/auth/...` with a JSON body and the headers `bfx-apikey`,
`bfx-nonce` and `bfx-signature` = hex(HMAC-SHA384(secret, "/api" + path + nonce + body))
(Bitfinex "REST Authenticated Endpoints"). The nonce must be above the last one accepted for
the key; Bitfinex never compares it with the clock, so clock skew alone breaks nothing.

Errors are arrays `["error", <code>, <text>]` with HTTP 500; ccxt matches the code:

| situation | code, text | ccxt |
|---|---|---|
| unknown (or expired) key | 10100 "apikey: invalid" | AuthenticationError |
| wrong signature | 10100 "apikey: digest invalid" | AuthenticationError |
| nonce not above the last one | 10114 "nonce: small" | InvalidNonce |
| no permission for the endpoint | 10001 "api_key: permission invalid" | PermissionDenied |
| rate limited | 11010 "ratelimit: error" (HTTP 429) | RateLimitExceeded |

Bitfinex documents no error of its own for a request from outside a key's IP access list;
the simulator answers it as "apikey: invalid", so it reads as a rejected key.

`POST /v2/auth/r/permissions` (ccxt: `private_post_auth_r_permissions`) answers one row per
scope, `[SCOPE, READ, WRITE]` with 0/1 (https://docs.bitfinex.com/reference/key-permissions);
scopes account, history, orders, positions, funding, settings, wallets, withdraw,
ui_withdraw, bfxpay. `withdraw` write is the right to withdraw, `wallets` write to transfer
between wallets, `orders` write to trade. Nothing about IPs or dates.

Currencies use Bitfinex's codes (USDT is UST, USDC is UDC). ccxt has no fetchTime for
Bitfinex. Markets come from `/v2/conf/pub:info:pair,...`, prices from `/v2/tickers`,
balances from `POST /v2/auth/r/wallets` (the "exchange" wallet).
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from tui.sim.errors import ErrorKind, SimError
from tui.sim.exchanges import register
from tui.sim.exchanges.base import SimExchange, fmt, route
from tui.sim.market import SpotMarket
from tui.sim.model import SimAccount, Traits
from tui.sim.request import SimRequest

_ERRORS: dict[ErrorKind, tuple[int, int, str]] = {
    ErrorKind.BAD_KEY: (500, 10100, "apikey: invalid"),
    ErrorKind.KEY_EXPIRED: (500, 10100, "apikey: invalid"),
    ErrorKind.IP_NOT_ALLOWED: (500, 10100, "apikey: invalid"),
    ErrorKind.BAD_SIGNATURE: (500, 10100, "apikey: digest invalid"),
    ErrorKind.BAD_PASSPHRASE: (500, 10100, "apikey: digest invalid"),
    ErrorKind.NONCE: (500, 10114, "nonce: small"),
    ErrorKind.TIMESTAMP: (500, 10114, "nonce: small"),
    ErrorKind.PERMISSION_DENIED: (500, 10001, "api_key: permission invalid"),
    ErrorKind.RATE_LIMITED: (429, 11010, "ratelimit: error"),
    ErrorKind.BAD_REQUEST: (500, 10020, "request: invalid"),
    ErrorKind.NOT_FOUND: (404, 10020, "error: endpoint not found"),
}

_CURRENCY_IDS: dict[str, str] = {"USDT": "UST", "USDC": "UDC"}

SCOPES = (
    "account",
    "history",
    "orders",
    "positions",
    "funding",
    "settings",
    "wallets",
    "withdraw",
    "ui_withdraw",
    "bfxpay",
)


def bitfinex_signature(path: str, nonce: str, body: str, secret: str) -> str:
    """hex(HMAC-SHA384(secret, "/api" + path + nonce + body)); `path` starts with /v2/."""
    return SimExchange.hmac_hex(secret, f"/api{path}{nonce}{body}", "sha384")


def currency_id(code: str) -> str:
    return _CURRENCY_IDS.get(code, code)


def pair_id(market: SpotMarket) -> str:
    return currency_id(market.base) + currency_id(market.quote)


def permission_rows(traits: Traits) -> list[list[Any]]:
    """The key's rows of /v2/auth/r/permissions: [scope, read, write] per scope."""
    trades = any(traits.can(p) for p in ("spot", "margin", "futures"))
    writes = {
        "orders": trades,
        "positions": traits.can("margin") or traits.can("futures"),
        "wallets": traits.can("transfer"),
        "withdraw": traits.can("withdraw"),
    }
    reads = traits.can("read")
    rows: list[list[Any]] = []
    for scope in SCOPES:
        readable = reads and scope not in ("withdraw", "ui_withdraw", "bfxpay")
        rows.append([scope, int(readable), int(writes.get(scope, False))])
    return rows


@register
class Bitfinex(SimExchange):
    id = "bitfinex"
    name = "Bitfinex"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._last_nonce: dict[str, int] = {}

    def api_key_of(self, request: SimRequest) -> str | None:
        return request.header("bfx-apikey")

    def authenticate(self, request: SimRequest, account: SimAccount | None) -> None:
        if account is None:
            raise SimError(ErrorKind.BAD_KEY)
        nonce = request.header("bfx-nonce") or ""
        expected = bitfinex_signature(request.path, nonce, request.body, account.secret)
        if not self.same(expected, request.header("bfx-signature")):
            raise SimError(ErrorKind.BAD_SIGNATURE)
        if not nonce.isdigit() or int(nonce) <= self._last_nonce.get(account.api_key, 0):
            raise SimError(ErrorKind.NONCE, nonce)
        self._last_nonce[account.api_key] = int(nonce)

    def render_error(self, error: SimError) -> web.Response:
        status, code, text = _ERRORS[error.kind]
        return self.json(["error", code, text], status=status)

    # --- public ------------------------------------------------------------------------

    @route("GET", "/v2/conf/{config}")
    async def conf(self, request: SimRequest, account: SimAccount | None) -> Any:
        answers: dict[str, Any] = {
            "pub:info:pair": [
                [pair_id(m), [None, None, None, fmt(m.amount_step * 10), "2000.0"]]
                for m in self.state.markets.markets
            ],
            "pub:list:pair:margin": [pair_id(self.state.markets.markets[0])],
        }
        return [answers.get(label, []) for label in request.match["config"].split(",")]

    @route("GET", "/v2/tickers")
    async def tickers(self, request: SimRequest, account: SimAccount | None) -> Any:
        wanted = request.query.get("symbols", "ALL")
        rows = [self._ticker(m) for m in self.state.markets.markets]
        if wanted == "ALL":
            return rows
        names = set(wanted.split(","))
        return [row for row in rows if row[0] in names]

    def _ticker(self, market: SpotMarket) -> list[Any]:
        change = market.price - market.open_24h
        return [
            "t" + pair_id(market),
            float(market.bid()),
            1.5,
            float(market.ask()),
            2.0,
            float(change),
            float(change / market.open_24h),
            float(market.price),
            float(market.volume_24h),
            float(market.high()),
            float(market.low()),
        ]

    # --- authenticated -------------------------------------------------------------------

    @route("POST", "/v2/auth/r/wallets", signed=True, permission="read")
    async def wallets(self, request: SimRequest, account: SimAccount | None) -> Any:
        assert account is not None
        return [
            ["exchange", currency_id(asset), fmt(b.total), 0, fmt(b.free), None, None]
            for asset, b in account.traits.balances.items()
        ]

    @route("POST", "/v2/auth/r/permissions", signed=True)
    async def permissions(self, request: SimRequest, account: SimAccount | None) -> Any:
        assert account is not None
        return permission_rows(account.traits)
