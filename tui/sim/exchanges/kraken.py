"""Kraken spot REST (api.kraken.com/0), as ccxt's `kraken` client speaks it.

Private calls are form-encoded POSTs carrying a `nonce`; `API-Sign` is
base64(HMAC-SHA512(base64decode(secret), uri_path + SHA256(nonce + postdata))) and every
nonce must be greater than the last one Kraken accepted for that key. Errors come back as
`{"error": ["EAPI:Invalid key"], ...}`, mostly with HTTP 200.

Kraken never compares the nonce with its clock, so clock skew alone breaks nothing here (as
on the real exchange); a client whose nonces go backwards gets "EAPI:Invalid nonce".
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from datetime import UTC, datetime
from decimal import Decimal
from email.utils import format_datetime
from typing import Any
from urllib.parse import parse_qsl

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
from tui.sim.model import Balance

# Kraken's own asset ids for the assets whose id is not the common code.
_ASSET_IDS: dict[str, str] = {
    "BTC": "XXBT",
    "ETH": "XETH",
    "XRP": "XXRP",
    "LTC": "XLTC",
    "XLM": "XXLM",
    "DOGE": "XXDG",
    "USD": "ZUSD",
    "EUR": "ZEUR",
    "GBP": "ZGBP",
}
_ALTNAMES: dict[str, str] = {"BTC": "XBT", "DOGE": "XDG"}

# What GetApiKeyInfo lists for each neutral permission (names as in Kraken's API reference).
_PERMISSION_NAMES: dict[str, tuple[str, ...]] = {
    "read": ("query-funds", "query-open-trades", "query-closed-trades", "query-ledger-entries"),
    "spot": ("modify-trades", "close-trades"),
    "margin": ("modify-trades", "close-trades"),
    "futures": ("modify-trades", "close-trades"),
    "withdraw": ("withdraw-funds",),
    "transfer": ("deposit-funds",),
}

_ERRORS: dict[ErrorKind, tuple[int, str]] = {
    ErrorKind.BAD_KEY: (200, "EAPI:Invalid key"),
    ErrorKind.BAD_SIGNATURE: (200, "EAPI:Invalid signature"),
    ErrorKind.BAD_PASSPHRASE: (200, "EAPI:Invalid key"),
    ErrorKind.TIMESTAMP: (200, "EAPI:Invalid nonce"),
    ErrorKind.NONCE: (200, "EAPI:Invalid nonce"),
    ErrorKind.RATE_LIMITED: (200, "EAPI:Rate limit exceeded"),
    ErrorKind.IP_NOT_ALLOWED: (200, "EGeneral:Permission denied"),
    ErrorKind.KEY_EXPIRED: (200, "EAPI:Invalid key"),
    ErrorKind.PERMISSION_DENIED: (200, "EGeneral:Permission denied"),
    ErrorKind.NOT_FOUND: (404, "EGeneral:Unknown method"),
    ErrorKind.BAD_REQUEST: (200, "EGeneral:Invalid arguments"),
}


def api_sign(uri_path: str, nonce: str, postdata: str, secret_b64: str) -> str:
    """Kraken's API-Sign value (see the module docstring); raises ValueError on a bad secret."""
    try:
        key = base64.b64decode(secret_b64, validate=True)
    except binascii.Error as error:
        raise ValueError("the secret is not base64") from error
    message = uri_path.encode() + hashlib.sha256((nonce + postdata).encode()).digest()
    return base64.b64encode(hmac.new(key, message, hashlib.sha512).digest()).decode()


def asset_id(code: str) -> str:
    return _ASSET_IDS.get(code, code)


def altname(code: str) -> str:
    return _ALTNAMES.get(code, code)


def pair_id(market: SpotMarket) -> str:
    """XETHXXBT when both assets have legacy X/Z ids, else the altname (XBTUSDT, SOLUSDT)."""
    if market.base in _ASSET_IDS and market.quote in _ASSET_IDS:
        return asset_id(market.base) + asset_id(market.quote)
    return altname(market.base) + altname(market.quote)


def render_asset_pairs(markets: list[SpotMarket]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for market in markets:
        result[pair_id(market)] = {
            "altname": altname(market.base) + altname(market.quote),
            "wsname": f"{altname(market.base)}/{altname(market.quote)}",
            "aclass_base": "currency",
            "base": asset_id(market.base),
            "aclass_quote": "currency",
            "quote": asset_id(market.quote),
            "lot": "unit",
            "cost_decimals": 5,
            "pair_decimals": _decimals(market.price_step),
            "lot_decimals": _decimals(market.amount_step),
            "lot_multiplier": 1,
            "leverage_buy": [],
            "leverage_sell": [],
            "fees": [[0, 0.4], [10000, 0.35]],
            "fees_maker": [[0, 0.25], [10000, 0.2]],
            "fee_volume_currency": "ZUSD",
            "margin_call": 80,
            "margin_stop": 40,
            "ordermin": fmt(market.amount_step * 10),
            "costmin": "0.5",
            "tick_size": fmt(market.price_step),
            "status": "online",
        }
    return result


def render_assets(markets: list[SpotMarket]) -> dict[str, Any]:
    codes = {m.base for m in markets} | {m.quote for m in markets} | {UNPRICED_ASSET}
    return {
        asset_id(code): {
            "aclass": "currency",
            "altname": altname(code),
            "decimals": 10 if code in ("BTC", "ETH") else 8,
            "display_decimals": 5,
            "status": "enabled",
        }
        for code in sorted(codes)
    }


def render_ticker(market: SpotMarket) -> dict[str, Any]:
    volume = fmt(market.volume_24h)
    return {
        "a": [fmt(market.ask()), "1", "1.000"],
        "b": [fmt(market.bid()), "2", "2.000"],
        "c": [fmt(market.price), "0.05000000"],
        "v": [volume, volume],
        "p": [fmt(market.price), fmt(market.price)],
        "t": [1200, 2400],
        "l": [fmt(market.low()), fmt(market.low())],
        "h": [fmt(market.high()), fmt(market.high())],
        "o": fmt(market.open_24h),
    }


def render_balance_ex(balances: dict[str, Balance]) -> dict[str, Any]:
    return {
        asset_id(code): {"balance": fmt(b.total), "hold_trade": fmt(b.used)}
        for code, b in sorted(balances.items())
    }


def permission_names(permissions: frozenset[str]) -> list[str]:
    names: list[str] = []
    for permission in ("read", "spot", "margin", "futures", "withdraw", "transfer"):
        if permission in permissions:
            names.extend(n for n in _PERMISSION_NAMES[permission] if n not in names)
    return names


def render_api_key_info(account: SimAccount, last_nonce: int, now_s: int) -> dict[str, Any]:
    traits = account.traits
    created = int(traits.created_at.timestamp())
    return {
        "apiKeyName": traits.label,
        "apiKey": account.api_key,
        "nonce": str(last_nonce),
        "nonceWindow": 0,
        "permissions": permission_names(traits.permissions),
        "iban": "AA12 N84G SIMU LATE",
        "validUntil": str(int(traits.expires_at.timestamp())) if traits.expires_at else "0",
        "queryFrom": "0",
        "queryTo": "0",
        "createdTime": str(created),
        "modifiedTime": str(created),
        "ipAllowlist": list(traits.ip_allowlist),
        "lastUsed": str(now_s),
    }


def _decimals(step: Decimal) -> int:
    exponent = step.normalize().as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def _post_fields(request: SimRequest) -> dict[str, str]:
    """The private call's fields: form-encoded normally, JSON for ccxt's batch/percent calls."""
    if "json" in request.headers.get("Content-Type", ""):
        parsed = request.json()
        return {k: str(v) for k, v in parsed.items()} if isinstance(parsed, dict) else {}
    return dict(parse_qsl(request.body, keep_blank_values=True))


@register
class Kraken(SimExchange):
    id = "kraken"
    name = "Kraken"
    credential_names = ("apiKey", "secret")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._last_nonce: dict[str, int] = {}

    @classmethod
    def default_credentials(cls, label: str) -> dict[str, str]:
        seed = hashlib.sha512(f"keydeck-sim/{cls.id}/{label}".encode()).digest()
        return {"apiKey": f"demo-{cls.id}-{label}-key", "secret": base64.b64encode(seed).decode()}

    # --- authentication ----------------------------------------------------------------

    def api_key_of(self, request: SimRequest) -> str | None:
        return request.header("API-Key")

    def authenticate(self, request: SimRequest, account: SimAccount | None) -> None:
        if account is None:
            raise SimError(ErrorKind.BAD_KEY)
        nonce = _post_fields(request).get("nonce", "")
        if not nonce.isdigit():
            raise SimError(ErrorKind.NONCE, "missing or non-numeric nonce")
        expected = api_sign(request.path, nonce, request.body, account.secret)
        if not self.same(expected, request.header("API-Sign")):
            raise SimError(ErrorKind.BAD_SIGNATURE)
        if int(nonce) <= self._last_nonce.get(account.api_key, 0):
            raise SimError(ErrorKind.NONCE, f"nonce {nonce} not above the last one")
        self._last_nonce[account.api_key] = int(nonce)

    def render_error(self, error: SimError) -> web.Response:
        status, message = _ERRORS.get(error.kind, (200, "EGeneral:Internal error"))
        if error.detail.startswith(("EQuery:", "EGeneral:")):
            message = error.detail
        return self.json({"error": [message]}, status=status)

    # --- public ------------------------------------------------------------------------

    def _ok(self, result: Any) -> dict[str, Any]:
        return {"error": [], "result": result}

    @route("GET", "/0/public/Time")
    async def time(self, request: SimRequest, account: SimAccount | None) -> Any:
        now = self.now_ms(account) // 1000
        stamp = datetime.fromtimestamp(now, UTC)
        return self._ok({"unixtime": now, "rfc1123": format_datetime(stamp, usegmt=True)})

    @route("GET", "/0/public/SystemStatus")
    async def system_status(self, request: SimRequest, account: SimAccount | None) -> Any:
        stamp = datetime.fromtimestamp(self.now_ms(account) // 1000, UTC)
        return self._ok({"status": "online", "timestamp": stamp.strftime("%Y-%m-%dT%H:%M:%SZ")})

    @route("GET", "/0/public/AssetPairs")
    async def asset_pairs(self, request: SimRequest, account: SimAccount | None) -> Any:
        return self._ok(render_asset_pairs(self._selected(request)))

    @route("GET", "/0/public/Assets")
    async def assets(self, request: SimRequest, account: SimAccount | None) -> Any:
        return self._ok(render_assets(self.state.markets.markets))

    @route("GET", "/0/public/Ticker")
    async def ticker(self, request: SimRequest, account: SimAccount | None) -> Any:
        return self._ok({pair_id(m): render_ticker(m) for m in self._selected(request)})

    def _selected(self, request: SimRequest) -> list[SpotMarket]:
        markets = self.state.markets.markets
        wanted = [p for p in request.query.get("pair", "").split(",") if p]
        if not wanted:
            return markets
        by_id = {pair_id(m): m for m in markets}
        by_id.update({altname(m.base) + altname(m.quote): m for m in markets})
        unknown = [p for p in wanted if p not in by_id]
        if unknown:
            raise SimError(ErrorKind.BAD_REQUEST, "EQuery:Unknown asset pair")
        return [by_id[p] for p in wanted]

    # --- private -----------------------------------------------------------------------

    @route("POST", "/0/private/BalanceEx", signed=True, permission="read")
    async def balance_ex(self, request: SimRequest, account: SimAccount | None) -> Any:
        assert account is not None
        return self._ok(render_balance_ex(account.traits.balances))

    @route("POST", "/0/private/Balance", signed=True, permission="read")
    async def balance(self, request: SimRequest, account: SimAccount | None) -> Any:
        assert account is not None
        return self._ok({asset_id(c): fmt(b.total) for c, b in account.traits.balances.items()})

    @route("POST", "/0/private/GetApiKeyInfo", signed=True)
    async def api_key_info(self, request: SimRequest, account: SimAccount | None) -> Any:
        assert account is not None
        last = self._last_nonce.get(account.api_key, 0)
        return self._ok(render_api_key_info(account, last, self.now_ms(account) // 1000))
