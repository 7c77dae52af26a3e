"""bitFlyer: the key's rights as the list of private API paths it may call.

Doc followed: bitFlyer Lightning API, "Get API Key Permissions", `GET /v1/me/getpermissions`
(https://lightning.bitflyer.com/docs#get-api-key-permissions): "Returns a list of HTTP
Private APIs that can be used with the API key", e.g. ["/v1/me/getpermissions",
"/v1/me/getbalance", ..., "/v1/me/getpositions"] (the doc's example, a read-only key). A key
that may withdraw lists `/v1/me/withdraw` ("Withdrawing Funds", JPY to a registered bank
account); `/v1/me/sendcoin` is the crypto withdrawal older keys may still list. Trading is
`/v1/me/sendchildorder` (and the special orders). The answer says nothing about IP addresses,
creation or expiry.

Errors: bitFlyer answers `{"status": <negative int>, "error_message": ..., "data": null}`;
ccxt maps only -2 ("Under maintenance", OnMaintenance) and raises a plain ExchangeError for
everything else, so the authentication refusals (-500: "Invalid signature", "ACCESS-KEY
header is required"; seen in SDK tests, bitFlyer publishes no code list) are classified here.
"""

from __future__ import annotations

from typing import Any

from tui.connect.exchanges.base import ExchangeModule, PermissionReader, Raw
from tui.connect.models import Permissions
from tui.connect.problems import ProblemKind, error_rule
from tui.connect.shapes import Shape

WITHDRAW_PATHS = frozenset({"/v1/me/withdraw", "/v1/me/sendcoin"})
TRADE_PATHS = frozenset({"/v1/me/sendchildorder", "/v1/me/sendparentorder"})
READ_PATH = "/v1/me/getbalance"


def normalize(raw: Raw) -> Permissions:
    """GET /v1/me/getpermissions, wrapped by `fetch_raw` as {"data": [paths]}.

    A path that is listed is a right the key has; one that is not listed is one it lacks (the
    doc says the list is every private API the key may use). No list: nothing is known.
    """
    paths = raw.get("data")
    if not isinstance(paths, list) or not paths:
        return Permissions.could_not_read()
    listed = {p.strip().lower().rstrip("/") for p in paths if isinstance(p, str)}
    if not listed:
        return Permissions.could_not_read()
    return Permissions(
        reported=True,
        read=READ_PATH in listed,
        spot_trade=bool(listed & TRADE_PATHS),
        margin=None,  # sendchildorder serves spot and Crypto CFD alike: not told apart
        futures=None,
        withdraw=bool(listed & WITHDRAW_PATHS),
        internal_transfer=None,
        ip_restricted=None,  # the answer says nothing about IP addresses
    )


async def fetch_raw(client: Any) -> Raw:
    return {"data": await client.private_get_getpermissions()}


MODULE = ExchangeModule(
    id="bitflyer",
    name="bitFlyer",
    key_page="https://lightning.bitflyer.com/developer",
    permissions=PermissionReader(
        fetch_raw,
        normalize,
        endpoint="GET /v1/me/getpermissions",
        doc="https://lightning.bitflyer.com/docs#get-api-key-permissions",
        reads=("withdraw", "trade"),
    ),
    # GET /v1/me/getbalance: [{"currency_code", "amount", "available"}]; [] is an empty account.
    balance_shape=Shape(root=list, items=("currency_code", "amount", "available")),
    # The list always holds getpermissions itself, so it is never empty.
    permission_shape=Shape(fields={"data.0": str}),
    error_rules=(
        # ccxt raises a plain ExchangeError for these.
        error_rule(r'"status"\s*:\s*-500\b', ProblemKind.bad_credentials),
        error_rule(r'"status"\s*:\s*-2\b', ProblemKind.maintenance),
    ),
)
