"""BloFin: the key's trading right, IP list, creation and expiry; withdrawals stay unknown.

Doc followed: BloFin API, "GET API Key Info", `GET /api/v1/user/query-apikey`
(https://docs.blofin.com/index.html#get-api-key-info; source: the blofin/blofin-api-docs
repository, index.md): {"code": "0", "data": {"uid", "apiName", "apiKey", "readOnly" (0 = read
and write, 1 = read only), "ips" (IPs bound), "type" (1 transaction, 2 third party),
"expireTime", "createTime" (ms strings), "parentUid" ("0" for a main-account key)}}. Keys bound
to no IP expire after 90 days ("API Key Creation").

The answer has no withdrawal flag, and "readOnly": 0 does not say whether the key may
withdraw (ccxt notes a live 152404 refusal for "an api key without the withdrawal
permission"), so the withdraw right stays unknown: never "no".

Errors (BloFin's "Error Codes", HTTP 200 {"code", "msg"}): ccxt raises PermissionDenied for
152406 (IP not in the key's whitelist) and AuthenticationError for 152402 (key expired) and
152408 (passphrase error); they are told apart here.
"""

from __future__ import annotations

from typing import Any

from tui.connect.exchanges.base import CODE, ExchangeModule, PermissionReader, Raw
from tui.connect.models import Permissions
from tui.connect.parsing import allowlist_in_use, as_bool, as_time, ip_list
from tui.connect.problems import ProblemKind, error_rule
from tui.connect.shapes import Shape


def normalize(raw: Raw) -> Permissions:
    """GET /api/v1/user/query-apikey: data.readOnly, ips, createTime, expireTime, parentUid."""
    data = raw.get("data")
    if not isinstance(data, dict) or "readOnly" not in data:
        return Permissions.could_not_read()
    read_only = as_bool(data.get("readOnly"))
    addresses = ip_list(data.get("ips"))
    parent = str(data.get("parentUid") or "").strip()
    return Permissions(
        reported=True,
        read=True,  # every BloFin key may read
        spot_trade=None if read_only is None else not read_only,
        margin=None,
        futures=None if read_only is None else not read_only,  # BloFin trades perpetuals
        withdraw=None,  # not in the answer: unknown, never "no"
        internal_transfer=None,
        ip_restricted=allowlist_in_use(addresses),
        ip_addresses=addresses,
        created_at=as_time(data.get("createTime")),
        expires_at=as_time(data.get("expireTime")),
        label=str(data.get("apiName") or "") or None,
        sub_account=None if not parent else parent != "0",
    )


async def fetch_raw(client: Any) -> Raw:
    return await client.private_get_user_query_apikey()


MODULE = ExchangeModule(
    id="blofin",
    name="BloFin",
    key_page="https://blofin.com/account/apis",
    permissions=PermissionReader(
        fetch_raw,
        normalize,
        endpoint="GET /api/v1/user/query-apikey",
        doc="https://docs.blofin.com/index.html#get-api-key-info",
        reads=("trade", "IP allowlist", "created", "expiry"),
    ),
    # GET /api/v1/account/balance: {"code": "0", "data": {"ts", "details": [...]}}.
    balance_shape=Shape(fields={"code": str, "data.details": list}),
    permission_shape=Shape(fields={"code": str, "data.apiKey": str, "data.readOnly": int}),
    error_rules=(
        # ccxt: PermissionDenied (152406) and AuthenticationError (152402, 152408).
        error_rule(CODE + r"152406\b", ProblemKind.ip_not_allowed),
        error_rule(CODE + r"152408\b", ProblemKind.bad_passphrase),
        error_rule(
            CODE + r"152402\b",
            ProblemKind.bad_credentials,
            "{name} says this API key has expired (152402).",
            "BloFin keys bound to no IP address expire after 90 days. Create a new key on "
            "{name}'s API page (bind it to your IP addresses) and replace it in Keydeck.",
        ),
        error_rule(CODE + r"15240[19]\b", ProblemKind.bad_credentials),
        error_rule(CODE + r"15240[57]\b|" + CODE + r"152410\b", ProblemKind.clock_skew),
        error_rule(CODE + r"152404\b", ProblemKind.permission_missing),
    ),
)
