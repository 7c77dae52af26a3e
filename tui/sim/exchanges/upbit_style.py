"""What Upbit and Bithumb's v1 APIs share: an HS256 JWT per request, and the same shapes.

The private request carries `Authorization: Bearer <JWT>`, HS256-signed with the secret key
as it is (not base64-decoded). Its claims: `access_key`, `nonce` (a fresh UUID per request),
Bithumb also `timestamp` (ms); with query parameters `query_hash` = hex SHA-512 of the query
string and `query_hash_alg` "SHA512" (docs.upbit.com/kr/reference/auth,
apidocs.bithumb.com "인증 토큰 생성하기"). A nonce seen before is refused.

Errors are `{"error": {"name": ..., "message": ...}}` with the HTTP status; each exchange
names its own (see its module). Answers are bare JSON arrays and objects.

Shared endpoints: `/v1/market/all` (markets "QUOTE-BASE"), `/v1/ticker?markets=`,
`/v1/accounts` (balance, locked) and `/v1/api_keys` (`access_key`, `expire_at` in KST ISO
8601, every key of the account). A key without an expiry in its traits is shown expiring a
year after its creation, as both exchanges issue keys for one year.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, ClassVar
from urllib.parse import unquote_plus

from aiohttp import web

from tui.sim.errors import ErrorKind, SimError
from tui.sim.exchanges.base import SimExchange, fmt, route
from tui.sim.market import SpotMarket
from tui.sim.model import SimAccount
from tui.sim.request import SimRequest

KST = timezone(timedelta(hours=9))
KEY_LIFETIME_DAYS = 365


def _b64url_json(part: str) -> dict[str, Any]:
    try:
        decoded = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    except (binascii.Error, ValueError) as error:
        raise SimError(ErrorKind.BAD_SIGNATURE, "malformed JWT") from error
    if not isinstance(decoded, dict):
        raise SimError(ErrorKind.BAD_SIGNATURE, "malformed JWT")
    return decoded


def jwt_claims(request: SimRequest) -> tuple[str, dict[str, Any], str, str] | None:
    """(hash name, claims, signed part, signature) of the Bearer JWT, unverified; None
    without one."""
    header = request.header("Authorization") or ""
    if not header.startswith("Bearer "):
        return None
    parts = header[len("Bearer ") :].strip().split(".")
    if len(parts) != 3:
        raise SimError(ErrorKind.BAD_SIGNATURE, "malformed JWT")
    head = _b64url_json(parts[0])
    if head.get("alg") not in ("HS256", "HS512"):
        raise SimError(ErrorKind.BAD_SIGNATURE, "alg")
    digest = "sha512" if head["alg"] == "HS512" else "sha256"
    return digest, _b64url_json(parts[1]), f"{parts[0]}.{parts[1]}", parts[2]


def query_hashes(raw_query: str) -> set[str]:
    """SHA-512 of the query as sent and as decoded (clients differ in what they hash)."""
    return {
        hashlib.sha512(text.encode()).hexdigest() for text in (raw_query, unquote_plus(raw_query))
    }


class UpbitStyle(SimExchange):
    """Upbit's API and its clone at Bithumb; subclasses set the differences."""

    key_lifetime_days = KEY_LIFETIME_DAYS
    errors: ClassVar[dict[ErrorKind, tuple[int, str, str]]] = {}
    needs_timestamp: ClassVar[bool] = False
    timestamp_window_ms: ClassVar[int] = 60_000

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._seen_nonces: set[tuple[str, str]] = set()

    def api_key_of(self, request: SimRequest) -> str | None:
        found = jwt_claims(request)
        key = found[1].get("access_key") if found else None
        return str(key) if key else None

    def authenticate(self, request: SimRequest, account: SimAccount | None) -> None:
        found = jwt_claims(request)
        if found is None or account is None:
            raise SimError(ErrorKind.BAD_KEY)
        algorithm, claims, signed, signature = found
        expected = base64.urlsafe_b64encode(
            bytes.fromhex(self.hmac_hex(account.secret, signed, algorithm))
        ).decode()
        if not self.same(expected.rstrip("="), signature.rstrip("=")):
            raise SimError(ErrorKind.BAD_SIGNATURE)
        if self.needs_timestamp:
            try:
                timestamp = int(claims["timestamp"])
            except (KeyError, TypeError, ValueError) as error:
                raise SimError(ErrorKind.TIMESTAMP, "no timestamp") from error
            window = self.timestamp_window_ms
            self.check_timestamp(timestamp, account, window_ms=window, ahead_ms=window)
        if request.raw_query and claims.get("query_hash") not in query_hashes(request.raw_query):
            raise SimError(ErrorKind.BAD_REQUEST, "query_hash")
        nonce = (account.api_key, str(claims.get("nonce") or ""))
        if not nonce[1] or nonce in self._seen_nonces:
            raise SimError(ErrorKind.NONCE, nonce[1])
        self._seen_nonces.add(nonce)

    def render_error(self, error: SimError) -> web.Response:
        status, name, message = self.errors[error.kind]
        return self.json({"error": {"name": name, "message": message}}, status=status)

    # --- public ------------------------------------------------------------------------

    @route("GET", "/v1/market/all")
    async def market_all(self, request: SimRequest, account: SimAccount | None) -> Any:
        return [
            {
                "market": market_id(m),
                "korean_name": m.base,
                "english_name": m.base,
                "market_warning": "NONE",
            }
            for m in self.state.markets.markets
        ]

    @route("GET", "/v1/ticker")
    async def ticker(self, request: SimRequest, account: SimAccount | None) -> Any:
        wanted = set(request.query.get("markets", "").split(","))
        found = [self._ticker(m) for m in self.state.markets.markets if market_id(m) in wanted]
        if not found:
            return self.json({"error": {"name": 404, "message": "Code not found"}}, status=404)
        return found

    # --- signed ------------------------------------------------------------------------

    @route("GET", "/v1/accounts", signed=True, permission="read")
    async def accounts(self, request: SimRequest, account: SimAccount | None) -> Any:
        assert account is not None
        return [
            {
                "currency": asset,
                "balance": fmt(b.free),
                "locked": fmt(b.used),
                "avg_buy_price": "0",
                "avg_buy_price_modified": False,
                "unit_currency": "KRW",
            }
            for asset, b in account.traits.balances.items()
        ]

    @route("GET", "/v1/api_keys", signed=True)
    async def api_keys(self, request: SimRequest, account: SimAccount | None) -> Any:
        """No permission needed (Upbit: "별도 권한은 필요하지 않습니다")."""
        assert account is not None
        owner = account.traits.sub_account
        return [
            {"access_key": other.api_key, "expire_at": expire_at(other)}
            for other in self.state.for_exchange(self.id)
            if other.traits.sub_account == owner
        ]

    def _ticker(self, market: SpotMarket) -> dict[str, Any]:
        now = self.now_ms()
        moment = datetime.fromtimestamp(now / 1000, UTC)
        change = market.price - market.open_24h
        return {
            "market": market_id(market),
            "trade_date": moment.strftime("%Y%m%d"),
            "trade_time": moment.strftime("%H%M%S"),
            "trade_timestamp": now,
            "opening_price": float(market.open_24h),
            "high_price": float(market.high()),
            "low_price": float(market.low()),
            "trade_price": float(market.price),
            "prev_closing_price": float(market.open_24h),
            "change": "RISE" if change > 0 else "FALL" if change < 0 else "EVEN",
            "change_price": float(abs(change)),
            "change_rate": float(abs(market.change_pct()) / 100),
            "signed_change_price": float(change),
            "signed_change_rate": float(market.change_pct() / 100),
            "trade_volume": 0.01,
            "acc_trade_price_24h": float(market.quote_volume()),
            "acc_trade_volume_24h": float(market.volume_24h),
            "timestamp": now,
        }


def market_id(market: SpotMarket) -> str:
    return f"{market.quote}-{market.base}"


def expire_at(account: SimAccount) -> str:
    traits = account.traits
    moment = traits.expires_at or traits.created_at + timedelta(days=KEY_LIFETIME_DAYS)
    return moment.astimezone(KST).isoformat(timespec="seconds")
