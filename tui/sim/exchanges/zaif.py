"""Zaif (api.zaif.jp): form POSTs to /tapi signed with hex HMAC-SHA512 of the body.

Zaif's trading API ("現物取引API", https://zaif-api-document.readthedocs.io/ja/latest/
TradingAPI.html): every call is a POST to `/tapi` with form parameters `method`, `nonce` and the
method's own; headers `Key` (the API key) and `Sign` = hex(HMAC-SHA512(secret, the URL-encoded
body)). The nonce must grow with every call of a key ("nonce not incremented"); ccxt sends the
time in seconds with 8 decimals. Zaif never compares it with its clock.

Errors are HTTP 200 {"success": 0, "error": <message>}, the doc's messages: "no data found for
the key" (invalid key), "signature mismatch", "nonce not incremented", "time wait restriction,
please try later." (too many calls), "api key don't have {} permission", "method not found".
Zaif documents no answer for an IP outside the key's list or an expired key: the simulator
answers "no data found for the key" for both (assumed). ccxt maps none of these (ExchangeError).

Methods served: `get_info` (fetch_balance: `funds` = free, `deposit` = total) and `get_info2`
(the same without the trade count), both with `rights` {info, personal_info, trade, withdraw}
as 0/1; public `/api/1/currency_pairs/all` and `/api/1/ticker/{pair}` (pairs as `btc_usdt`).
Zaif has no server-time endpoint.
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

_NO_KEY = "no data found for the key"
_MESSAGES: dict[ErrorKind, str] = {
    ErrorKind.BAD_KEY: _NO_KEY,
    ErrorKind.KEY_EXPIRED: _NO_KEY,
    ErrorKind.IP_NOT_ALLOWED: _NO_KEY,
    ErrorKind.BAD_SIGNATURE: "signature mismatch",
    ErrorKind.BAD_PASSPHRASE: "signature mismatch",
    ErrorKind.TIMESTAMP: "nonce not incremented",
    ErrorKind.NONCE: "nonce not incremented",
    ErrorKind.PERMISSION_DENIED: "api key dont have info permission",
    ErrorKind.RATE_LIMITED: "time wait restriction, please try later.",
    ErrorKind.BAD_REQUEST: "invalid parameter",
    ErrorKind.NOT_FOUND: "method not found",
}


def zaif_rights(traits: Traits) -> dict[str, int]:
    """The `rights` of get_info: 0/1 flags, as in the doc's example."""
    trade = any(traits.can(p) for p in ("spot", "margin", "futures"))
    return {
        "info": int(traits.can("read")),
        "personal_info": 0,
        "trade": int(trade),
        "withdraw": int(traits.can("withdraw")),
    }


def pair_id(market: SpotMarket) -> str:
    return f"{market.base}_{market.quote}".lower()


@register
class Zaif(SimExchange):
    id = "zaif"
    name = "Zaif"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._last_nonce: dict[str, float] = {}

    # --- authentication ----------------------------------------------------------------

    def api_key_of(self, request: SimRequest) -> str | None:
        return request.header("Key")

    def authenticate(self, request: SimRequest, account: SimAccount | None) -> None:
        if account is None:
            raise SimError(ErrorKind.BAD_KEY)
        expected = self.hmac_hex(account.secret, request.body, "sha512")
        if not self.same(expected, request.header("Sign")):
            raise SimError(ErrorKind.BAD_SIGNATURE)
        try:
            nonce = float(request.form().get("nonce", ""))
        except ValueError as error:
            raise SimError(ErrorKind.NONCE, "nonce is not a number") from error
        if nonce <= self._last_nonce.get(account.api_key, 0.0):
            raise SimError(ErrorKind.NONCE, f"nonce {nonce} not above the last one")
        self._last_nonce[account.api_key] = nonce

    def render_error(self, error: SimError) -> web.Response:
        return self.json({"success": 0, "error": _MESSAGES[error.kind]})

    # --- public ------------------------------------------------------------------------

    @route("GET", "/api/1/currency_pairs/all")
    async def currency_pairs(self, request: SimRequest, account: SimAccount | None) -> Any:
        return [
            {
                "currency_pair": pair_id(m),
                "name": f"{m.base}/{m.quote}",
                "title": f"{m.base}/{m.quote}",
                "is_token": False,
                "event_number": 0,
                "item_unit_min": float(m.amount_step),
                "item_unit_step": float(m.amount_step),
                "aux_unit_min": float(m.price_step),
                "aux_unit_step": float(m.price_step),
                "aux_unit_point": max(0, -m.price_step.as_tuple().exponent),
                "seq": index,
                "id": index + 1,
                "description": "",
            }
            for index, m in enumerate(self.state.markets.markets)
        ]

    @route("GET", "/api/1/ticker/{pair}")
    async def ticker(self, request: SimRequest, account: SimAccount | None) -> Any:
        wanted = request.match.get("pair", "")
        market = next((m for m in self.state.markets.markets if pair_id(m) == wanted), None)
        if market is None:
            return self.json({"error": "unsupported currency_pair"})
        return {
            "last": float(market.price),
            "high": float(market.high()),
            "low": float(market.low()),
            "vwap": float(market.price),
            "volume": float(market.volume_24h),
            "bid": float(market.bid()),
            "ask": float(market.ask()),
        }

    # --- signed ------------------------------------------------------------------------

    @route("POST", "/tapi", signed=True, permission="read")
    async def tapi(self, request: SimRequest, account: SimAccount | None) -> Any:
        assert account is not None
        method = request.form().get("method", "")
        if method not in ("get_info", "get_info2"):
            raise SimError(ErrorKind.NOT_FOUND)
        balances = account.traits.balances
        answer: dict[str, Any] = {
            "funds": {asset.lower(): fmt(b.free) for asset, b in balances.items()},
            "deposit": {asset.lower(): fmt(b.total) for asset, b in balances.items()},
            "rights": zaif_rights(account.traits),
            "open_orders": 0,
            "server_time": self.now_ms(account) // 1000,
        }
        if method == "get_info":
            answer["trade_count"] = 0
        return {"success": 1, "return": answer}
