"""Coinbase (Advanced Trade, CDP keys): key permissions, error codes, the v3 balance call."""

from __future__ import annotations

from typing import Any

from tui.connect.exchanges.base import ExchangeModule, PermissionReader, Raw
from tui.connect.models import Permissions
from tui.connect.parsing import as_bool
from tui.connect.problems import ProblemKind, error_rule
from tui.connect.shapes import Shape


def normalize(raw: Raw) -> Permissions:
    """GET /api/v3/brokerage/key_permissions: can_view, can_trade, can_transfer."""
    can_transfer = as_bool(raw.get("can_transfer"))
    portfolio_type = str(raw.get("portfolio_type") or "").upper()
    return Permissions(
        reported=True,
        read=as_bool(raw.get("can_view")),
        spot_trade=as_bool(raw.get("can_trade")),
        margin=None,
        futures=None,
        withdraw=can_transfer,  # "transfer" is sending funds off the exchange
        internal_transfer=can_transfer,
        ip_restricted=None,  # not reported by Coinbase
        # A key scoped to a portfolio other than the default one acts like a sub-account.
        sub_account=None if not portfolio_type else portfolio_type != "DEFAULT",
    )


async def fetch_raw(client: Any) -> Raw:
    return await client.v3_private_get_brokerage_key_permissions()


MODULE = ExchangeModule(
    id="coinbase",
    name="Coinbase",
    key_page="https://portal.cdp.coinbase.com/projects/api-keys",
    permissions=PermissionReader(
        fetch_raw,
        normalize,
        endpoint="GET /api/v3/brokerage/key_permissions",
        doc="https://docs.cdp.coinbase.com/api-reference/advanced-trade-api/rest-api/data-api/get-api-key-permissions",
        reads=("withdraw", "transfer", "trade"),
    ),
    balance_shape=Shape(fields={"accounts": list}),
    permission_shape=Shape(fields={"can_view": bool, "can_trade": bool, "can_transfer": bool}),
    error_rules=(
        # Coinbase answers 401 for a bad key, a bad signature and an IP outside the allowlist.
        error_rule(
            r"\b401\b",
            ProblemKind.bad_credentials,
            "Coinbase rejected this API key, or this IP address.",
            "Check that the key name (organizations/.../apiKeys/...) and the whole private key, "
            "including its BEGIN and END lines, were pasted; that the key was not deleted in the "
            "Coinbase Developer Platform; and that this machine's IP address is on the key's "
            "allowlist, if it has one.",
        ),
    ),
    # Advanced Trade (v3) accounts report funds on hold; the v2 default does not.
    client_options={"fetchBalance": "v3PrivateGetBrokerageAccounts"},
    pem_secret=True,
)
