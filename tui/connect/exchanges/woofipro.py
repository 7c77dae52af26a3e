"""WOOFi Pro (Orderly Network): the calling Orderly key's scope, IP restriction and expiry.

Doc followed: Orderly "Get current Orderly key info", `GET /v1/client/key_info`
(https://orderly.network/docs/build-on-omnichain/restful-api/private/get-current-orderly-key-info):
every Orderly key of the account, `{"success": true, "data": {"rows": [{"orderly_key":
"ed25519:...", "key_status", "ip_restriction_list", "ip_restriction_status" (ALLOW_ALL_IPS,
ALLOW_RESTRICTION_LIST, DISALLOW_ALL_IPS), "expiration" (ms), "scope": "read,trading", "tag"}]}}`
(older pages show `data` as the list itself and spell the status `ip_restricion_status`; both
are read). The calling key is its row; without it nothing about the key is known.

Scopes: `read`, `trading`, `asset`. A withdrawal needs, besides an Orderly key, the wallet's
EIP-712 signature (Orderly "Wallet Authentication": "Withdrawal requests" are among the
actions wallet owners sign): an Orderly key alone cannot withdraw. So the key can withdraw
only when its scope has `asset` and the account also holds the wallet's private key
(ccxt's optional `privateKey`, with which ccxt signs withdrawals).

Errors (ccxt's woofipro exceptions, Orderly's codes): -1001 (key or secret in the wrong
format) and -1002 (unauthorized: wrong key, insufficient permission, expired or revoked)
are AuthenticationError; -1003 RateLimitExceeded.
"""

from __future__ import annotations

from typing import Any

from tui.connect.exchanges.base import CODE, ExchangeModule, PermissionReader, Raw, names_in
from tui.connect.models import Permissions
from tui.connect.parsing import as_time, ip_list
from tui.connect.problems import ProblemKind, error_rule
from tui.connect.shapes import Shape

CALLING_KEY = "callingKey"
"""Added by `fetch_raw`: the Orderly key the rows are matched against."""
WALLET_KEY = "walletKeyHeld"
"""Added by `fetch_raw`: True when the account also holds the wallet's private key."""
_PREFIX = "ed25519:"


def _orderly_key(value: Any) -> str:
    text = str(value or "").strip()
    return text if text.startswith(_PREFIX) else f"{_PREFIX}{text}" if text else ""


def calling_key_row(raw: Raw) -> Raw | None:
    data = raw.get("data")
    rows = data.get("rows") if isinstance(data, dict) else data
    if not isinstance(rows, list):
        return None
    wanted = _orderly_key(raw.get(CALLING_KEY))
    matching = [
        row
        for row in rows
        if isinstance(row, dict) and wanted and _orderly_key(row.get("orderly_key")) == wanted
    ]
    return matching[0] if len(matching) == 1 else None


def _ip_restricted(row: Raw, addresses: tuple[str, ...]) -> bool | None:
    status = row.get("ip_restriction_status", row.get("ip_restricion_status"))
    if status == "ALLOW_ALL_IPS":
        return False
    if status in ("ALLOW_RESTRICTION_LIST", "DISALLOW_ALL_IPS"):
        return True
    return bool(addresses) if "ip_restriction_list" in row else None


def _withdraw(scope: set[str], wallet_key_held: Any) -> bool | None:
    """Only an `asset`-scoped key whose account holds the wallet key can withdraw; when
    whether the wallet key is held is not told, neither is the right."""
    if "asset" not in scope:
        return False
    return wallet_key_held if isinstance(wallet_key_held, bool) else None


def normalize(raw: Raw) -> Permissions:
    """GET /v1/client/key_info: the calling key's scope, IP restriction and expiration."""
    row = calling_key_row(raw)
    # The scope is a comma string ("read,trading"); anything else, or none, tells nothing.
    scope = names_in(row.get("scope"), str) if row is not None else None
    if row is None or not scope:
        return Permissions.could_not_read()
    trading = "trading" in scope
    addresses = ip_list(row.get("ip_restriction_list"))
    return Permissions(
        reported=True,
        read="read" in scope or trading,
        spot_trade=trading,  # Orderly trades perpetuals: "trading" is the one trading right
        margin=None,
        futures=trading,
        withdraw=_withdraw(scope, raw.get(WALLET_KEY)),
        internal_transfer=None,
        ip_restricted=_ip_restricted(row, addresses),
        ip_addresses=addresses,
        expires_at=as_time(row.get("expiration")),
        label=str(row.get("tag") or "") or None,
    )


async def fetch_raw(client: Any) -> Raw:
    answer = await client.v1_private_get_client_key_info()
    raw: Raw = dict(answer) if isinstance(answer, dict) else {"data": answer}
    raw[CALLING_KEY] = client.apiKey
    raw[WALLET_KEY] = bool(getattr(client, "privateKey", None))
    return raw


MODULE = ExchangeModule(
    id="woofipro",
    name="WOOFi Pro",
    key_page="https://pro.woofi.com/en/trade/api",
    permissions=PermissionReader(
        fetch_raw,
        normalize,
        endpoint="GET /v1/client/key_info",
        doc="https://orderly.network/docs/build-on-omnichain/restful-api/private/get-current-orderly-key-info",
        reads=("withdraw", "trade", "IP allowlist", "expiry"),
    ),
    # GET /v1/client/holding: ccxt keeps its `data`, {"holding": [{"token", "holding", ...}]}.
    balance_shape=Shape(fields={"holding": list}),
    permission_shape=Shape(fields={"success": bool}),
    error_rules=(
        error_rule(CODE + r"-1002\b", ProblemKind.bad_credentials),
        error_rule(CODE + r"-1001\b", ProblemKind.bad_credentials),
        error_rule(CODE + r"-1003\b", ProblemKind.rate_limited),
    ),
)
