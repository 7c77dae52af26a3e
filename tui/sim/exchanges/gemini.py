"""Gemini (api.gemini.com/v1): a base64 JSON payload in a header, signed with HMAC-SHA384.

Private calls are POSTs whose JSON payload `{"request": "/v1/...", "nonce": ..., ...}` travels
base64-encoded in X-GEMINI-PAYLOAD; X-GEMINI-SIGNATURE is hex(HMAC-SHA384(secret, that base64
text)) and X-GEMINI-APIKEY the key (Gemini's "Private API invocation" page). The server checks
the signature over the base64 text exactly as sent, that the payload's `request` is the path
called, and that the nonce is above the last one accepted for the key: Gemini's default keys
use an increasing nonce and never compare it with the clock (a key created with "time-based
nonce" must be within 30 s of the time; ccxt sends milliseconds, so those are not simulated).

ccxt refuses to sign with a key that lacks "account" (`sign() requires an account-key,
master-keys are not-supported`), so the demo keys are account-level: `account-demo-gemini-...`.

Errors are `{"result": "error", "reason": ..., "message": ...}`; ccxt matches the reason:

| situation | HTTP | reason | ccxt |
|---|---|---|---|
| unknown (or expired) key | 400 | InvalidApiKey | AuthenticationError |
| missing key header | 400 | MissingApikeyHeader | AuthenticationError |
| wrong signature | 400 | InvalidSignature | AuthenticationError |
| nonce not above the last one | 400 | InvalidNonce | InvalidNonce |
| payload for another endpoint | 400 | EndpointMismatch | BadRequest |
| role missing for the endpoint | 403 | MissingRole | AuthenticationError |
| rate limited | 429 | RateLimit | RateLimitExceeded |

Gemini documents no answer of its own for a request from outside a key's IP allowlist; the
simulator refuses it as InvalidApiKey, so it reads as a rejected key.

`POST /v1/roles` (ccxt: `private_post_v1_roles`) answers the calling key's roles:
`{"isAuditor", "isFundManager", "isTrader"}` (https://docs.gemini.com/roles: Fund Manager
withdraws crypto and transfers between accounts of the group, Trader places orders, Auditor
only reads and combines with no other role). Nothing about IPs or dates.

Gemini has no server-time endpoint (ccxt has no fetchTime for it). Markets are the id list of
`/v1/symbols` ("btcusdt"), prices `/v1/pricefeed`, balances `POST /v1/balances`.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from aiohttp import web

from tui.sim.errors import ErrorKind, SimError
from tui.sim.exchanges import register
from tui.sim.exchanges.base import SimExchange, fmt, route
from tui.sim.market import SpotMarket
from tui.sim.model import SimAccount, Traits
from tui.sim.request import SimRequest

KEY_HEADER = "X-GEMINI-APIKEY"
PAYLOAD_HEADER = "X-GEMINI-PAYLOAD"
SIGNATURE_HEADER = "X-GEMINI-SIGNATURE"

_ERRORS: dict[ErrorKind, tuple[int, str, str]] = {
    ErrorKind.BAD_KEY: (400, "InvalidApiKey", "Invalid API key"),
    ErrorKind.KEY_EXPIRED: (400, "InvalidApiKey", "Invalid API key"),
    ErrorKind.IP_NOT_ALLOWED: (400, "InvalidApiKey", "Invalid API key"),
    ErrorKind.BAD_SIGNATURE: (400, "InvalidSignature", "InvalidSignature"),
    ErrorKind.BAD_PASSPHRASE: (400, "InvalidSignature", "InvalidSignature"),
    ErrorKind.NONCE: (400, "InvalidNonce", "{detail}"),
    ErrorKind.TIMESTAMP: (400, "InvalidNonce", "{detail}"),
    ErrorKind.PERMISSION_DENIED: (
        403,
        "MissingRole",
        "To access this endpoint, you need to log in to the website and go to the settings "
        "page to assign one of these roles [{detail}] to this API key",
    ),
    ErrorKind.RATE_LIMITED: (429, "RateLimit", "Requests were made too frequently"),
    ErrorKind.BAD_REQUEST: (400, "InvalidJson", "{detail}"),
    ErrorKind.NOT_FOUND: (404, "EndpointNotFound", "API entry point `{detail}` not found"),
}


def gemini_signature(payload_b64: str, secret: str) -> str:
    """hex(HMAC-SHA384(secret, base64 payload)) as Gemini's docs define it."""
    return SimExchange.hmac_hex(secret, payload_b64, "sha384")


def gemini_roles(traits: Traits) -> dict[str, bool]:
    """/v1/roles for a key: Fund Manager moves funds, Trader trades, else Auditor."""
    fund_manager = traits.can("withdraw") or traits.can("transfer")
    trader = any(traits.can(p) for p in ("spot", "margin", "futures"))
    return {
        "isAuditor": not (fund_manager or trader),
        "isFundManager": fund_manager,
        "isTrader": trader,
    }


def market_id(market: SpotMarket) -> str:
    return (market.base + market.quote).lower()


@register
class Gemini(SimExchange):
    id = "gemini"
    name = "Gemini"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._last_nonce: dict[str, int] = {}

    @classmethod
    def default_credentials(cls, label: str) -> dict[str, str]:
        credentials = super().default_credentials(label)
        credentials["apiKey"] = f"account-demo-{cls.id}-{label}"
        return credentials

    # --- authentication ----------------------------------------------------------------

    def api_key_of(self, request: SimRequest) -> str | None:
        return request.header(KEY_HEADER)

    def authenticate(self, request: SimRequest, account: SimAccount | None) -> None:
        if request.header(KEY_HEADER) is None:
            raise SimError(ErrorKind.BAD_KEY, "MissingApikeyHeader")
        if account is None:
            raise SimError(ErrorKind.BAD_KEY)
        encoded = request.header(PAYLOAD_HEADER) or ""
        if not self.same(
            gemini_signature(encoded, account.secret), request.header(SIGNATURE_HEADER)
        ):
            raise SimError(ErrorKind.BAD_SIGNATURE)
        payload = _decode_payload(encoded)
        if payload.get("request") != request.path:
            raise SimError(ErrorKind.BAD_REQUEST, "EndpointMismatch")
        nonce = str(payload.get("nonce", ""))
        if not nonce.isdigit():
            raise SimError(ErrorKind.NONCE, f"Nonce <{nonce}> is not a number")
        last = self._last_nonce.get(account.api_key, 0)
        if int(nonce) <= last:
            message = f"Out-of-sequence nonce <{nonce}> precedes previously used nonce <{last}>"
            raise SimError(ErrorKind.NONCE, message)
        self._last_nonce[account.api_key] = int(nonce)

    def render_error(self, error: SimError) -> web.Response:
        status, reason, message = _ERRORS[error.kind]
        if error.detail in ("MissingApikeyHeader", "EndpointMismatch"):
            reason = message = error.detail
        body = {"result": "error", "reason": reason, "message": message.format(detail=error.detail)}
        return self.json(body, status=status)

    # --- public ------------------------------------------------------------------------

    @route("GET", "/v1/symbols")
    async def symbols(self, request: SimRequest, account: SimAccount | None) -> Any:
        return [market_id(m) for m in self.state.markets.markets]

    @route("GET", "/v1/pricefeed")
    async def pricefeed(self, request: SimRequest, account: SimAccount | None) -> Any:
        return [
            {
                "pair": (m.base + m.quote).upper(),
                "price": fmt(m.price),
                "percentChange24h": fmt(m.change_pct() / 100),
            }
            for m in self.state.markets.markets
        ]

    @route("GET", "/v1/pubticker/{symbol}")
    async def pubticker(self, request: SimRequest, account: SimAccount | None) -> Any:
        for market in self.state.markets.markets:
            if market_id(market) == request.match["symbol"].lower():
                return {
                    "bid": fmt(market.bid()),
                    "ask": fmt(market.ask()),
                    "last": fmt(market.price),
                    "volume": {
                        market.base: fmt(market.volume_24h),
                        market.quote: fmt(market.quote_volume()),
                        "timestamp": self.now_ms(),
                    },
                }
        return self.json(
            {"result": "error", "reason": "InvalidSymbol", "message": "Invalid symbol"}, 400
        )

    # --- private (all POST) --------------------------------------------------------------

    @route("POST", "/v1/balances", signed=True, permission="read")
    async def balances(self, request: SimRequest, account: SimAccount | None) -> Any:
        assert account is not None
        return [
            {
                "type": "exchange",
                "currency": asset,
                "amount": fmt(b.total),
                "available": fmt(b.free),
                "availableForWithdrawal": fmt(b.free),
            }
            for asset, b in account.traits.balances.items()
        ]

    @route("POST", "/v1/roles", signed=True)
    async def roles(self, request: SimRequest, account: SimAccount | None) -> Any:
        assert account is not None
        return gemini_roles(account.traits)


def _decode_payload(encoded: str) -> dict[str, Any]:
    try:
        payload = json.loads(base64.b64decode(encoded, validate=True))
    except (binascii.Error, ValueError) as error:
        raise SimError(ErrorKind.BAD_REQUEST, "the payload is not base64 JSON") from error
    if not isinstance(payload, dict):
        raise SimError(ErrorKind.BAD_REQUEST, "the payload is not a JSON object")
    return payload
