"""Gemini: reading a key's roles, and the refusals ccxt does not tell apart.

Doc followed: Gemini "Roles Endpoint", `POST /v1/roles`
(https://developer.gemini.com/rest-api/common/admin/roles-endpoint): `isAuditor`,
`isFundManager`, `isTrader` (booleans; Auditor combines with no other role), with what each
role may do from https://docs.gemini.com/roles: Fund Manager withdraws crypto and transfers
between accounts of the group (so it can withdraw: critical), Trader places and cancels
orders, Auditor only reads. Every role can check balances. Gemini reports no IP allowlist,
creation or expiry date for a key.
"""

from __future__ import annotations

from typing import Any

from tui.connect.exchanges.base import ExchangeModule, PermissionReader, Raw
from tui.connect.models import Permissions
from tui.connect.parsing import as_bool
from tui.connect.problems import ProblemKind, error_rule
from tui.connect.shapes import Shape

ROLE_FLAGS = ("isAuditor", "isFundManager", "isTrader")


def normalize(raw: Raw) -> Permissions:
    """POST /v1/roles: {"isAuditor": false, "isFundManager": true, "isTrader": true}."""
    if not any(flag in raw for flag in ROLE_FLAGS):
        return Permissions.not_reported()
    auditor, fund_manager, trader = (as_bool(raw.get(flag)) for flag in ROLE_FLAGS)
    return Permissions(
        reported=True,
        read=bool(auditor or fund_manager or trader),
        spot_trade=trader is True,
        margin=None,  # Trader covers every order; Gemini names no margin or derivatives role
        futures=None,
        withdraw=fund_manager is True,
        internal_transfer=fund_manager is True,
    )


async def fetch_raw(client: Any) -> Raw:
    return await client.private_post_v1_roles()


MODULE = ExchangeModule(
    id="gemini",
    name="Gemini",
    key_page="https://exchange.gemini.com/settings/api",
    permissions=PermissionReader(
        fetch_raw,
        normalize,
        endpoint="POST /v1/roles",
        doc="https://developer.gemini.com/rest-api/common/admin/roles-endpoint",
        reads=("withdraw", "transfer", "trade"),
    ),
    # POST /v1/balances: one row per currency held; [] is an account with nothing in it.
    # Gemini has no server time: a server answering [] to everything is caught by the roles
    # shape (an object), which verify and status both check.
    balance_shape=Shape(root=list, items=("type", "currency", "amount", "available")),
    permission_shape=Shape(fields=dict.fromkeys(ROLE_FLAGS, bool)),
    error_rules=(
        # ccxt refuses to sign with a master key before any request is made.
        error_rule(
            r"requires an account-key",
            ProblemKind.bad_credentials,
            "This is a Gemini master key; Keydeck needs an account-level key.",
            "Create an API key in the account itself (Settings > API on {name}, with the "
            "account selected, scope 'Primary' or the account's name), not a master key of "
            "the group. Give it the Auditor role if Keydeck only watches the account.",
        ),
        # Gemini's nonce only has to grow (it is not compared with the clock): a refusal
        # means another program used this key with larger nonces. ccxt: InvalidNonce.
        error_rule(
            r"nonce",
            ProblemKind.clock_skew,
            "{name} refused a request number (nonce) lower than one this key already used.",
            "Another program is using this key with larger nonces. Give Keydeck a key of its "
            "own on {name}'s API settings page.",
        ),
        # MissingRole: ccxt raises AuthenticationError, but the key is fine.
        error_rule(r"assign one of these roles", ProblemKind.permission_missing),
    ),
)
