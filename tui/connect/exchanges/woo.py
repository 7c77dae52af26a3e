"""WOO X: reading a key's permissions from the account's key list, and WOO's error codes.

Doc followed: WOO X v3 "Get account api key permission", `GET /v3/account/credentials`
(https://developer.woox.io/api-reference/endpoint/account/credentials): every key of the
account, paged (`page`, `size` up to 1000, `meta.total`), each with `accountName`, `userId`,
`apiKey`, `permissions` (READ, TRADE, WITHDRAWAL) and `allowedIPs`, a field WOO leaves out
when the key has no IP restriction. No creation or expiry dates. WOO allows 10 calls per
60 s (ccxt counts it as cost 60).

The documented example masks the key ("+Pxxxxxxxxxxxxxxxxxxxx=="), so the calling key is
found by exact match, else by the masked pattern only when exactly one key of the complete
list fits it; never "the first entry". Without it nothing about the key is known.

Errors (ccxt's woo exceptions): -1001 (key or secret in the wrong format) and -1002 (key
rejected, "may because key have insufficient permission or the key is expired/revoked")
are AuthenticationError. A stale timestamp is 317179 ("the receive window ... is exceeded",
ccxt: BadRequest); WOO's docs name no window, so that code is the one ccxt knows, assumed.
"""

from __future__ import annotations

from typing import Any

from tui.connect.exchanges.base import CODE, ExchangeModule, PermissionReader, Raw
from tui.connect.models import Permissions
from tui.connect.parsing import allowlist_in_use, as_list, ip_list
from tui.connect.problems import ProblemKind, error_rule
from tui.connect.shapes import Shape

CALLING_KEY = "callingKey"
"""Added by `fetch_raw`: the key the listed rows are matched against."""
PAGE_SIZE = 1000  # WOO's maximum
MAX_PAGES = 5  # at 10 calls per minute; a longer list stays incomplete (no masked match)
_MASK = "x"
_MIN_VISIBLE = 2  # characters besides base64 padding a masked key must show to be matched


def _mask_fits(shown: str, api_key: str) -> bool:
    """True when `shown` is `api_key` with characters replaced by x's (WOO's masking)."""
    if len(shown) != len(api_key) or _MASK * 4 not in shown:
        return False
    visible = [(s, k) for s, k in zip(shown, api_key, strict=True) if s != _MASK]
    if sum(1 for s, _ in visible if s != "=") < _MIN_VISIBLE:
        return False
    return all(s == k for s, k in visible)


def calling_key_row(rows: list[Any], api_key: str, complete: bool) -> Raw | None:
    """The calling key's row: the one exact match, else the one masked row that fits it in a
    complete list; None when it cannot be told apart."""
    entries = [row for row in rows if isinstance(row, dict)]
    exact = [row for row in entries if row.get("apiKey") == api_key]
    if exact:
        return exact[0] if len(exact) == 1 else None
    if not complete or not api_key:
        return None
    fitting = [
        row
        for row in entries
        if isinstance(row.get("apiKey"), str) and _mask_fits(row["apiKey"], api_key)
    ]
    return fitting[0] if len(fitting) == 1 else None


def _is_complete(data: Raw, rows: list[Any]) -> bool:
    total = (data.get("meta") or {}).get("total") if isinstance(data.get("meta"), dict) else None
    return isinstance(total, int) and not isinstance(total, bool) and len(rows) >= total


def normalize(raw: Raw) -> Permissions:
    """GET /v3/account/credentials (all pages): the calling key's row, e.g.
    {"apiKey": "+Px…x==", "permissions": ["READ", "TRADE", "WITHDRAWAL"], "allowedIPs": [...]}.

    TRADE is WOO's one trading right (spot, margin and futures alike): margin and futures
    stay "not said". WOO names no right for transfers between accounts.
    """
    data: Raw = raw["data"] if isinstance(raw.get("data"), dict) else {}
    rows: list[Any] = data["rows"] if isinstance(data.get("rows"), list) else []
    row = calling_key_row(rows, str(raw.get(CALLING_KEY) or ""), _is_complete(data, rows))
    if row is None:
        return Permissions.could_not_read()
    names = {name.upper() for name in as_list(row.get("permissions"))}
    addresses = ip_list(row.get("allowedIPs"))
    return Permissions(
        reported=True,
        read="READ" in names,
        spot_trade="TRADE" in names,
        margin=None,
        futures=None,
        withdraw="WITHDRAWAL" in names,
        internal_transfer=None,
        ip_restricted=allowlist_in_use(addresses),
        ip_addresses=addresses,
    )


async def fetch_raw(client: Any) -> Raw:
    """Every page of the key list (at most MAX_PAGES), as one answer plus the calling key."""
    first: Any = None
    rows: list[Any] = []
    for page in range(1, MAX_PAGES + 1):
        answer = await client.v3_private_get_account_credentials({"page": page, "size": PAGE_SIZE})
        if first is None:
            first = answer
        data = answer.get("data") if isinstance(answer, dict) else None
        page_rows = data.get("rows") if isinstance(data, dict) else None
        if not isinstance(page_rows, list) or not page_rows:
            break
        rows.extend(page_rows)
        if isinstance(data, dict) and _is_complete(data, rows):
            break
    if not isinstance(first, dict):
        return first  # not an object: the service's shape check refuses it
    raw: Raw = dict(first)
    if isinstance(first.get("data"), dict):
        raw["data"] = {**first["data"], "rows": rows}
    raw[CALLING_KEY] = client.apiKey
    return raw


MODULE = ExchangeModule(
    id="woo",
    name="WOO X",
    key_page="https://support.woox.io/hc/en-us/articles/4410291152793--API-creation",
    permissions=PermissionReader(
        fetch_raw,
        normalize,
        endpoint="GET /v3/account/credentials",
        doc="https://developer.woox.io/api-reference/endpoint/account/credentials",
        reads=("withdraw", "trade", "IP allowlist"),
    ),
    # GET /v3/asset/balances: ccxt keeps its `data`, {"holding": [{"token", "holding",
    # "availableBalance", ...}]}; an empty list is an account with nothing in it.
    balance_shape=Shape(fields={"holding": list}),
    # The list always holds the calling key, so it is never empty.
    permission_shape=Shape(
        fields={"success": bool, "data.rows.0.apiKey": str, "data.rows.0.permissions": list}
    ),
    error_rules=(
        # ccxt raises BadRequest for a stale timestamp; it is the clock.
        error_rule(CODE + r"317179\b", ProblemKind.clock_skew),
        error_rule(
            CODE + r"-1002\b",
            ProblemKind.bad_credentials,
            "{name} refused the API key (-1002).",
            "WOO X gives -1002 for a wrong key or secret, a revoked or expired key, a missing "
            "permission and a request from an IP address outside the key's list. Check the "
            "key on {name}'s API page and paste key and secret again.",
        ),
        error_rule(CODE + r"-1001\b", ProblemKind.bad_credentials),
        error_rule(CODE + r"-1003\b", ProblemKind.rate_limited),
    ),
)
