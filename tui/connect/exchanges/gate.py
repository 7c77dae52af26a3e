"""Gate: reading a key's permissions, and the error codes ccxt maps to the wrong kind."""

from __future__ import annotations

from typing import Any

from tui.connect.exchanges.base import LABEL, ExchangeModule, PermissionReader, Raw
from tui.connect.models import Permissions
from tui.connect.parsing import allowlist_in_use, as_bool, as_time, ip_list
from tui.connect.problems import ProblemKind, error_rule
from tui.connect.shapes import Shape


def normalize(raw: Raw) -> Permissions:
    """GET /api/v4/account/detail, plus this key's entry from /account/main_keys as "key_info".

    Without main_keys only the IP allowlist is known. Perms are {name, read_only} rows; a
    writable "wallet" perm allows withdrawals and transfers.
    """
    addresses = ip_list(raw.get("ip_whitelist"))
    key_info = raw.get("key_info")
    if not isinstance(key_info, dict):
        return Permissions(
            reported=True, ip_restricted=allowlist_in_use(addresses), ip_addresses=addresses
        )
    writable = {
        str(p.get("name", "")).lower()
        for p in key_info.get("perms") or []
        if isinstance(p, dict) and as_bool(p.get("read_only")) is False
    }
    readable = {
        str(p.get("name", "")).lower() for p in key_info.get("perms") or [] if isinstance(p, dict)
    }
    key_ips = ip_list(key_info.get("ip_whitelist")) or addresses
    return Permissions(
        reported=True,
        read=bool(readable),
        spot_trade="spot" in writable,
        # Margin trading needs spot write plus the loan (or unified) group.
        margin="margin" in writable
        or ("spot" in writable and bool(writable & {"loan", "unified"})),
        futures=bool(writable & {"futures", "delivery", "options"}),
        withdraw="wallet" in writable or "withdraw" in writable,
        internal_transfer="wallet" in writable or "transfer" in writable,
        ip_restricted=allowlist_in_use(key_ips),
        ip_addresses=key_ips,
        created_at=as_time(key_info.get("created_at")),
        label=key_info.get("name") or None,
    )


async def fetch_raw(client: Any) -> Raw:
    detail = await client.private_account_get_detail()
    raw: Raw = dict(detail) if isinstance(detail, dict) else {}
    try:
        keys = await client.private_account_get_main_keys()
    except Exception:  # sub-account keys and older accounts cannot list main keys
        return raw
    for entry in keys if isinstance(keys, list) else []:
        if isinstance(entry, dict) and entry.get("key") == client.apiKey:
            raw["key_info"] = entry
            break
    return raw


MODULE = ExchangeModule(
    id="gate",
    name="Gate",
    key_page="https://www.gate.com/myaccount/api_key_manage",
    permissions=PermissionReader(fetch_raw, normalize),
    balance_shape=Shape(root=list, items=("currency", "available", "locked")),
    permission_shape=Shape(fields={"user_id": (int, str), "ip_whitelist": list}),
    error_rules=(
        # Gate: REQUEST_EXPIRED (timestamp) comes out as AuthenticationError.
        error_rule(LABEL + r"REQUEST_EXPIRED\b", ProblemKind.clock_skew),
        error_rule(LABEL + r"IP_FORBIDDEN\b", ProblemKind.ip_not_allowed),
        error_rule(
            LABEL + r"(?:INVALID_KEY|INVALID_SIGNATURE|MISSING_REQUIRED_HEADER)\b",
            ProblemKind.bad_credentials,
        ),
        error_rule(LABEL + r"(?:READ_ONLY|FORBIDDEN)\b", ProblemKind.permission_missing),
        error_rule(LABEL + r"TOO_MANY_REQUESTS\b", ProblemKind.rate_limited),
    ),
)
