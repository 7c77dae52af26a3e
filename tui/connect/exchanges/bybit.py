"""Bybit: reading a key's permissions, and the error codes ccxt maps to the wrong kind.

Doc followed: Bybit v5 "Get API Key Information", `GET /v5/user/query-api`
(https://bybit-exchange.github.io/docs/v5/user/apikey-info). Its example answers
`"ips": ["*"]` for a key bound to no IP: "*" is no allowlist. `expiredAt` (and `deadlineDay`)
come only with keys bound to no IP or after a password change; otherwise there is no expiry.

Rights, from the same page's `permissions` groups: `Wallet` holds `Withdraw` (critical) and
the transfer rights `AccountTransfer`, `SubMemberTransfer` and `SubMemberTransferList` (the
last is the transfer right of sub-account keys). `FiatP2P` (P2P orders and adverts) and
`FiatBybitPay` (Bybit Pay orders), master keys only, hand funds to other people, so any
right in them counts as moving funds off Bybit: withdraw. `readOnly` 1 makes every group
read-only. A missing or mistyped `permissions` or `readOnly` leaves the rights unknown.
"""

from __future__ import annotations

from typing import Any

from tui.connect.exchanges.base import CODE, ExchangeModule, PermissionReader, Raw
from tui.connect.models import Permissions
from tui.connect.parsing import allowlist_in_use, as_bool, as_time, ip_list, unwrap
from tui.connect.problems import ProblemKind, error_rule
from tui.connect.shapes import Shape

_TRANSFER = frozenset({"AccountTransfer", "SubMemberTransfer", "SubMemberTransferList"})
_PAYS_OUT = ("FiatP2P", "FiatBybitPay")  # groups whose rights hand funds to others


def normalize(raw: Raw) -> Permissions:
    """GET /v5/user/query-api: readOnly, permissions{Spot, ContractTrade, Wallet...}, ips."""
    data = unwrap(raw, "result")
    listed = data.get("permissions")
    read_only = as_bool(data.get("readOnly"))
    addresses = ip_list(data.get("ips"))
    is_master = as_bool(data.get("isMaster"))
    common: dict[str, Any] = {
        "reported": True,
        "ip_restricted": allowlist_in_use(addresses),
        "ip_addresses": addresses,
        "created_at": as_time(data.get("createdAt")),
        "expires_at": as_time(data.get("expiredAt")),
        "label": data.get("note") or None,
        "sub_account": None if is_master is None else not is_master,
    }
    if not isinstance(listed, dict):
        return Permissions(**common)
    groups: dict[str, Any] = {str(key): value for key, value in listed.items()}

    def group(name: str) -> set[str] | None:
        """The rights of one group; None when the group is missing or not a list."""
        value = groups.get(name)
        return {str(right) for right in value} if isinstance(value, list) else None

    def any_of(*names: str) -> bool | None:
        found = [group(name) for name in names]
        if any(rights for rights in found):
            return True
        return None if None in found else False

    wallet = group("Wallet")
    pays_out = any(group(name) for name in _PAYS_OUT)  # master keys only: absent is "no"
    if pays_out or (wallet is not None and "Withdraw" in wallet):
        withdraw: bool | None = True
    else:
        withdraw = None if wallet is None else False
    writable = None if read_only is None else not read_only

    def trade(*names: str) -> bool | None:
        if writable is False:
            return False
        rights = any_of(*names)
        return None if writable is None or rights is None else rights

    return Permissions(
        **common,
        read=True,
        spot_trade=trade("Spot"),
        margin=None,  # Bybit has no separate margin permission to report
        futures=trade("ContractTrade", "Derivatives", "Options"),
        withdraw=withdraw,
        internal_transfer=None if wallet is None else bool(wallet & _TRANSFER),
    )


async def fetch_raw(client: Any) -> Raw:
    return await client.private_get_v5_user_query_api()


MODULE = ExchangeModule(
    id="bybit",
    name="Bybit",
    key_page="https://www.bybit.com/app/user/api-management",
    permissions=PermissionReader(
        fetch_raw,
        normalize,
        endpoint="GET /v5/user/query-api",
        doc="https://bybit-exchange.github.io/docs/v5/user/apikey-info",
        reads=("withdraw", "transfer", "trade", "IP allowlist", "created", "expiry"),
    ),
    balance_shape=Shape(fields={"retCode": int, "result.list": list}),
    permission_shape=Shape(
        fields={"retCode": int, "result.readOnly": int, "result.permissions": dict}
    ),
    error_rules=(
        # Bybit.
        error_rule(CODE + r"10002\b", ProblemKind.clock_skew),
        error_rule(CODE + r"10010\b", ProblemKind.ip_not_allowed),
        error_rule(
            CODE + r"33004\b",
            ProblemKind.bad_credentials,
            "This {name} API key has expired.",
        ),
        error_rule(CODE + r"1000[34]\b", ProblemKind.bad_credentials),
        error_rule(CODE + r"10005\b", ProblemKind.permission_missing),
        error_rule(CODE + r"10006\b|" + CODE + r"10018\b", ProblemKind.rate_limited),
    ),
)
