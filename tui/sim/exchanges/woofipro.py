"""WOOFi Pro on Orderly Network (api-evm.orderly.org): ed25519-signed requests.

Orderly's "API Authentication" (https://orderly.network/docs/build-on-omnichain/api-authentication):
headers `orderly-account-id`, `orderly-key` ("ed25519:" + base58 public key),
`orderly-timestamp` (ms) and `orderly-signature` = URL-safe base64 of the ed25519 signature of
timestamp + METHOD + path?query + body, made with the Orderly secret (a base58 ed25519 seed,
"ed25519:" prefixed or not, as ccxt's woofipro.sign takes it). The window is assumed ±300 s.

Errors are `{"success": false, "code": <int>, "message": ...}` with ccxt's woofipro codes:
-1001 (key or secret in the wrong format, a header missing), -1002 (unauthorized: unknown or
expired key, wrong signature, wrong account, IP refused, no right, stale timestamp: assumed,
Orderly documents one code for them), -1003 with HTTP 429 (rate limited).

`GET /v1/client/key_info` lists the account's Orderly keys: `orderly_key`, `key_status`
ACTIVE, `ip_restriction_list`, `ip_restriction_status` (ALLOW_ALL_IPS without an allowlist,
else ALLOW_RESTRICTION_LIST), `expiration` (ms), `scope` ("read", "read,trading", plus "asset"
for a key with the withdraw right) and `tag`. Default keys were made 30 days ago and expire a
year after that. The default `risky` account also holds its wallet's private key (ccxt's
`privateKey`, a test value), without which no Orderly key can withdraw. Served besides:
`/v1/public/info` (perpetuals `PERP_<base>_USDC`: BTC, ETH, SOL), `/v1/public/system_info`
(the server clock) and `/v1/client/holding`. Orderly lists no spot
markets, so only stablecoin balances are priced.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any, ClassVar

from aiohttp import web
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from tui.sim.errors import ErrorKind, SimError
from tui.sim.exchanges import register
from tui.sim.exchanges.base import SimExchange, route
from tui.sim.model import SimAccount, Traits
from tui.sim.request import SimRequest

WINDOW_MS = 300_000  # assumed
_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_UNAUTHORIZED = "API key or secret is invalid, it may because key have insufficient permission or the key is expired/revoked."  # noqa: E501 - Orderly's message
_ERRORS: dict[ErrorKind, tuple[int, int, str]] = {
    ErrorKind.BAD_KEY: (401, -1002, _UNAUTHORIZED),
    ErrorKind.KEY_EXPIRED: (401, -1002, _UNAUTHORIZED),
    ErrorKind.BAD_SIGNATURE: (401, -1002, _UNAUTHORIZED),
    ErrorKind.BAD_PASSPHRASE: (401, -1002, _UNAUTHORIZED),
    ErrorKind.IP_NOT_ALLOWED: (401, -1002, _UNAUTHORIZED),
    ErrorKind.PERMISSION_DENIED: (401, -1002, _UNAUTHORIZED),
    ErrorKind.TIMESTAMP: (401, -1002, _UNAUTHORIZED),
    ErrorKind.NONCE: (401, -1002, _UNAUTHORIZED),
    ErrorKind.RATE_LIMITED: (429, -1003, "Rate limit exceed."),
    ErrorKind.BAD_REQUEST: (400, -1005, "Some parameters are in wrong format for api."),
    ErrorKind.NOT_FOUND: (404, -1000, "The data does not exist"),
}
_WRONG_FORMAT = "The api key or secret is in wrong format."
PERPETUALS = ("BTC", "ETH", "SOL")


def b58encode(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    text = ""
    while number:
        number, rest = divmod(number, 58)
        text = _ALPHABET[rest] + text
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + text


def b58decode(text: str) -> bytes:
    number = 0
    for char in text:
        number = number * 58 + _ALPHABET.index(char)
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * (len(text) - len(text.lstrip("1"))) + body


def orderly_scope(traits: Traits) -> str:
    names = ["read"]
    if any(traits.can(p) for p in ("spot", "margin", "futures")):
        names.append("trading")
    if traits.can("withdraw"):
        names.append("asset")
    return ",".join(names)


@register
class Woofipro(SimExchange):
    id = "woofipro"
    name = "WOOFi Pro"
    credential_names: ClassVar[tuple[str, ...]] = ("apiKey", "secret", "accountId")
    key_lifetime_days = 365  # an Orderly key's expiration is at most 365 days away

    @classmethod
    def default_credentials(cls, label: str) -> dict[str, str]:
        """An ed25519 Orderly key derived from the label (never a real one) and an account id;
        `risky` also holds a wallet private key (a test value)."""
        seed = hashlib.sha256(f"keydeck-sim/{cls.id}/{label}/orderly".encode()).digest()
        public = (
            Ed25519PrivateKey.from_private_bytes(seed)
            .public_key()
            .public_bytes(Encoding.Raw, PublicFormat.Raw)
        )
        account = hashlib.sha256(f"keydeck-sim/{cls.id}/{label}/account".encode()).hexdigest()
        credentials = {
            "apiKey": f"ed25519:{b58encode(public)}",
            "secret": f"ed25519:{b58encode(seed)}",
            "accountId": f"0x{account}",
        }
        if label == "risky":
            wallet = hashlib.sha256(f"keydeck-sim/{cls.id}/{label}/wallet".encode()).hexdigest()
            credentials["privateKey"] = f"0x{wallet}"
        return credentials

    # --- authentication ----------------------------------------------------------------

    def api_key_of(self, request: SimRequest) -> str | None:
        key = request.header("orderly-key")
        if key is None:
            return None
        matches = [
            a.api_key
            for a in self.state.for_exchange(self.id)
            if a.api_key in (key, key.removeprefix("ed25519:"))
        ]
        return matches[0] if matches else key

    def authenticate(self, request: SimRequest, account: SimAccount | None) -> None:
        key = request.header("orderly-key")
        timestamp = request.header("orderly-timestamp") or ""
        signature = request.header("orderly-signature")
        if key is None or signature is None or not timestamp:
            raise SimError(ErrorKind.BAD_KEY, _WRONG_FORMAT)
        if account is None:
            raise SimError(ErrorKind.BAD_KEY)
        if request.header("orderly-account-id") != account.credentials.get("accountId"):
            raise SimError(ErrorKind.BAD_KEY)
        public = b58decode(account.api_key.removeprefix("ed25519:"))
        message = f"{timestamp}{request.method}{request.path_with_query}{request.body}".encode()
        try:
            raw_signature = base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4))
            Ed25519PublicKey.from_public_bytes(public).verify(raw_signature, message)
        except (InvalidSignature, ValueError) as error:
            raise SimError(ErrorKind.BAD_SIGNATURE) from error
        if not timestamp.isdigit():
            raise SimError(ErrorKind.TIMESTAMP, "timestamp is not a number")
        self.check_timestamp(int(timestamp), account, window_ms=WINDOW_MS, ahead_ms=WINDOW_MS)

    def render_error(self, error: SimError) -> web.Response:
        status, code, message = _ERRORS[error.kind]
        if error.detail == _WRONG_FORMAT:
            code, message = -1001, _WRONG_FORMAT
        return self.json({"success": False, "code": code, "message": message}, status=status)

    # --- public ------------------------------------------------------------------------

    @route("GET", "/v1/public/system_info")
    async def system_info(self, request: SimRequest, account: SimAccount | None) -> Any:
        return {
            "success": True,
            "data": {"status": 0, "msg": "System is functioning properly."},
            "timestamp": self.now_ms(account),
        }

    @route("GET", "/v1/public/info")
    async def info(self, request: SimRequest, account: SimAccount | None) -> Any:
        rows = []
        for base in PERPETUALS:
            market = self.state.markets.get(base, "USDT")
            step = market.price_step if market is not None else "0.01"
            rows.append(
                {
                    "symbol": f"PERP_{base}_USDC",
                    "quote_min": 0,
                    "quote_max": 100000,
                    "quote_tick": float(step),
                    "base_min": 0.001,
                    "base_max": 100,
                    "base_tick": 0.001,
                    "min_notional": 10,
                    "price_range": 0.02,
                    "created_time": 1684140107326,
                    "updated_time": 1685345968053,
                    "imr_factor": 0.0000002,
                    "liquidation_tier": 1,
                }
            )
        return {"success": True, "data": {"rows": rows}, "timestamp": self.now_ms(account)}

    # --- signed ------------------------------------------------------------------------

    @route("GET", "/v1/client/holding", signed=True, permission="read")
    async def holding(self, request: SimRequest, account: SimAccount | None) -> Any:
        assert account is not None
        now = self.now_ms(account)
        rows = [
            {
                "token": asset,
                "holding": float(b.total),
                "frozen": float(b.used),
                "pending_short": 0,
                "updated_time": now,
            }
            for asset, b in account.traits.balances.items()
        ]
        return {"success": True, "data": {"holding": rows}, "timestamp": now}

    @route("GET", "/v1/client/key_info", signed=True)
    async def key_info(self, request: SimRequest, account: SimAccount | None) -> Any:
        assert account is not None
        owner = account.credentials.get("accountId")
        keys = [
            a for a in self.state.for_exchange(self.id) if a.credentials.get("accountId") == owner
        ]
        rows = [self._key_row(key) for key in keys]
        return {"success": True, "data": {"rows": rows}, "timestamp": self.now_ms(account)}

    def _key_row(self, account: SimAccount) -> dict[str, Any]:
        traits = account.traits
        expires = traits.expires_at
        return {
            "orderly_key": account.api_key,
            "key_status": "ACTIVE",
            "ip_restriction_list": list(traits.ip_allowlist),
            "ip_restriction_status": "ALLOW_RESTRICTION_LIST"
            if traits.ip_allowlist
            else "ALLOW_ALL_IPS",
            "expiration": int(expires.timestamp() * 1000) if expires else None,
            "scope": orderly_scope(traits),
            "tag": traits.label or account.label,
        }
