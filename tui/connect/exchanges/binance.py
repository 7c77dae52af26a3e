"""Binance: reading a key's permissions, and the error codes ccxt maps to the wrong kind.

Doc followed: Binance wallet "Get API Key Permission", `GET /sapi/v1/account/apiRestrictions`
(https://developers.binance.com/docs/wallet/account/api-key-permission). Older docs and SDKs
add `tradingAuthorityExpirationTime`, the "expiration time for spot and margin trading
permission" (sent only when there is one): on a key bound to no IP address Binance turns
"Enable Spot & Margin Trading" off 30 days after it was turned on (announcement "Updates to
API Key Permission Rules (2021-07-08)"). The trading right lapses then, the key does not:
it is read as `trade_expires_at`, never as the key's expiry.
"""

from __future__ import annotations

from typing import Any, TypedDict

from tui.connect.exchanges.base import CODE, ExchangeModule, PermissionReader, Raw
from tui.connect.models import Permissions
from tui.connect.parsing import as_bool, as_time, ip_list
from tui.connect.problems import ProblemKind, error_rule
from tui.connect.seen_ip import ADDRESS
from tui.connect.shapes import Shape

_TRADING = (
    "enableSpotAndMarginTrading",
    "enableMargin",
    "enableFutures",
    "enableVanillaOptions",
    "enablePortfolioMarginTrading",
)


class _Trading(TypedDict):
    spot_trade: bool | None
    margin: bool | None
    futures: bool | None


def _trading(raw: Raw) -> _Trading:
    """spot, margin and futures (futures, vanilla options or portfolio margin). When no flag
    is on and one cannot be read (older answers lack the options and portfolio-margin
    flags), whether the key trades at all is unknown: spot is then None, not False."""
    spot, margin, futures, options, portfolio = (as_bool(raw.get(name)) for name in _TRADING)
    derivatives = (futures, options, portfolio)
    if any(flag is True for flag in derivatives):
        futures_right: bool | None = True
    else:
        futures_right = None if None in derivatives else False
    if spot is False and futures_right is None:
        spot = None
    return {"spot_trade": spot, "margin": margin, "futures": futures_right}


def normalize(raw: Raw) -> Permissions:
    """GET /sapi/v1/account/apiRestrictions."""
    transfer = as_bool(raw.get("enableInternalTransfer"))
    universal = as_bool(raw.get("permitsUniversalTransfer"))
    if transfer is None and universal is None:
        internal_transfer = None
    else:
        internal_transfer = bool(transfer) or bool(universal)
    return Permissions(
        reported=True,
        read=as_bool(raw.get("enableReading")),
        **_trading(raw),
        withdraw=as_bool(raw.get("enableWithdrawals")),
        internal_transfer=internal_transfer,
        ip_restricted=as_bool(raw.get("ipRestrict")),
        ip_addresses=ip_list(raw.get("ipList")),
        created_at=as_time(raw.get("createTime")),
        trade_expires_at=as_time(raw.get("tradingAuthorityExpirationTime")),
    )


async def fetch_raw(client: Any) -> Raw:
    answer = await client.sapi_get_account_apirestrictions()
    if not isinstance(answer, dict):
        return answer  # not Binance's answer: the shape check says so
    raw = dict(answer)
    if as_bool(raw.get("ipRestrict")):
        try:
            listing = await client.sapi_get_account_apirestrictions_iprestriction()
        except Exception:  # the list is a nicety; the restriction flag is what matters
            return raw
        if isinstance(listing, dict):
            raw["ipList"] = listing.get("ipList")
    return raw


MODULE = ExchangeModule(
    id="binance",
    name="Binance",
    key_page="https://www.binance.com/en/my/settings/api-management",
    permissions=PermissionReader(
        fetch_raw,
        normalize,
        endpoint="GET /sapi/v1/account/apiRestrictions",
        doc="https://developers.binance.com/docs/wallet/account/api-key-permission",
        reads=("withdraw", "transfer", "trade", "IP allowlist", "created"),
    ),
    balance_shape=Shape(fields={"balances": list}),
    permission_shape=Shape(
        fields={"enableReading": bool, "enableWithdrawals": bool, "ipRestrict": bool}
    ),
    error_rules=(
        # Binance: -2015 is "Invalid API-key, IP, or permissions for action".
        error_rule(CODE + r"-1021\b", ProblemKind.clock_skew),
        error_rule(
            CODE + r"-2015\b",
            ProblemKind.bad_credentials,
            "{name} rejected this API key, or this IP address, or the key lacks a permission.",
            address=r"request ip:\s*" + ADDRESS,
            source="https://github.com/ccxt/node-binance-api/issues/414",
        ),
        error_rule(CODE + r"-(?:2014|1022|2008)\b", ProblemKind.bad_credentials),
        error_rule(CODE + r"-1003\b", ProblemKind.rate_limited),
    ),
)
