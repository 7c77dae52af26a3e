"""MEXC (spot v3): reading a key's permissions, and the error codes ccxt maps to the wrong kind.

Doc followed: MEXC spot v3 "Query APIKey Info", `GET /api/v3/apiKeyInfo?accessKey=`
(https://www.mexc.com/api-docs/spot-v3/spot-account-trade/query-api-key-info). Its fields
(`permissions` comma list, `ipWhiteList` comma list, "" = not bound, `remainingValidity` in
days, `createTime` ISO-8601, `status`) were checked against a client's recorded answer; the
permission names are the ones MEXC's endpoint pages require ("Permission: SPOT_WITHDRAW_WRITE"
on `POST /api/v3/capital/withdraw` and `/capital/transfer/internal`, SPOT_TRANSFER_WRITE on
universal transfers). Never POST to the same path: that replaces the key's IP list.
"""

from __future__ import annotations

from typing import Any

from tui.connect.exchanges.base import CODE, ExchangeModule, PermissionReader, Raw, names_in
from tui.connect.models import Permissions
from tui.connect.parsing import allowlist_in_use, as_time, expiry_in_days, ip_list
from tui.connect.problems import ProblemKind, error_rule
from tui.connect.seen_ip import ADDRESS
from tui.connect.shapes import Shape


def normalize(raw: Raw) -> Permissions:
    """GET /api/v3/apiKeyInfo: permissions "SPOT_ACCOUNT_READ,SPOT_DEAL_WRITE,...".

    SPOT_WITHDRAW_WRITE sends funds off MEXC (withdrawals, transfers to other MEXC users);
    SPOT_TRANSFER_WRITE moves them between your own accounts.
    """
    listed = names_in(raw.get("permissions"), str)  # None: missing or mistyped
    names = {name.upper() for name in listed or ()}

    def has(name: str) -> bool | None:
        return None if listed is None else name in names

    addresses = ip_list(raw.get("ipWhiteList"))
    return Permissions(
        reported=True,
        read=None if listed is None else any(name.endswith("_READ") for name in names),
        spot_trade=has("SPOT_DEAL_WRITE"),
        margin=None,  # MEXC's spot v3 keys have no margin permission of their own
        futures=has("CONTRACT_DEAL_WRITE"),
        withdraw=has("SPOT_WITHDRAW_WRITE"),
        internal_transfer=has("SPOT_TRANSFER_WRITE"),
        ip_restricted=allowlist_in_use(addresses),
        ip_addresses=addresses,
        created_at=as_time(raw.get("createTime")),
        expires_at=expiry_in_days(raw.get("remainingValidity")),
        label=raw.get("note") or None,
    )


async def fetch_raw(client: Any) -> Raw:
    return await client.spot_private_get_apikeyinfo({"accessKey": client.apiKey})


MODULE = ExchangeModule(
    id="mexc",
    name="MEXC",
    key_page="https://www.mexc.com/user/openapi",
    permissions=PermissionReader(
        fetch_raw,
        normalize,
        endpoint="GET /api/v3/apiKeyInfo",
        doc="https://www.mexc.com/api-docs/spot-v3/spot-account-trade/query-api-key-info",
        reads=("withdraw", "transfer", "trade", "IP allowlist", "created", "expiry"),
    ),
    # GET /api/v3/account (spot "Account Information"): canTrade and the balances list.
    balance_shape=Shape(fields={"canTrade": bool, "balances": list}),
    # apiKeyInfo: both lists come as comma text ("" = no IP bound); a JSON list is read too.
    permission_shape=Shape(fields={"permissions": (str, list), "ipWhiteList": (str, list)}),
    error_rules=(
        # MEXC: ccxt raises BadRequest for an unknown (or expired) key, 10072, and for an IP
        # outside the key's list, 700006.
        error_rule(CODE + r"10072\b", ProblemKind.bad_credentials),
        error_rule(CODE + r"70000[35]\b", ProblemKind.clock_skew),
        error_rule(
            CODE + r"700006\b",
            ProblemKind.ip_not_allowed,
            address=r"IP \[" + ADDRESS,
            source="https://github.com/ccxt/ccxt/blob/master/js/src/mexc.js",
        ),
        error_rule(CODE + r"70000[12]\b", ProblemKind.bad_credentials),
        error_rule(CODE + r"700007\b", ProblemKind.permission_missing),
        error_rule(CODE + r"429\b", ProblemKind.rate_limited),
    ),
)
