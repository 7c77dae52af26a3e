"""HTX (Huobi): reading a key's permissions, error texts, and the spot-only market option.

Doc followed: HTX "API key query", `GET /v2/user/api-key?uid=&accessKey=`
(https://www.htx.com/en-us/opend/newApiPages/?id=7ec52c92-7773-11ed-9966-0242ac110003), with
the uid from "Get UID", `GET /v2/user/uid`. `permission` is a comma list of readOnly, trade
and withdraw (doc example "readOnly,trade,withdraw"), `ipAddresses` a comma list ("" = none),
`validDays` the days left (-1 = permanent), `createTime` in ms.
"""

from __future__ import annotations

from typing import Any

from tui.connect.exchanges.base import ExchangeModule, PermissionReader, Raw, names_in
from tui.connect.models import Permissions
from tui.connect.parsing import allowlist_in_use, as_time, expiry_in_days, ip_list
from tui.connect.problems import ProblemKind, error_rule
from tui.connect.seen_ip import ADDRESS
from tui.connect.shapes import Shape

CALLING_KEY = "callingKey"
"""Added by `fetch_raw` to HTX's answer: the access key the rows are matched against."""


def calling_key_row(raw: Raw) -> Raw | None:
    """The row of `data` describing the calling key: matched on `accessKey`; without the
    calling key, only an answer of exactly one row (HTX filtered it by `accessKey`)."""
    rows = [row for row in raw.get("data") or [] if isinstance(row, dict)]
    wanted = raw.get(CALLING_KEY)
    if wanted:
        matching = [row for row in rows if row.get("accessKey") == wanted]
        return matching[0] if len(matching) == 1 else None
    return rows[0] if len(rows) == 1 else None


def normalize(raw: Raw) -> Permissions:
    """GET /v2/user/api-key: permission "readOnly,trade,withdraw", ipAddresses, validDays."""
    row = calling_key_row(raw)
    if row is None:
        return Permissions.not_reported()
    names = names_in(row.get("permission"), str)  # None: the field is missing or mistyped
    addresses = ip_list(row.get("ipAddresses"))
    return Permissions(
        reported=True,
        read=None if names is None else "readonly" in names,
        spot_trade=None if names is None else "trade" in names,
        margin=None,  # HTX's one "trade" right covers every product; it names none apart
        futures=None,
        withdraw=None if names is None else "withdraw" in names,
        internal_transfer=None,
        ip_restricted=allowlist_in_use(addresses),
        ip_addresses=addresses,
        created_at=as_time(row.get("createTime")),
        expires_at=expiry_in_days(row.get("validDays")),
        label=row.get("note") or None,
    )


async def fetch_raw(client: Any) -> Raw:
    uid = await client.v2private_get_user_uid()
    user = uid.get("data") if isinstance(uid, dict) else None
    answer = await client.v2private_get_user_api_key({"uid": user, "accessKey": client.apiKey})
    raw: Raw = dict(answer) if isinstance(answer, dict) else {"data": answer}
    raw[CALLING_KEY] = client.apiKey
    return raw


MODULE = ExchangeModule(
    id="htx",
    name="HTX",
    key_page="https://www.htx.com/en-us/apikey/",
    permissions=PermissionReader(
        fetch_raw,
        normalize,
        endpoint="GET /v2/user/uid, GET /v2/user/api-key",
        doc="https://www.htx.com/en-us/opend/newApiPages/?id=7ec52c92-7773-11ed-9966-0242ac110003",
        reads=("withdraw", "trade", "IP allowlist", "created", "expiry"),
    ),
    # v1 "Get Account Balance": {"status": "ok", "data": {"id", "type", "state", "list"}}.
    balance_shape=Shape(fields={"status": str, "data.list": list}),
    # v2 answers {"code": 200, "message", "data": [rows], "ok"}.
    permission_shape=Shape(fields={"code": int, "data": list}),
    error_rules=(
        # HTX's gateway refuses every authentication problem with err-code
        # api-signature-not-valid (ccxt: AuthenticationError); the message tells them apart.
        error_rule(r"Invalid submission time", ProblemKind.clock_skew),
        error_rule(
            r"Incorrect IP address",
            ProblemKind.ip_not_allowed,
            address=r"Incorrect IP address[^:\"]{0,60}:\s*" + ADDRESS,
            source="https://github.com/HuobiRDCenter/huobi_Python/issues/110",
        ),
        error_rule(r"Incorrect Access key|Verification failure", ProblemKind.bad_credentials),
        error_rule(r"has no permission", ProblemKind.permission_missing),
        error_rule(r"base-request-exceed-frequency-limit", ProblemKind.rate_limited),
    ),
    # ccxt's htx reads the market types as a dict; only spot is priced.
    client_options={"fetchMarkets": {"types": {"spot": True, "linear": False, "inverse": False}}},
)
