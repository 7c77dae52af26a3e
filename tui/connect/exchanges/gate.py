"""Gate: reading a key's permissions, and the error codes ccxt maps to the wrong kind.

Docs followed: Gate APIv4 "Query All Main Account Key Information", `GET /account/main_keys`
(https://www.gate.com/docs/developers/apiv4/en/#query-all-main-account-key-information), and
"APIv4 Permissions" (same page, #apiv4-permissions) for what each group allows: `wallet`
read-write is account records and fund transfers; `withdrawal` is a group of its own, the
only one that withdraws. main_keys' documented name list omits the withdrawal group, so its
name ("withdrawal" or "withdraw") is matched loosely and its absence is "not said".
`GET /account/detail` gives the account's IP allowlist; its `key.mode` is the account mode
(1 classic, 2 legacy unified), not a right.

main_keys has two documented shapes: the page's example is a list of keys whose `key` is the
key masked as "c5dcfbf1f3a7*****"; the page's schema (and the official gateapi SDKs'
model of it) give one object whose `key` is `{"mode": ...}`. The SDK's permission model
(gateio/gateapi-python docs/ApiV4KeyPerm.md) names wallet, spot, futures, delivery, earn
and options: no withdrawal group. A list is matched to the calling key (exact or one
masked prefix, never "the first"); the single object, which names no other key, is read as
the calling key's. An entry without a withdrawal group leaves withdrawals unknown, which
the findings turn into the `withdraw_unknown` warning with the manual checklist.
"""

from __future__ import annotations

from typing import Any

from tui.connect.exchanges.base import LABEL, ExchangeModule, PermissionReader, Raw
from tui.connect.models import Permissions
from tui.connect.parsing import allowlist_in_use, as_bool, as_time, ip_list
from tui.connect.problems import ProblemKind, error_rule
from tui.connect.seen_ip import ADDRESS
from tui.connect.shapes import Shape

MAIN_KEYS, CALLING_KEY = "main_keys", "callingKey"
"""Added by `fetch_raw` to account/detail: the main_keys list and the key it is read for."""
_WITHDRAW_GROUPS = frozenset({"withdrawal", "withdraw"})


def calling_key_entry(keys: Any, api_key: str) -> Raw | None:
    """This key's entry among main_keys, or None when it cannot be told apart.

    `key` may be the whole key, the key masked as its first characters and "*****", or an
    object (the schema's type) that names no key: only an exact match or exactly one masked
    prefix of `api_key` counts, never "the first entry".
    """
    if isinstance(keys, dict):  # the schema's shape: one object, `key` = {"mode": ...}
        shown = keys.get("key")
        named_other = isinstance(shown, str) and not _same_key(shown, api_key)
        return keys if isinstance(keys.get("perms"), list) and not named_other else None
    entries = [entry for entry in keys if isinstance(entry, dict)] if isinstance(keys, list) else []
    exact = [e for e in entries if e.get("key") == api_key]
    if len(exact) == 1:
        return exact[0]
    masked = []
    for entry in entries:
        shown = entry.get("key")
        if isinstance(shown, str) and "*" in shown:
            prefix = shown.split("*", 1)[0]
            if len(prefix) >= 4 and api_key.startswith(prefix):
                masked.append(entry)
    return masked[0] if len(masked) == 1 else None


def _same_key(shown: str, api_key: str) -> bool:
    prefix = shown.split("*", 1)[0]
    return shown == api_key or ("*" in shown and len(prefix) >= 4 and api_key.startswith(prefix))


def _rights(key_info: Raw) -> Raw:
    listed = key_info.get("perms")
    if not isinstance(listed, list):
        return {}  # no rights list: every right unknown
    groups: dict[str, bool] = {}
    for row in listed:
        name = row.get("name") if isinstance(row, dict) else None
        read_only = as_bool(row.get("read_only")) if isinstance(row, dict) else None
        if not isinstance(name, str) or read_only is None:
            return {}  # a row that cannot be read: the list cannot say what is missing
        groups[name.lower()] = read_only
    writable = {name for name, read_only in groups.items() if read_only is False}
    withdraw_groups = _WITHDRAW_GROUPS & set(groups)
    return {
        "read": bool(groups),
        "spot_trade": "spot" in writable,
        # Margin trading needs spot write plus the margin, loan or unified group.
        "margin": "margin" in writable
        or ("spot" in writable and bool(writable & {"loan", "unified"})),
        "futures": bool(writable & {"futures", "delivery", "options"}),
        "withdraw": bool(writable & _WITHDRAW_GROUPS) if withdraw_groups else None,
        "internal_transfer": "wallet" in writable,
    }


def normalize(raw: Raw) -> Permissions:
    """GET /api/v4/account/detail plus this key's entry of /account/main_keys.

    Perms are {name, read_only} rows. Without this key's entry (sub-account keys cannot list
    main keys) only the IP allowlist is known.
    """
    addresses = ip_list(raw.get("ip_whitelist"))
    key_info = calling_key_entry(raw.get(MAIN_KEYS), str(raw.get(CALLING_KEY) or ""))
    if key_info is None:
        return Permissions(
            reported=True, ip_restricted=allowlist_in_use(addresses), ip_addresses=addresses
        )
    key_ips = ip_list(key_info.get("ip_whitelist")) or addresses
    return Permissions(
        reported=True,
        **_rights(key_info),
        ip_restricted=allowlist_in_use(key_ips),
        ip_addresses=key_ips,
        created_at=as_time(key_info.get("created_at")),
        label=key_info.get("name") or None,
    )


async def fetch_raw(client: Any) -> Raw:
    detail = await client.private_account_get_detail()
    raw: Raw = dict(detail) if isinstance(detail, dict) else {}
    raw[CALLING_KEY] = client.apiKey
    try:
        raw[MAIN_KEYS] = await client.private_account_get_main_keys()
    except Exception:  # sub-account keys and older accounts cannot list main keys
        raw[MAIN_KEYS] = []
    return raw


MODULE = ExchangeModule(
    id="gate",
    name="Gate",
    key_page="https://www.gate.com/myaccount/api_key_manage",
    permissions=PermissionReader(
        fetch_raw,
        normalize,
        endpoint="GET /api/v4/account/detail, GET /api/v4/account/main_keys",
        doc="https://www.gate.com/docs/developers/apiv4/en/#query-all-main-account-key-information",
        reads=("withdraw", "transfer", "trade", "IP allowlist", "created"),
    ),
    balance_shape=Shape(root=list, items=("currency", "available", "locked")),
    permission_shape=Shape(fields={"user_id": (int, str), "ip_whitelist": list}),
    error_rules=(
        # Gate: REQUEST_EXPIRED (timestamp) comes out as AuthenticationError.
        error_rule(LABEL + r"REQUEST_EXPIRED\b", ProblemKind.clock_skew),
        error_rule(
            LABEL + r"IP_FORBIDDEN\b",
            ProblemKind.ip_not_allowed,
            address=r"not in whitelist:\s*" + ADDRESS,
            source="https://github.com/CyberPunkMetalHead/"
            "gateio-crypto-trading-bot-binance-announcements-new-coins/issues/152",
        ),
        error_rule(
            LABEL + r"(?:INVALID_KEY|INVALID_SIGNATURE|MISSING_REQUIRED_HEADER)\b",
            ProblemKind.bad_credentials,
        ),
        error_rule(LABEL + r"(?:READ_ONLY|FORBIDDEN)\b", ProblemKind.permission_missing),
        error_rule(LABEL + r"TOO_MANY_REQUESTS\b", ProblemKind.rate_limited),
    ),
)
