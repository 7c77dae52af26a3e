"""Gate API v4 (api.gateio.ws/api/v4), as ccxt's `gate` client speaks it.

Signed requests carry KEY, Timestamp (seconds) and SIGN headers; SIGN is the hex
HMAC-SHA512 of "METHOD\\n/api/v4/path\\nquery\\nhex(SHA512(body))\\ntimestamp". Gate refuses
a timestamp more than 60 s away from its clock with REQUEST_EXPIRED (which ccxt maps to
AuthenticationError, not InvalidNonce). Errors are `{"label": ..., "message": ...}`.

Gate has no nonce: a request replayed inside the 60 s window is accepted, as on the real
exchange.
"""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import unquote

from aiohttp import web

from tui.sim.exchanges import register
from tui.sim.exchanges.base import (
    ErrorKind,
    SimAccount,
    SimError,
    SimExchange,
    SimRequest,
    fmt,
    route,
)
from tui.sim.market import UNPRICED_ASSET, SpotMarket

WINDOW_MS = 60_000
MISSING_HEADER = "missing header"

_ERRORS: dict[ErrorKind, tuple[int, str, str]] = {
    ErrorKind.BAD_KEY: (401, "INVALID_KEY", "Invalid key provided"),
    ErrorKind.BAD_SIGNATURE: (401, "INVALID_SIGNATURE", "Signature mismatch"),
    ErrorKind.BAD_PASSPHRASE: (401, "INVALID_CREDENTIALS", "Invalid credentials provided"),
    ErrorKind.TIMESTAMP: (
        401,
        "REQUEST_EXPIRED",
        "gap between request Timestamp and server time exceeds 60",
    ),
    ErrorKind.NONCE: (401, "REQUEST_EXPIRED", "request expired"),
    ErrorKind.RATE_LIMITED: (429, "TOO_MANY_REQUESTS", "Request Rate limit Exceeded"),
    # Gate names the refused address (a quoted answer: see the Gate fixture's source).
    ErrorKind.IP_NOT_ALLOWED: (403, "IP_FORBIDDEN", "Request IP not in whitelist: {ip}"),
    ErrorKind.KEY_EXPIRED: (401, "INVALID_KEY", "Invalid key provided"),
    ErrorKind.PERMISSION_DENIED: (403, "FORBIDDEN", "API key has no permission for this action"),
    ErrorKind.NOT_FOUND: (404, "NOT_FOUND", "Not Found"),
    ErrorKind.BAD_REQUEST: (400, "INVALID_PARAM_VALUE", "Invalid parameter value"),
}

# Gate's key permission groups (each read-only or read-write) for a neutral permission.
_WRITE_GROUPS: dict[str, tuple[str, ...]] = {
    "spot": ("spot",),
    "margin": ("spot", "loan"),
    "futures": ("futures", "delivery"),
    # Gate's docs ("APIv4 Permissions"): wallet read-write is fund transfers; withdrawal is a
    # group of its own. main_keys' documented name list omits it; "withdrawal" is assumed.
    "withdraw": ("withdrawal",),
    "transfer": ("wallet",),
}
_GROUPS: tuple[str, ...] = (
    "wallet",
    "withdrawal",
    "spot",
    "futures",
    "delivery",
    "earn",
    "loan",
    "account",
)
MASKED_KEY_CHARS = 12
"""main_keys shows each key as its first 12 characters and "*****" (Gate's doc example)."""


def sign(secret: str, method: str, path: str, query: str, body: str, timestamp: str) -> str:
    """Gate's v4 SIGN header (see the module docstring)."""
    body_hash = hashlib.sha512(body.encode()).hexdigest()
    payload = "\n".join([method.upper(), path, query, body_hash, timestamp])
    return SimExchange.hmac_hex(secret, payload, "sha512")


def pair_id(market: SpotMarket) -> str:
    return f"{market.base}_{market.quote}"


def _places(step: Any) -> int:
    exponent = step.normalize().as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def render_currency_pair(market: SpotMarket) -> dict[str, Any]:
    return {
        "id": pair_id(market),
        "base": market.base,
        "base_name": market.base,
        "quote": market.quote,
        "quote_name": market.quote,
        "fee": "0.2",
        "min_base_amount": fmt(market.amount_step),
        "min_quote_amount": "3",
        "max_quote_amount": "5000000",
        "amount_precision": _places(market.amount_step),
        "precision": _places(market.price_step),
        "trade_status": "tradable",
        "sell_start": 1_600_000_000,
        "buy_start": 1_600_000_000,
        "type": "normal",
    }


def render_currency(code: str) -> dict[str, Any]:
    chain = {
        "name": code,
        "addr": "",
        "withdraw_disabled": False,
        "withdraw_delayed": False,
        "deposit_disabled": False,
    }
    return {
        "currency": code,
        "name": code,
        "delisted": False,
        "withdraw_disabled": False,
        "withdraw_delayed": False,
        "deposit_disabled": False,
        "trade_disabled": False,
        "chain": code,
        "chains": [chain],
    }


def render_ticker(market: SpotMarket) -> dict[str, Any]:
    return {
        "currency_pair": pair_id(market),
        "last": fmt(market.price),
        "lowest_ask": fmt(market.ask()),
        "lowest_size": "1",
        "highest_bid": fmt(market.bid()),
        "highest_size": "1",
        "change_percentage": fmt(market.change_pct()),
        "base_volume": fmt(market.volume_24h),
        "quote_volume": fmt(market.quote_volume()),
        "high_24h": fmt(market.high()),
        "low_24h": fmt(market.low()),
    }


def render_spot_accounts(account: SimAccount) -> list[dict[str, str]]:
    return [
        {"currency": asset, "available": fmt(b.free), "locked": fmt(b.used), "update_id": 1}
        for asset, b in sorted(account.traits.balances.items())
    ]


def user_id(account: SimAccount) -> int:
    digest = hashlib.sha256(f"gate-user/{account.traits.sub_account or 'main'}".encode())
    return 10_000_000 + int(digest.hexdigest()[:6], 16)


def render_account_detail(account: SimAccount) -> dict[str, Any]:
    return {
        "user_id": user_id(account),
        "ip_whitelist": list(account.traits.ip_allowlist),
        "currency_pairs": [],
        "key": {"mode": 1},
        "tier": 0,
        "tier_expire_time": "0001-01-01T00:00:00Z",
        "copy_trading_role": 0,
    }


def render_perms(permissions: frozenset[str]) -> list[dict[str, Any]]:
    writable = {group for p in permissions for group in _WRITE_GROUPS.get(p, ())}
    return [{"name": group, "read_only": group not in writable} for group in _GROUPS]


def render_main_key(account: SimAccount, now_s: int) -> dict[str, Any]:
    created = int(account.traits.created_at.timestamp())
    return {
        "state": 1,
        "mode": 1,
        "name": account.traits.label,
        "currency_pairs": [],
        "user_id": user_id(account),
        "ip_whitelist": list(account.traits.ip_allowlist),
        "perms": render_perms(account.traits.permissions),
        "key": account.api_key[:MASKED_KEY_CHARS] + "*****",
        "created_at": created,
        "updated_at": created,
        "last_access": now_s,
    }


@register
class Gate(SimExchange):
    id = "gate"
    name = "Gate"
    credential_names = ("apiKey", "secret")

    def api_key_of(self, request: SimRequest) -> str | None:
        return request.header("KEY")

    def authenticate(self, request: SimRequest, account: SimAccount | None) -> None:
        given_sign, timestamp = request.header("SIGN"), request.header("Timestamp")
        if request.header("KEY") is None or given_sign is None or timestamp is None:
            raise SimError(ErrorKind.BAD_REQUEST, MISSING_HEADER)
        if account is None:
            raise SimError(ErrorKind.BAD_KEY)
        try:
            seconds = float(timestamp)
        except ValueError as error:
            raise SimError(ErrorKind.TIMESTAMP, "timestamp is not a number") from error
        self.check_timestamp(int(seconds * 1000), account, window_ms=WINDOW_MS, ahead_ms=WINDOW_MS)
        candidates = {request.raw_query, unquote(request.raw_query)}
        if not any(
            self.same(
                sign(account.secret, request.method, request.path, q, request.body, timestamp),
                given_sign,
            )
            for q in candidates
        ):
            raise SimError(ErrorKind.BAD_SIGNATURE)

    def render_error(self, error: SimError) -> web.Response:
        status, label, message = _ERRORS.get(error.kind, (500, "SERVER_ERROR", "Internal error"))
        if error.kind is ErrorKind.BAD_REQUEST and error.detail == MISSING_HEADER:
            status, label, message = 401, "MISSING_REQUIRED_HEADER", "Missing required header"
        if error.kind is ErrorKind.IP_NOT_ALLOWED:
            message = message.format(ip=error.detail)
        return self.json({"label": label, "message": message}, status=status)

    # --- public ------------------------------------------------------------------------

    @route("GET", "/api/v4/spot/time")
    async def time(self, request: SimRequest, account: SimAccount | None) -> Any:
        return {"server_time": self.now_ms(account)}

    @route("GET", "/api/v4/spot/currency_pairs")
    async def currency_pairs(self, request: SimRequest, account: SimAccount | None) -> Any:
        return [render_currency_pair(m) for m in self.state.markets.markets]

    @route("GET", "/api/v4/margin/currency_pairs")
    async def margin_pairs(self, request: SimRequest, account: SimAccount | None) -> Any:
        return []

    @route("GET", "/api/v4/futures/{settle}/contracts")
    async def futures_contracts(self, request: SimRequest, account: SimAccount | None) -> Any:
        return []

    @route("GET", "/api/v4/delivery/{settle}/contracts")
    async def delivery_contracts(self, request: SimRequest, account: SimAccount | None) -> Any:
        return []

    @route("GET", "/api/v4/options/underlyings")
    async def option_underlyings(self, request: SimRequest, account: SimAccount | None) -> Any:
        return []

    @route("GET", "/api/v4/spot/currencies")
    async def currencies(self, request: SimRequest, account: SimAccount | None) -> Any:
        markets = self.state.markets.markets
        codes = {m.base for m in markets} | {m.quote for m in markets} | {UNPRICED_ASSET}
        return [render_currency(code) for code in sorted(codes)]

    @route("GET", "/api/v4/spot/tickers")
    async def tickers(self, request: SimRequest, account: SimAccount | None) -> Any:
        wanted = request.query.get("currency_pair")
        markets = [m for m in self.state.markets.markets if wanted in (None, pair_id(m))]
        if wanted and not markets:
            raise SimError(ErrorKind.BAD_REQUEST, f"unknown currency pair {wanted}")
        return [render_ticker(m) for m in markets]

    # --- private -----------------------------------------------------------------------

    @route("GET", "/api/v4/account/detail", signed=True)
    async def account_detail(self, request: SimRequest, account: SimAccount | None) -> Any:
        assert account is not None
        return render_account_detail(account)

    @route("GET", "/api/v4/account/main_keys", signed=True)
    async def main_keys(self, request: SimRequest, account: SimAccount | None) -> Any:
        assert account is not None
        now_s = self.now_ms(account) // 1000
        keys = [k for k in self.state.for_exchange(self.id) if user_id(k) == user_id(account)]
        return [render_main_key(key, now_s) for key in keys]

    @route("GET", "/api/v4/spot/accounts", signed=True, permission="read")
    async def spot_accounts(self, request: SimRequest, account: SimAccount | None) -> Any:
        assert account is not None
        wanted = request.query.get("currency")
        rows = render_spot_accounts(account)
        return [r for r in rows if wanted in (None, r["currency"])]
