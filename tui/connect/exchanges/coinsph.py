"""Coins.ph (ccxt `coinsph`): the calling key's rights from the account's key list.

Doc followed: Coins.ph REST API, "Api Key information (USER_DATA)", `GET /openapi/v1/api-keys`
(https://coins-docs.github.io/rest-api/, added 2025-10-15): a list of the account's keys,
each `{"apiKey", "apiName", "apiType": [...], "createTime" (ms string),
"ipAccessRestrictions": [...], "status": "ENABLE" | "NOT_ENABLE"}`. The doc's example shows a
key with "Enable Spot", "Enable Convert", "Enable Crypto Wallet", "Enable Fiat" and "Enable
Account", and one with "Read only".

The doc names the rights but does not define them. Read here: "Enable Crypto Wallet" is the
right to the crypto wallet endpoints (`/openapi/wallet/v1/withdraw/apply` among them) and
"Enable Fiat" the fiat cash-out ones (`/openapi/fiat/v1/cash-out`): either sends funds off
Coins.ph, so either is the withdraw right. A key whose types are all known and none of them
moves funds ("Read only", "Enable Spot", "Enable Convert") cannot withdraw. Any other type
("Enable Account", which may cover sub-account transfers, or one the doc does not show)
leaves withdrawals unknown: never "no".

The calling key is found by exact match in the list; without it nothing is known.

Errors (Coins.ph's error codes, https://coins-docs.github.io/errors/): ccxt raises BadRequest
for -1021 TIMESTAMP_OUT_OF_WINDOW and -1022 INVALID_SIGNATURE, NotSupported for -1152
NO_PERMISSION and a plain ExchangeError for -2017 IP_NOT_IN_WHITELIST and -2018
API_KEY_NOT_EXIST, so those are classified here.
"""

from __future__ import annotations

from typing import Any

from tui.connect.exchanges.base import CODE, ExchangeModule, PermissionReader, Raw, names_in
from tui.connect.models import Permissions
from tui.connect.parsing import allowlist_in_use, as_time, ip_list
from tui.connect.problems import ProblemKind, error_rule
from tui.connect.shapes import Shape

CALLING_KEY = "callingKey"
"""Added by `fetch_raw`: the key the listed keys are matched against."""

WITHDRAW_TYPES = frozenset({"enable crypto wallet", "enable fiat"})
NO_FUNDS_MOVED = frozenset({"read only", "enable spot", "enable convert"})
TRADE_TYPES = frozenset({"enable spot", "enable convert"})


def calling_key_row(raw: Raw) -> Raw | None:
    rows = raw.get("data")
    wanted = str(raw.get(CALLING_KEY) or "")
    if not isinstance(rows, list) or not wanted:
        return None
    matching = [row for row in rows if isinstance(row, dict) and row.get("apiKey") == wanted]
    return matching[0] if len(matching) == 1 else None


def _withdraw(types: set[str]) -> bool | None:
    if types & WITHDRAW_TYPES:
        return True
    return False if types <= NO_FUNDS_MOVED else None


def normalize(raw: Raw) -> Permissions:
    """GET /openapi/v1/api-keys (wrapped by `fetch_raw` as {"data": [...], "callingKey"}):
    the calling key's `apiType` list, IP restrictions and creation time."""
    row = calling_key_row(raw)
    types = names_in(row.get("apiType"), list) if row is not None else None
    if row is None or not types:
        return Permissions.could_not_read()
    addresses = ip_list(row.get("ipAccessRestrictions"))
    known = types <= NO_FUNDS_MOVED | WITHDRAW_TYPES
    return Permissions(
        reported=True,
        read=True,  # every key reads; "Read only" says it can do nothing else
        spot_trade=True if types & TRADE_TYPES else (False if known else None),
        margin=None,
        futures=None,
        withdraw=_withdraw(types),
        internal_transfer=None,
        ip_restricted=allowlist_in_use(addresses)
        if isinstance(row.get("ipAccessRestrictions"), list)
        else None,
        ip_addresses=addresses,
        created_at=as_time(row.get("createTime")),
        label=str(row.get("apiName") or "") or None,
    )


async def fetch_raw(client: Any) -> Raw:
    answer = await client.private_get_openapi_v1_api_keys()
    return {"data": answer, CALLING_KEY: client.apiKey}


MODULE = ExchangeModule(
    id="coinsph",
    name="Coins.ph",
    # ccxt's `www`: Coins.ph names no key-management URL of its own; keys are made there,
    # signed in, under the account's API settings.
    key_page="https://coins.ph/",
    permissions=PermissionReader(
        fetch_raw,
        normalize,
        endpoint="GET /openapi/v1/api-keys",
        doc="https://coins-docs.github.io/rest-api/#api-key-information-user_data",
        reads=("withdraw", "trade", "IP allowlist", "created"),
    ),
    # GET /openapi/v1/account: canTrade and the balances list, as Binance's.
    balance_shape=Shape(fields={"balances": list}),
    # The list always holds the calling key, so it is never empty.
    permission_shape=Shape(fields={"data.0.apiKey": str}),
    error_rules=(
        error_rule(CODE + r"-1021\b", ProblemKind.clock_skew),
        error_rule(CODE + r"-(?:1022|2018|2015)\b", ProblemKind.bad_credentials),
        error_rule(CODE + r"-2017\b", ProblemKind.ip_not_allowed),
        error_rule(CODE + r"-1152\b", ProblemKind.permission_missing),
        error_rule(CODE + r"-1003\b", ProblemKind.rate_limited),
    ),
)
