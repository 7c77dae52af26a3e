"""Coinbase Advanced Trade (api.coinbase.com, /api/v3/brokerage and /v2) with CDP API keys.

A CDP key is a name (`organizations/<org>/apiKeys/<id>`, ccxt's apiKey) and an EC P-256
private key in PEM (ccxt's secret). Every private request carries
`Authorization: Bearer <JWT>`, an ES256 token whose header names the key (`kid`) and a
random `nonce`, and whose claims say who (`sub`, `iss` "cdp" or "coinbase-cloud"), when
(`nbf`, `exp`, at most 120 s apart) and for which request (`uri` = "METHOD host/path").

ccxt builds `uri` by stripping only "https://" from the URL, so against an http endpoint
it sends "GET http://127.0.0.1:P/coinbase/api/v3/...". The simulator accepts the uri with or
without the scheme, for the host and full path the request really came in on.

Coinbase answers any authentication failure (bad key, bad signature, expired or not yet
valid token, wrong uri) with a bare `401 Unauthorized` text body: ccxt raises
AuthenticationError from the status. A clock-skewed client therefore gets
AuthenticationError too, as against the real exchange.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import ec

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
from tui.sim.exchanges.coinbase_jwt import (
    derive_cdp_key,
    jwt_kid,
    public_key_of,
    request_uris,
    verify_cdp_jwt,
)
from tui.sim.market import UNPRICED_ASSET, SpotMarket

FIAT = frozenset({"USD", "EUR", "GBP"})


# --- payloads -----------------------------------------------------------------------------


def product_id(market: SpotMarket) -> str:
    return f"{market.base}-{market.quote}"


def render_product(market: SpotMarket) -> dict[str, Any]:
    return {
        "product_id": product_id(market),
        "price": fmt(market.price),
        "price_percentage_change_24h": fmt(market.change_pct()),
        "volume_24h": fmt(market.volume_24h),
        "volume_percentage_change_24h": "1.5",
        "base_increment": fmt(market.amount_step),
        "quote_increment": fmt(market.price_step),
        "quote_min_size": "1",
        "quote_max_size": "10000000",
        "base_min_size": fmt(market.amount_step),
        "base_max_size": "100000",
        "base_name": market.base,
        "quote_name": market.quote,
        "watched": False,
        "is_disabled": False,
        "new": False,
        "status": "online",
        "cancel_only": False,
        "limit_only": False,
        "post_only": False,
        "trading_disabled": False,
        "auction_mode": False,
        "product_type": "SPOT",
        "quote_currency_id": market.quote,
        "base_currency_id": market.base,
        "fcm_trading_session_details": None,
        "mid_market_price": "",
        "base_display_symbol": market.base,
        "quote_display_symbol": market.quote,
        "price_increment": fmt(market.price_step),
    }


def _account_uuid(api_key: str, asset: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"keydeck-sim:coinbase:{api_key}:{asset}"))


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def render_v3_accounts(account: SimAccount) -> dict[str, Any]:
    created = _iso(account.traits.created_at)
    rows = []
    for asset, balance in sorted(account.traits.balances.items()):
        rows.append(
            {
                "uuid": _account_uuid(account.api_key, asset),
                "name": f"{asset} Wallet",
                "currency": asset,
                "available_balance": {"value": fmt(balance.free), "currency": asset},
                "default": True,
                "active": True,
                "created_at": created,
                "updated_at": created,
                "deleted_at": None,
                "type": "ACCOUNT_TYPE_FIAT" if asset in FIAT else "ACCOUNT_TYPE_CRYPTO",
                "ready": True,
                "hold": {"value": fmt(balance.used), "currency": asset},
                "retail_portfolio_id": _portfolio_uuid(account),
            }
        )
    return {"accounts": rows, "has_next": False, "cursor": "", "size": len(rows)}


def render_v2_accounts(account: SimAccount, limit: int) -> dict[str, Any]:
    """The v2 (Coinbase App) account list: one wallet per asset, balance = total."""
    created = account.traits.created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    rows = []
    for asset, balance in sorted(account.traits.balances.items()):
        account_id = _account_uuid(account.api_key, asset)
        rows.append(
            {
                "id": account_id,
                "name": f"{asset} Wallet",
                "primary": asset == "BTC",
                "type": "fiat" if asset in FIAT else "wallet",
                "currency": {
                    "code": asset,
                    "name": asset,
                    "exponent": 8,
                    "type": "fiat" if asset in FIAT else "crypto",
                },
                "balance": {"amount": fmt(balance.total), "currency": asset},
                "created_at": created,
                "updated_at": created,
                "resource": "account",
                "resource_path": f"/v2/accounts/{account_id}",
                "allow_deposits": True,
                "allow_withdrawals": True,
            }
        )
    pagination = {
        "ending_before": None,
        "starting_after": None,
        "previous_ending_before": None,
        "next_starting_after": None,
        "limit": limit,
        "order": "desc",
        "previous_uri": None,
        "next_uri": None,
    }
    return {"pagination": pagination, "data": rows}


def _portfolio_uuid(account: SimAccount) -> str:
    scope = account.traits.sub_account or "default"
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"keydeck-sim:coinbase:{account.api_key}:{scope}"))


def render_key_permissions(account: SimAccount) -> dict[str, Any]:
    permissions = account.traits.permissions
    return {
        "can_view": "read" in permissions,
        "can_trade": bool(permissions & {"spot", "margin", "futures"}),
        "can_transfer": bool(permissions & {"withdraw", "transfer"}),
        "portfolio_uuid": _portfolio_uuid(account),
        "portfolio_type": "CONSUMER" if account.traits.sub_account else "DEFAULT",
    }


def render_crypto_currency(code: str) -> dict[str, Any]:
    return {
        "asset_id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"keydeck-sim:coinbase:asset:{code}")),
        "code": code,
        "name": code,
        "color": "#0052FF",
        "sort_index": 100,
        "exponent": 8,
        "type": "crypto",
        "address_regex": "^.+$",
    }


def usd_rates(markets: list[SpotMarket]) -> dict[str, str]:
    """Units of each asset per US dollar (USDT taken at par), as /v2/exchange-rates gives."""
    rates = {"USD": "1", "USDT": "1"}
    for market in markets:
        if market.quote == "USDT" and market.price > 0:
            rates[market.base] = fmt((1 / market.price).quantize(Decimal("1e-12")))
    return rates


def render_transaction_summary() -> dict[str, Any]:
    return {
        "total_volume": 0,
        "total_fees": 0,
        "fee_tier": {
            "pricing_tier": "Advanced 1",
            "usd_from": "0",
            "usd_to": "1000",
            "taker_fee_rate": "0.012",
            "maker_fee_rate": "0.006",
        },
        "margin_rate": None,
        "goods_and_services_tax": None,
        "advanced_trade_only_volume": 0,
        "advanced_trade_only_fees": 0,
        "coinbase_pro_volume": 0,
        "coinbase_pro_fees": 0,
    }


def _unauthorized() -> web.Response:
    return web.Response(status=401, text="Unauthorized\n", content_type="text/plain")


def _v3_error(status: int, error: str, message: str) -> web.Response:
    body = {"error": error, "error_details": message, "message": message}
    return web.json_response(body, status=status)


@register
class Coinbase(SimExchange):
    id = "coinbase"
    name = "Coinbase Advanced"
    credential_names = ("apiKey", "secret")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._public_keys: dict[str, ec.EllipticCurvePublicKey] = {}

    @classmethod
    def default_credentials(cls, label: str) -> dict[str, str]:
        name, pem = derive_cdp_key(label)
        return {"apiKey": name, "secret": pem}

    # --- authentication ----------------------------------------------------------------

    def _bearer(self, request: SimRequest) -> str | None:
        value = request.header("Authorization") or ""
        return value[len("Bearer ") :].strip() if value.startswith("Bearer ") else None

    def api_key_of(self, request: SimRequest) -> str | None:
        token = self._bearer(request)
        return jwt_kid(token) if token else None

    def _public_key(self, account: SimAccount) -> ec.EllipticCurvePublicKey:
        cache_key = hashlib.sha256(account.secret.encode()).hexdigest()
        if cache_key not in self._public_keys:
            try:
                self._public_keys[cache_key] = public_key_of(account.secret)
            except ValueError as error:
                raise SimError(ErrorKind.BAD_SIGNATURE, "account has no EC key") from error
        return self._public_keys[cache_key]

    def authenticate(self, request: SimRequest, account: SimAccount | None) -> None:
        token = self._bearer(request)
        if token is None or account is None:
            raise SimError(ErrorKind.BAD_KEY)
        verify_cdp_jwt(
            token,
            self._public_key(account),
            key_name=account.api_key,
            now_s=self.now_ms(account) // 1000,
            allowed_uris=request_uris(request.method, request.host, request.full_path),
        )

    def render_error(self, error: SimError) -> web.Response:
        kind = error.kind
        if kind is ErrorKind.RATE_LIMITED:
            body = {"errors": [{"id": "rate_limit_exceeded", "message": "Too many requests"}]}
            return web.json_response(body, status=429)
        if kind is ErrorKind.PERMISSION_DENIED:
            return _v3_error(403, "PERMISSION_DENIED", "Missing required scopes")
        if kind is ErrorKind.NOT_FOUND:
            return _v3_error(404, "NOT_FOUND", "route not found")
        if kind is ErrorKind.BAD_REQUEST and error.detail.startswith("INVALID_ARGUMENT"):
            return _v3_error(400, "INVALID_ARGUMENT", error.detail)
        return _unauthorized()  # every authentication failure looks the same on Coinbase

    # --- public ------------------------------------------------------------------------

    @route("GET", "/v2/time")
    async def time_v2(self, request: SimRequest, account: SimAccount | None) -> Any:
        now = self.now_ms(account) // 1000
        iso = datetime.fromtimestamp(now, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return {"data": {"iso": iso, "epoch": now}}

    @route("GET", "/api/v3/brokerage/time")
    async def time_v3(self, request: SimRequest, account: SimAccount | None) -> Any:
        now = self.now_ms(account)
        iso = datetime.fromtimestamp(now / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return {"iso": iso, "epochSeconds": str(now // 1000), "epochMillis": str(now)}

    @route("GET", "/api/v3/brokerage/market/products")
    async def public_products(self, request: SimRequest, account: SimAccount | None) -> Any:
        return self._products(request)

    @route("GET", "/v2/currencies")
    async def fiat_currencies(self, request: SimRequest, account: SimAccount | None) -> Any:
        return {"data": [{"id": code, "name": code, "min_size": "0.01"} for code in sorted(FIAT)]}

    @route("GET", "/v2/currencies/crypto")
    async def crypto_currencies(self, request: SimRequest, account: SimAccount | None) -> Any:
        return {"data": [render_crypto_currency(code) for code in self._asset_codes()]}

    @route("GET", "/v2/exchange-rates")
    async def exchange_rates(self, request: SimRequest, account: SimAccount | None) -> Any:
        base = request.query.get("currency", "USD")
        return {"data": {"currency": base, "rates": usd_rates(self.state.markets.markets)}}

    def _asset_codes(self) -> list[str]:
        markets = self.state.markets.markets
        codes = {m.base for m in markets} | {m.quote for m in markets} | {UNPRICED_ASSET}
        return sorted(codes - FIAT)

    # --- private -----------------------------------------------------------------------

    @route("GET", "/api/v3/brokerage/products", signed=True, permission="read")
    async def products(self, request: SimRequest, account: SimAccount | None) -> Any:
        return self._products(request)

    @route("GET", "/api/v3/brokerage/transaction_summary", signed=True, permission="read")
    async def transaction_summary(self, request: SimRequest, account: SimAccount | None) -> Any:
        return render_transaction_summary()

    @route("GET", "/api/v3/brokerage/key_permissions", signed=True)
    async def key_permissions(self, request: SimRequest, account: SimAccount | None) -> Any:
        assert account is not None
        return render_key_permissions(account)

    @route("GET", "/api/v3/brokerage/accounts", signed=True, permission="read")
    async def accounts_v3(self, request: SimRequest, account: SimAccount | None) -> Any:
        assert account is not None
        return render_v3_accounts(account)

    @route("GET", "/v2/accounts", signed=True, permission="read")
    async def accounts_v2(self, request: SimRequest, account: SimAccount | None) -> Any:
        assert account is not None
        limit = request.query.get("limit", "25")
        return render_v2_accounts(account, int(limit) if limit.isdigit() else 25)

    def _products(self, request: SimRequest) -> dict[str, Any]:
        query = parse_qsl(request.raw_query, keep_blank_values=True)
        product_type = dict(query).get("product_type", "SPOT").upper()
        wanted = {value for name, value in query if name == "product_ids"}
        markets = [] if product_type != "SPOT" else self.state.markets.markets
        rows = [render_product(m) for m in markets if not wanted or product_id(m) in wanted]
        return {"products": rows, "num_products": len(rows)}
