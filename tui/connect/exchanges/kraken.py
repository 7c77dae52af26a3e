"""Kraken: key permissions, error codes, and a rate-limit burst for one refresh.

Doc followed: Kraken "Get API Key Info", `POST /0/private/GetApiKeyInfo`
(https://docs.kraken.com/api-reference/account-data/get-api-key-info), and Kraken's key
permission guide (https://docs.kraken.com/exchange/guides/rest/api-keys: "Withdraw Funds" is
the funding right; "Cancel/Close Orders" only cancels). The answer names each right:
`withdraw-funds` alone withdraws (critical); `add-withdraw-address` and
`update-withdraw-address` only edit the address book (their own, lower finding);
`modify-trades` (create and modify orders) trades, `close-trades` (cancel/close) does not.
An answer without a `permissions` list says nothing: every right is then unknown.
"""

from __future__ import annotations

from typing import Any

from tui.connect.exchanges.base import ExchangeModule, PermissionReader, Raw
from tui.connect.models import Permissions
from tui.connect.parsing import allowlist_in_use, as_list, as_time, ip_list, unwrap
from tui.connect.problems import ProblemKind, error_rule
from tui.connect.shapes import Shape

_WITHDRAW = "withdraw-funds"
_ADDRESS_BOOK = frozenset({"add-withdraw-address", "update-withdraw-address"})


def _trades(name: str) -> bool:
    """Creating or modifying orders ("modify-trades", "create-modify-orders"); cancelling
    or closing ("close-trades", "cancel-close-orders") and querying are not trading."""
    return name.startswith(("modify-", "create-")) and ("trade" in name or "order" in name)


def normalize(raw: Raw) -> Permissions:
    """POST /0/private/GetApiKeyInfo: permissions ["query-funds", "withdraw-funds", ...]."""
    data = unwrap(raw, "result")
    listed = data.get("permissions")
    addresses = ip_list(data.get("ipAllowlist"))
    known = isinstance(listed, list)
    names = {str(p).lower() for p in as_list(listed)} if known else set()
    return Permissions(
        reported=True,
        read=any(n.startswith("query") for n in names) if known else None,
        spot_trade=any(_trades(n) for n in names) if known else None,
        margin=None,  # Kraken has no separate margin permission
        futures=None,
        withdraw=_WITHDRAW in names if known else None,
        withdraw_addresses=bool(names & _ADDRESS_BOOK) if known else None,
        internal_transfer=None,  # no separate permission on Kraken
        ip_restricted=allowlist_in_use(addresses),
        ip_addresses=addresses,
        created_at=as_time(data.get("createdTime")),
        expires_at=as_time(data.get("validUntil")),
        label=data.get("apiKeyName") or data.get("name") or None,
    )


async def fetch_raw(client: Any) -> Raw:
    return await client.private_post_getapikeyinfo()


MODULE = ExchangeModule(
    id="kraken",
    name="Kraken",
    key_page="https://pro.kraken.com/app/settings/api",
    permissions=PermissionReader(
        fetch_raw,
        normalize,
        endpoint="POST /0/private/GetApiKeyInfo",
        doc="https://docs.kraken.com/api-reference/account-data/get-api-key-info",
        reads=("withdraw", "trade", "IP allowlist", "created", "expiry"),
    ),
    balance_shape=Shape(fields={"error": list, "result": dict}),
    permission_shape=Shape(fields={"error": list, "result.permissions": list}),
    error_rules=(
        # Kraken: ccxt raises a plain ExchangeError for a bad signature.
        error_rule(r"EAPI:Invalid signature", ProblemKind.bad_credentials),
        error_rule(r"EAPI:Invalid key", ProblemKind.bad_credentials),
        error_rule(r"EAPI:Invalid nonce", ProblemKind.clock_skew),
        error_rule(
            r"EGeneral:Permission denied",
            ProblemKind.permission_missing,
            "Kraken refused: this key lacks a permission, or this IP address is not allowed.",
            "On Kraken (Settings > API) check that the key has 'Query Funds' and that this "
            "machine's public IP address is on the key's IP allowlist, if it has one. Never "
            "enable 'Withdraw Funds' for Keydeck.",
        ),
        error_rule(r"EAPI:Rate limit|EOrder:Rate limit", ProblemKind.rate_limited),
        error_rule(r"EService:(Unavailable|Busy)", ProblemKind.maintenance),
    ),
    # Kraken's private-call counter allows a burst (it tops out at 15 calls on the lowest
    # tier and decays by 0.33 a second); ccxt's bucket allows none and makes each private
    # call after the first wait 3 s. Allow the two or three calls of one refresh at once;
    # the steady rate stays ccxt's.
    client_config={"tokenBucket": {"capacity": 6, "tokens": 6}},
)
