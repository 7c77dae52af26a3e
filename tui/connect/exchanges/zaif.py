"""Zaif: the key's rights from the trading API's account summary.

Doc followed: Zaif trading API (現物取引API), `get_info2` (POST /tapi, method=get_info2), "the
light version of get_info" (https://zaif-api-document.readthedocs.io/ja/latest/TradingAPI.html):
its `return.rights` holds the key's rights as 0/1 flags, `info`, `trade`, `withdraw` and
`personal_info` (doc example {"info": 1, "personal_info": 0, "trade": 1, "withdraw": 0}).
A flag the answer leaves out stays unknown. The answer says nothing about IP addresses,
creation or expiry.

Errors: HTTP 200 {"success": 0, "error": <message>}; ccxt maps only "unsupported
currency_pair" and raises a plain ExchangeError for the rest, so the documented messages
("no data found for the key", "signature mismatch", "nonce not incremented", "time wait
restriction, please try later.", "api key don't have {} permission") are classified here.
"""

from __future__ import annotations

from typing import Any

from tui.connect.exchanges.base import ExchangeModule, PermissionReader, Raw
from tui.connect.models import Permissions
from tui.connect.parsing import as_bool
from tui.connect.problems import ProblemKind, error_rule
from tui.connect.shapes import Shape


def normalize(raw: Raw) -> Permissions:
    """get_info2: {"success": 1, "return": {"rights": {"info", "trade", "withdraw", ...}}}."""
    answer = raw.get("return")
    rights = answer.get("rights") if isinstance(answer, dict) else None
    if not isinstance(rights, dict) or not rights:
        return Permissions.could_not_read()
    return Permissions(
        reported=True,
        read=as_bool(rights.get("info")),
        spot_trade=as_bool(rights.get("trade")),
        margin=None,  # leverage trading is another API (tlapi); get_info2 does not say
        futures=None,
        withdraw=as_bool(rights.get("withdraw")),
        internal_transfer=None,
        ip_restricted=None,  # the answer says nothing about IP addresses
    )


async def fetch_raw(client: Any) -> Raw:
    return await client.private_post_get_info2()


MODULE = ExchangeModule(
    id="zaif",
    name="Zaif",
    key_page="https://zaif.jp/api_keys",
    permissions=PermissionReader(
        fetch_raw,
        normalize,
        endpoint="POST /tapi method=get_info2",
        doc="https://zaif-api-document.readthedocs.io/ja/latest/TradingAPI.html",
        reads=("withdraw", "trade"),
    ),
    # get_info: {"success": 1, "return": {"funds": {...}, "deposit": {...}, "rights": {...}}}.
    balance_shape=Shape(fields={"success": int, "return.funds": dict}),
    permission_shape=Shape(fields={"success": int, "return.rights": dict}),
    error_rules=(
        # All come out of ccxt as a plain ExchangeError.
        error_rule(r"nonce not incremented|nonce out of range", ProblemKind.clock_skew),
        error_rule(r"no data found for the key|signature mismatch", ProblemKind.bad_credentials),
        error_rule(r"api key don.t have .{0,40}permission", ProblemKind.permission_missing),
        error_rule(r"time wait restriction", ProblemKind.rate_limited),
    ),
)
