"""Bitget: reading a key's permissions, and the error codes ccxt maps to the wrong kind.

Doc followed: Bitget v2 "Get Account Information", `GET /api/v2/spot/account/info`
(https://www.bitget.com/api-doc/spot/account/Get-Account-Info): `ips` is a comma string;
`authorities` is described as codes (`stow` spot trade, `wwow` wallet withdrawal, `...or`
read-only) while the doc's example shows words (`["trade", "readonly"]`): both are read.

Decided from that page: the code form is complete (one code per right, `wwow` the only
withdrawal code), so with codes a missing `wwow` means "no withdrawals". The word form's
documented words are only "trade" and "readonly"; no withdrawal or transfer word is
documented, so an answer in words leaves withdraw and transfer unknown (the findings add
`withdraw_unknown` with the manual checklist) unless a word says "withdraw"/"transfer".
An answer without an `authorities` list leaves every right unknown.
"""

from __future__ import annotations

import re
from typing import Any

from tui.connect.exchanges.base import CODE, ExchangeModule, PermissionReader, Raw
from tui.connect.models import Permissions
from tui.connect.parsing import allowlist_in_use, ip_list, unwrap
from tui.connect.problems import ProblemKind, error_rule
from tui.connect.shapes import Shape

_CODE = re.compile(r"^[a-z*]{2}o[wr]$")  # "stow", "wwor", "*r"-style codes


def normalize(raw: Raw) -> Permissions:
    """GET /api/v2/spot/account/info: authorities ["stow", "wwow", ...], ips "a,b".

    Codes: st = spot, sm = margin, co/cp = futures, wt = wallet transfer, ww = withdraw;
    "...ow" is read-and-write, "...or" read-only. `regisTime` is the account's, not the key's.
    """
    data = unwrap(raw, "data")
    listed = data.get("authorities")
    addresses = ip_list(data.get("ips"))
    parent = data.get("parentId")
    user = data.get("userId")
    sub_account = None
    if parent not in (None, "", 0, "0") and user is not None:
        sub_account = str(parent) != str(user)
    common: dict[str, Any] = {
        "reported": True,
        "ip_restricted": allowlist_in_use(addresses),
        "ip_addresses": addresses,
        "sub_account": sub_account,
    }
    if not isinstance(listed, list):
        return Permissions(**common)
    codes = {str(c).lower() for c in listed}
    coded = any(_CODE.match(c) for c in codes)  # the code form: complete, absence is "no"
    withdraw = bool(codes & {"wwow", "withdraw", "withdrawal"})
    transfer = bool(codes & {"wtow", "transfer"})
    return Permissions(
        **common,
        read=bool(codes),
        spot_trade=bool(codes & {"stow", "trade"}),
        margin="smow" in codes if coded else None,
        futures=bool(codes & {"coow", "cpow"}) if coded else None,
        withdraw=withdraw if withdraw or coded else None,
        internal_transfer=transfer if transfer or coded else None,
    )


async def fetch_raw(client: Any) -> Raw:
    return await client.private_spot_get_v2_spot_account_info()


MODULE = ExchangeModule(
    id="bitget",
    name="Bitget",
    key_page="https://www.bitget.com/account/newapi",
    permissions=PermissionReader(
        fetch_raw,
        normalize,
        endpoint="GET /api/v2/spot/account/info",
        doc="https://www.bitget.com/api-doc/spot/account/Get-Account-Info",
        reads=("withdraw", "transfer", "trade", "IP allowlist"),
    ),
    balance_shape=Shape(root=list, items=("coin", "available")),
    permission_shape=Shape(fields={"code": str, "data.authorities": list}),
    error_rules=(
        # Bitget: 40012 is "apikey/password is incorrect"; 40008 a stale timestamp.
        error_rule(CODE + r"40012\b", ProblemKind.bad_passphrase),
        error_rule(CODE + r"4000[58]\b", ProblemKind.clock_skew),
        error_rule(CODE + r"40018\b", ProblemKind.ip_not_allowed),
        error_rule(CODE + r"4000[12369]\b|" + CODE + r"40011\b", ProblemKind.bad_credentials),
        error_rule(CODE + r"40014\b", ProblemKind.permission_missing),
        error_rule(CODE + r"429\b", ProblemKind.rate_limited),
    ),
)
