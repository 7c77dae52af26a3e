"""Deribit: reading a key's scope, and Deribit's JSON-RPC error codes.

Doc followed: Deribit API v2 `private/list_api_keys`
(https://docs.deribit.com/api-reference/account-management/private-list_api_keys), scope
account:read: every key of the account with `client_id`, `max_scope` (space separated, e.g.
"account:read block_trade:read trade:read_write wallet:read"), `ip_whitelist` (array; in the
schema, not in the doc example), `enabled`, `timestamp` and `name`. Scopes are described in
https://docs.deribit.com/articles/access-scope: `wallet:read_write` = "withdraw, generate
deposit addresses, etc." (and transfers between subaccounts: Deribit has no separate transfer
scope), `trade:read_write` = create and modify orders (every instrument kind).

The page is marked "TFA required": on an account with two-factor authentication Deribit
answers a bot's call with a security-key challenge instead of the list
(https://docs.deribit.com/articles/security-keys). Keydeck never answers that challenge; it
falls back to the `scope` in the answer of `public/auth` (grant_type client_signature, so the
secret is not sent), which lists the scopes the key grants a token. Whether a token asked for
without a scope gets the key's whole scope is not documented; when the answer names no
functional scope at all ("connection mainaccount" in the doc example), withdrawal is reported
as unknown, not as off. Because the token's scope may be narrower than the key's, the
fallback only ever says "yes": a scope it does not name (wallet:read_write, trade:read_write)
is unknown, never "no", so the findings add `withdraw_unknown` with the manual checklist.
The fallback has no IP allowlist.

`timestamp` is "created or last modified", so it is not shown as the creation date. Deribit
keys do not expire.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from typing import Any

from tui.connect.exchanges.base import CODE, ExchangeModule, PermissionReader, Raw
from tui.connect.models import Permissions
from tui.connect.parsing import allowlist_in_use, as_list, ip_list
from tui.connect.problems import ProblemKind, error_rule
from tui.connect.shapes import Shape

CALLING_KEY = "callingKey"
"""Added by `fetch_raw`: the client id the listed keys are matched against."""
AUTH_SCOPE = "authScope"
"""Added by `fetch_raw` when the key list was refused for 2FA: the scope `public/auth` gave."""


def _scopes(text: Any) -> dict[str, str]:
    """ "account:read trade:read_write" -> {"account": "read", "trade": "read_write"}."""
    found: dict[str, str] = {}
    for item in as_list(text):
        area, _, level = item.partition(":")
        if level:
            found[area.lower()] = level.lower()
    return found


def _calling_key(raw: Raw) -> Raw | None:
    """The listed key whose client id is the calling key's; None unless exactly one is (a
    missing id never matches another key's missing id: that would read another key's rights)."""
    rows, calling = raw.get("result"), raw.get(CALLING_KEY)
    if not isinstance(rows, list) or not isinstance(calling, str) or not calling:
        return None
    matching = [r for r in rows if isinstance(r, dict) and r.get("client_id") == calling]
    return matching[0] if len(matching) == 1 else None


def _from_scope(scopes: dict[str, str], **extra: Any) -> Permissions:
    if not scopes:  # no functional scope named: nothing can be said
        return Permissions(reported=True, **extra)
    trade = scopes.get("trade") == "read_write"
    return Permissions(
        reported=True,
        read=any(level in ("read", "read_write") for level in scopes.values()),
        spot_trade=trade,
        margin=None,  # one trade scope for every instrument kind
        futures=trade,
        withdraw=scopes.get("wallet") == "read_write",
        internal_transfer=None,  # the same wallet scope as withdrawals: not told apart
        **extra,
    )


def _from_token_scope(scopes: dict[str, str]) -> Permissions:
    """public/auth's scope: a named read_write right is "yes", anything else unknown."""
    trade = True if scopes.get("trade") == "read_write" else None
    return Permissions(
        reported=True,
        read=True if scopes else None,
        spot_trade=trade,
        futures=trade,
        withdraw=True if scopes.get("wallet") == "read_write" else None,
    )


def normalize(raw: Raw) -> Permissions:
    """private/list_api_keys: the calling key's `max_scope` ("wallet:read_write" = can
    withdraw) and `ip_whitelist`; else the `scope` of a public/auth answer (see the module)."""
    if AUTH_SCOPE in raw:
        return _from_token_scope(_scopes(raw.get(AUTH_SCOPE)))
    row = _calling_key(raw)
    if row is None:
        return Permissions.not_reported()
    addresses = ip_list(row.get("ip_whitelist"))
    return _from_scope(
        _scopes(row.get("max_scope")),
        ip_restricted=allowlist_in_use(addresses),
        ip_addresses=addresses,
        label=row.get("name") or None,
    )


def _needs_security_key(answer: Any) -> bool:
    result = answer.get("result") if isinstance(answer, dict) else None
    return isinstance(result, dict) and bool(result.get("security_key_authorization_required"))


async def _auth_scope(client: Any) -> Any:
    """public/auth with a client signature: HMAC(secret, timestamp\\nnonce\\ndata)."""
    timestamp = str(int(time.time() * 1000))
    nonce = secrets.token_hex(8)
    message = f"{timestamp}\n{nonce}\n".encode()
    signature = hmac.new(client.secret.encode(), message, hashlib.sha256).hexdigest()
    answer = await client.public_get_auth(
        {
            "grant_type": "client_signature",
            "client_id": client.apiKey,
            "timestamp": timestamp,
            "nonce": nonce,
            "data": "",
            "signature": signature,
        }
    )
    result = answer.get("result") if isinstance(answer, dict) else None
    return result.get("scope") if isinstance(result, dict) else None


async def fetch_raw(client: Any) -> Raw:
    answer = await client.private_get_list_api_keys()
    if _needs_security_key(answer):
        return {AUTH_SCOPE: await _auth_scope(client)}
    raw: Raw = dict(answer) if isinstance(answer, dict) else {"result": answer}
    raw[CALLING_KEY] = client.apiKey
    return raw


MODULE = ExchangeModule(
    id="deribit",
    name="Deribit",
    key_page="https://www.deribit.com/account/BTC/api",
    permissions=PermissionReader(
        fetch_raw,
        normalize,
        endpoint="GET /api/v2/private/list_api_keys (2FA accounts: GET /api/v2/public/auth)",
        doc="https://docs.deribit.com/api-reference/account-management/private-list_api_keys",
        reads=("withdraw", "trade", "IP allowlist"),
    ),
    # ccxt keeps the `result` of private/get_account_summaries: {"id", ..., "summaries"}.
    balance_shape=Shape(fields={"summaries": list}),
    # The JSON-RPC answer of list_api_keys, or the scope public/auth gave (2FA accounts).
    permission_shape=Shape(one_of=({"jsonrpc": str, "result": list}, {AUTH_SCOPE: str})),
    error_rules=(
        # 13009 "unauthorized" covers a bad signature, a stale timestamp and an address
        # outside the whitelist; its data.reason tells them apart.
        error_rule(CODE + r"13009\b.*timestamp", ProblemKind.clock_skew),
        error_rule(CODE + r"13009\b.*ip_not_whitelisted", ProblemKind.ip_not_allowed),
        error_rule(CODE + r"1300[49]\b", ProblemKind.bad_credentials),
        error_rule(CODE + r"13021\b", ProblemKind.permission_missing),
        error_rule(CODE + r"10028\b", ProblemKind.rate_limited),
    ),
)
