"""BingX: reading a key's permissions, and the error codes ccxt maps to the wrong kind.

Doc followed: BingX "Query API Key Permissions", `GET /openApi/v1/account/apiPermissions`
(https://bingx-api.github.io/docs/#/en-us/common/sub-account): `data = {"apiKey",
"permissions": [codes], "ipAddresses": [...], "note"}` with the codes of BingX's API-key
endpoints: 1 spot trading, 2 read, 3 perpetual futures trading, 4 universal transfer,
5 withdraw, 7 internal transfer between sub-accounts. A newer BingX reference describes the
same path answering Binance-style flags (`enableWithdrawals`, `ipRestrict`, `createTime`,
...); both shapes are read. BingX reports no expiry.
"""

from __future__ import annotations

from typing import Any

from tui.connect.exchanges.base import CODE, ExchangeModule, PermissionReader, Raw
from tui.connect.models import Permissions
from tui.connect.parsing import allowlist_in_use, as_bool, as_list, as_time, ip_list, unwrap
from tui.connect.problems import ProblemKind, error_rule
from tui.connect.shapes import Shape

SPOT_TRADING, READ, PERPETUAL_TRADING, UNIVERSAL_TRANSFER, WITHDRAW = 1, 2, 3, 4, 5
SUB_ACCOUNT_TRANSFER = 7


def _codes(value: Any) -> set[int]:
    return {int(code) for code in as_list(value) if code.lstrip("-").isdigit()}


def _from_flags(data: Raw) -> Permissions:
    """The Binance-style answer: enableReading, enableWithdrawals, ipRestrict, createTime."""
    transfer = [
        as_bool(data.get(k)) for k in ("enableInternalTransfer", "permitsUniversalTransfer")
    ]
    return Permissions(
        reported=True,
        read=as_bool(data.get("enableReading")),
        spot_trade=as_bool(data.get("enableSpotAndMarginTrading")),
        margin=None,
        futures=as_bool(data.get("enableFutures")),
        withdraw=as_bool(data.get("enableWithdrawals")),
        internal_transfer=None if all(t is None for t in transfer) else any(transfer),
        ip_restricted=as_bool(data.get("ipRestrict")),
        created_at=as_time(data.get("createTime")),
    )


def normalize(raw: Raw) -> Permissions:
    """GET /openApi/v1/account/apiPermissions: permissions [1, 2, 5], ipAddresses [...]."""
    data = unwrap(raw, "data")
    if not isinstance(data, dict):
        return Permissions.not_reported()
    if "permissions" not in data and "enableWithdrawals" in data:
        return _from_flags(data)
    codes = _codes(data.get("permissions"))
    addresses = ip_list(data.get("ipAddresses"))
    return Permissions(
        reported=True,
        read=READ in codes,
        spot_trade=SPOT_TRADING in codes,
        margin=None,  # BingX has no spot margin permission
        futures=PERPETUAL_TRADING in codes,
        withdraw=WITHDRAW in codes,
        internal_transfer=bool(codes & {UNIVERSAL_TRANSFER, SUB_ACCOUNT_TRANSFER}),
        ip_restricted=allowlist_in_use(addresses),
        ip_addresses=addresses,
        label=data.get("note") or None,
    )


async def fetch_raw(client: Any) -> Raw:
    return await client.account_v1_private_get_account_apipermissions()


MODULE = ExchangeModule(
    id="bingx",
    name="BingX",
    key_page="https://bingx.com/en/account/api/",
    permissions=PermissionReader(
        fetch_raw,
        normalize,
        endpoint="GET /openApi/v1/account/apiPermissions",
        doc="https://bingx-api.github.io/docs/#/en-us/common/sub-account",
        reads=("withdraw", "transfer", "trade", "IP allowlist"),
    ),
    # spot "Query Assets": {"code": 0, "msg", "data": {"balances": [...]}}.
    balance_shape=Shape(fields={"code": int, "data.balances": list}),
    # Either documented form (see the module docstring): a code list or Binance-style flags.
    permission_shape=Shape(
        fields={"code": int, "data": dict},
        one_of=({"data.permissions": list}, {"data.enableWithdrawals": bool}),
    ),
    error_rules=(
        # BingX: ccxt raises BadSymbol for a stale timestamp (100421), PermissionDenied for an
        # IP outside the whitelist (100419) and OperationFailed for the rate limit (100410).
        error_rule(CODE + r"100421\b", ProblemKind.clock_skew),
        error_rule(CODE + r"100419\b", ProblemKind.ip_not_allowed),
        error_rule(CODE + r"(?:100413|100001)\b", ProblemKind.bad_credentials),
        error_rule(CODE + r"100004\b", ProblemKind.permission_missing),
        error_rule(CODE + r"100410\b", ProblemKind.rate_limited),
    ),
)
