"""Deribit API v2: JSON-RPC over HTTP GET, private requests signed per request.

ccxt's deribit does not fetch an OAuth token: it signs every private request with Deribit's
HTTP client-signature scheme, header
`Authorization: deri-hmac-sha256 id=<client_id>,ts=<ms>,sig=<hex>,nonce=<nonce>`, where
sig = hex HMAC-SHA256(client_secret, ts + "\\n" + nonce + "\\n" + RequestData) and
RequestData = "GET\\n" + URI (path and query, e.g. "/api/v2/private/get_account_summaries")
+ "\\n" + body + "\\n" (docs.deribit.com, "Authentication": HTTP client signature). The
simulator accepts the URI without its `/deribit` mount prefix (what ccxt signs) or as sent.
`public/auth` with `grant_type=client_signature` (client_id, timestamp, nonce, data,
signature = HMAC(secret, timestamp + "\\n" + nonce + "\\n" + data)) answers a token whose
`scope` is the key's scope plus "connection" (and "mainaccount" for a main-account key).

Answers are JSON-RPC: `{"jsonrpc": "2.0", "result": ..., "usIn", "usOut", "usDiff",
"testnet": false}`; errors `{"jsonrpc": "2.0", "error": {"code", "message", "data"}}` with
HTTP 400 (429 for the rate limit). ccxt maps the codes exactly:

| situation | code | message | ccxt |
|---|---|---|---|
| unknown (or disabled) client id | 13004 | invalid_credentials | AuthenticationError |
| wrong signature | 13009 | unauthorized (data.reason "invalid signature") | AuthenticationError |
| timestamp off by > 60 s (window assumed) | 13009 | unauthorized ("invalid timestamp") | same |
| IP not whitelisted (answer assumed) | 13009 | unauthorized ("ip_not_whitelisted") | same |
| scope missing for the method | 13021 | forbidden | PermissionDenied |
| rate limited | 10028 | too_many_requests | DDoSProtection |

Deribit API keys do not expire; the expired fault is answered as a disabled key (13004).

Key permissions: `private/list_api_keys` (scope account:read) lists every key of the account:
`client_id`, `max_scope` ("account:read trade:read_write wallet:read_write ..."),
`ip_whitelist` (array), `enabled`, `timestamp` (created or last changed), `name`,
`enabled_features`. The docs mark it "TFA required": on an account with two-factor
authentication it answers, without an error, `{"security_key_authorization_required": true,
"security_keys": [...], "challenge": ...}` (docs.deribit.com/articles/security-keys). Keys
whose client ids are in `tfa_protected` get that answer here.

Scopes rendered from the traits: read -> account:read trade:read wallet:read; spot, margin or
futures -> trade:read_write; withdraw or transfer -> wallet:read_write (Deribit's one wallet
scope covers withdrawals and transfers between subaccounts).

Markets: spot instruments ("BTC_USDT", kind "spot") from the shared market book and one
BTC perpetual; `public/ticker` prices one instrument, `public/get_book_summary_by_currency`
all of a currency. Balances: `private/get_account_summaries` per currency (free =
available_funds, used = maintenance_margin, total = equity, as ccxt reads them).
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from aiohttp import web

from tui.sim.errors import ErrorKind, SimError
from tui.sim.exchanges import register
from tui.sim.exchanges.base import SimExchange, route
from tui.sim.market import SpotMarket
from tui.sim.model import SimAccount, Traits
from tui.sim.request import SimRequest

TIMESTAMP_WINDOW_MS = 60_000
_AUTH = re.compile(r"^deri-hmac-sha256\s+(?P<fields>.+)$")
_PREFIX = "/api/v2"

_ERRORS: dict[ErrorKind, tuple[int, int, str, str]] = {
    ErrorKind.BAD_KEY: (400, 13004, "invalid_credentials", "invalid client id"),
    ErrorKind.KEY_EXPIRED: (400, 13004, "invalid_credentials", "key disabled"),
    ErrorKind.BAD_SIGNATURE: (400, 13009, "unauthorized", "invalid signature"),
    ErrorKind.BAD_PASSPHRASE: (400, 13009, "unauthorized", "invalid signature"),
    ErrorKind.TIMESTAMP: (400, 13009, "unauthorized", "invalid timestamp"),
    ErrorKind.NONCE: (400, 13009, "unauthorized", "invalid nonce"),
    ErrorKind.IP_NOT_ALLOWED: (400, 13009, "unauthorized", "ip_not_whitelisted"),
    ErrorKind.PERMISSION_DENIED: (400, 13021, "forbidden", "scope"),
    ErrorKind.RATE_LIMITED: (429, 10028, "too_many_requests", ""),
    ErrorKind.BAD_REQUEST: (400, -32602, "Invalid params", ""),
    ErrorKind.NOT_FOUND: (404, -32601, "Method not found", ""),
}


def deribit_scope(permissions: frozenset[str]) -> str:
    """The key's `max_scope`, e.g. "account:read trade:read_write wallet:read"."""
    if not permissions:
        return "account:none trade:none wallet:none"
    trade = "read_write" if permissions & {"spot", "margin", "futures"} else "read"
    wallet = "read_write" if permissions & {"withdraw", "transfer"} else "read"
    return f"account:read block_trade:read trade:{trade} wallet:{wallet}"


def parse_authorization(header: str | None) -> dict[str, str] | None:
    """The id, ts, sig and nonce of a deri-hmac-sha256 Authorization header."""
    found = _AUTH.match(header or "")
    if found is None:
        return None
    fields = dict(part.partition("=")[::2] for part in found.group("fields").split(","))
    if not {"id", "ts", "sig", "nonce"} <= set(fields):
        return None
    return fields


def request_data(method: str, uri: str, body: str) -> str:
    return f"{method.upper()}\n{uri}\n{body}\n"


@register
class Deribit(SimExchange):
    id = "deribit"
    name = "Deribit"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tfa_protected: set[str] = set()
        """Client ids whose account asks for a security key before listing API keys."""

    def api_key_of(self, request: SimRequest) -> str | None:
        fields = parse_authorization(request.header("Authorization"))
        return fields["id"] if fields else None

    def authenticate(self, request: SimRequest, account: SimAccount | None) -> None:
        fields = parse_authorization(request.header("Authorization"))
        if fields is None or account is None:
            raise SimError(ErrorKind.BAD_KEY)
        try:
            timestamp = int(fields["ts"])
        except ValueError as error:
            raise SimError(ErrorKind.TIMESTAMP, fields["ts"]) from error
        self.check_timestamp(
            timestamp, account, window_ms=TIMESTAMP_WINDOW_MS, ahead_ms=TIMESTAMP_WINDOW_MS
        )
        query = f"?{request.raw_query}" if request.raw_query else ""
        for path in (request.path, request.full_path):
            data = request_data(request.method, path + query, request.body)
            expected = self.hmac_hex(account.secret, f"{fields['ts']}\n{fields['nonce']}\n{data}")
            if self.same(expected, fields["sig"]):
                return
        raise SimError(ErrorKind.BAD_SIGNATURE)

    def render_error(self, error: SimError) -> web.Response:
        status, code, message, reason = _ERRORS[error.kind]
        body: dict[str, Any] = {"jsonrpc": "2.0", "error": {"code": code, "message": message}}
        if reason:
            body["error"]["data"] = {"reason": reason}
        return self.json(body, status=status)

    def ok(self, result: Any, account: SimAccount | None = None) -> dict[str, Any]:
        now_us = self.now_ms(account) * 1000
        return {
            "jsonrpc": "2.0",
            "result": result,
            "usIn": now_us,
            "usOut": now_us + 40,
            "usDiff": 40,
            "testnet": False,
        }

    # --- public ------------------------------------------------------------------------

    @route("GET", f"{_PREFIX}/public/get_time")
    async def get_time(self, request: SimRequest, account: SimAccount | None) -> Any:
        return self.ok(self.now_ms(account), account)

    @route("GET", f"{_PREFIX}/public/get_instruments")
    async def get_instruments(self, request: SimRequest, account: SimAccount | None) -> Any:
        wanted = request.query.get("currency", "any").upper()
        rows = [self._spot_instrument(m) for m in self.state.markets.markets]
        rows.append(self._perpetual())
        if wanted != "ANY":
            rows = [r for r in rows if r["base_currency"] == wanted]
        return self.ok(rows)

    @route("GET", f"{_PREFIX}/public/ticker")
    async def ticker(self, request: SimRequest, account: SimAccount | None) -> Any:
        name = request.query.get("instrument_name", "")
        for market in self.state.markets.markets:
            if _instrument_name(market) == name:
                return self.ok(self._ticker(market))
        raise SimError(ErrorKind.BAD_REQUEST, "instrument_name")

    @route("GET", f"{_PREFIX}/public/get_book_summary_by_currency")
    async def book_summary(self, request: SimRequest, account: SimAccount | None) -> Any:
        currency = request.query.get("currency", "").upper()
        rows = [self._book_summary(m) for m in self.state.markets.markets if m.base == currency]
        return self.ok(rows)

    @route("GET", f"{_PREFIX}/public/auth")
    async def auth(self, request: SimRequest, account: SimAccount | None) -> Any:
        """grant_type=client_signature only: the secret never travels."""
        query = request.query
        if query.get("grant_type") != "client_signature":
            raise SimError(ErrorKind.BAD_REQUEST, "grant_type")
        caller = self.state.find(self.id, query.get("client_id"))
        if caller is None:
            raise SimError(ErrorKind.BAD_KEY)
        try:
            timestamp = int(query.get("timestamp", ""))
        except ValueError as error:
            raise SimError(ErrorKind.BAD_REQUEST, "timestamp") from error
        self.check_timestamp(
            timestamp, caller, window_ms=TIMESTAMP_WINDOW_MS, ahead_ms=TIMESTAMP_WINDOW_MS
        )
        message = f"{query['timestamp']}\n{query.get('nonce', '')}\n{query.get('data', '')}"
        if not self.same(self.hmac_hex(caller.secret, message), query.get("signature")):
            raise SimError(ErrorKind.BAD_SIGNATURE)
        self.check_access(request, caller)
        scope = f"{deribit_scope(caller.traits.permissions)} connection"
        if caller.traits.sub_account is None:
            scope += " mainaccount"
        return self.ok(
            {
                "access_token": secrets.token_urlsafe(24),
                "token_type": "bearer",
                "expires_in": 900,
                "refresh_token": secrets.token_urlsafe(24),
                "scope": scope,
                "enabled_features": [],
            },
            caller,
        )

    # --- private -----------------------------------------------------------------------

    @route("GET", f"{_PREFIX}/private/get_account_summaries", signed=True, permission="read")
    async def account_summaries(self, request: SimRequest, account: SimAccount | None) -> Any:
        assert account is not None
        summaries = [
            {
                "currency": asset,
                "balance": float(b.total),
                "equity": float(b.total),
                "available_funds": float(b.free),
                "available_withdrawal_funds": float(b.free),
                "maintenance_margin": float(b.used),
                "initial_margin": float(b.used),
                "margin_balance": float(b.total),
                "total_pl": 0,
                "session_upl": 0,
                "delta_total": 0,
            }
            for asset, b in account.traits.balances.items()
        ]
        return self.ok({"id": _user_id(account), "summaries": summaries}, account)

    @route("GET", f"{_PREFIX}/private/list_api_keys", signed=True, permission="read")
    async def list_api_keys(self, request: SimRequest, account: SimAccount | None) -> Any:
        assert account is not None
        if account.api_key in self.tfa_protected:
            return self.ok(
                {
                    "security_key_authorization_required": True,
                    "security_keys": [{"type": "tfa", "name": "tfa"}],
                    "rp_id": "deribit.com",
                    "challenge": secrets.token_urlsafe(16),
                },
                account,
            )
        keys = [
            other
            for other in self.state.for_exchange(self.id)
            if _user_id(other) == _user_id(account)
        ]
        return self.ok([self.key_payload(index, k) for index, k in enumerate(keys, 1)], account)

    def key_payload(self, key_id: int, account: SimAccount) -> dict[str, Any]:
        traits: Traits = account.traits
        return {
            "id": key_id,
            "timestamp": int(traits.created_at.timestamp() * 1000),
            "max_scope": deribit_scope(traits.permissions),
            "enabled": True,
            "default": False,
            "client_secret": "*" * 12,  # the real answer carries it; never echo a secret
            "client_id": account.api_key,
            "name": traits.label,
            "enabled_features": [],
            "ip_whitelist": list(traits.ip_allowlist),
        }

    # --- rendering ---------------------------------------------------------------------

    def _spot_instrument(self, market: SpotMarket) -> dict[str, Any]:
        return {
            "instrument_name": _instrument_name(market),
            "kind": "spot",
            "base_currency": market.base,
            "counter_currency": market.quote,
            "quote_currency": market.quote,
            "settlement_currency": None,
            "tick_size": float(market.price_step),
            "min_trade_amount": float(market.amount_step),
            "contract_size": float(market.amount_step),
            "is_active": True,
            "taker_commission": 0.0,
            "maker_commission": 0.0,
            "creation_timestamp": 1_682_000_000_000,
            "expiration_timestamp": 32_503_708_800_000,
            "price_index": f"{market.base.lower()}_{market.quote.lower()}",
        }

    def _perpetual(self) -> dict[str, Any]:
        return {
            "instrument_name": "BTC-PERPETUAL",
            "kind": "future",
            "settlement_period": "perpetual",
            "base_currency": "BTC",
            "counter_currency": "USD",
            "quote_currency": "USD",
            "settlement_currency": "BTC",
            "future_type": "reversed",
            "tick_size": 0.5,
            "min_trade_amount": 10.0,
            "contract_size": 10.0,
            "is_active": True,
            "taker_commission": 0.0005,
            "maker_commission": 0.0,
            "max_leverage": 50,
            "creation_timestamp": 1_534_242_287_000,
            "expiration_timestamp": 32_503_708_800_000,
        }

    def _ticker(self, market: SpotMarket) -> dict[str, Any]:
        return {
            "instrument_name": _instrument_name(market),
            "timestamp": self.now_ms(),
            "state": "open",
            "last_price": float(market.price),
            "best_bid_price": float(market.bid()),
            "best_bid_amount": 1.5,
            "best_ask_price": float(market.ask()),
            "best_ask_amount": 2.0,
            "mark_price": float(market.price),
            "index_price": float(market.price),
            "stats": {
                "high": float(market.high()),
                "low": float(market.low()),
                "volume": float(market.volume_24h),
                "volume_usd": float(market.quote_volume()),
            },
        }

    def _book_summary(self, market: SpotMarket) -> dict[str, Any]:
        return {
            "instrument_name": _instrument_name(market),
            "creation_timestamp": self.now_ms(),
            "last": float(market.price),
            "bid_price": float(market.bid()),
            "ask_price": float(market.ask()),
            "mark_price": float(market.price),
            "high": float(market.high()),
            "low": float(market.low()),
            "volume": float(market.volume_24h),
            "volume_notional": float(market.quote_volume()),
            "base_currency": market.base,
            "quote_currency": market.quote,
        }


def _instrument_name(market: SpotMarket) -> str:
    return f"{market.base}_{market.quote}"


def _user_id(account: SimAccount) -> int:
    """Keys of one (sub)account share its user id."""
    seed = account.traits.sub_account or f"{account.exchange}-main-account"
    return 100_000 + sum(seed.encode()) * 17
