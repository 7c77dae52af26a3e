"""Upbit (Korea): the key's expiry date; its rights are not reported.

Doc followed: Upbit "API Key 목록 조회" (list API keys), `GET /v1/api_keys`
(https://docs.upbit.com/kr/reference/list-api-keys): every key of the account with its
`access_key` and `expire_at` (ISO 8601), and no permission needed to call it. The answer
says nothing about withdrawals, trading or IP addresses, so the key is reported as "rights
not reported" (the manual checklist stays) with its expiry date. Keys are issued for one
year; an IP allowlist is required when a key is created (docs.upbit.com/kr/reference/auth).
"""

from __future__ import annotations

from typing import Any

from tui.connect.exchanges.base import ExchangeModule, PermissionReader, Raw
from tui.connect.models import Permissions
from tui.connect.parsing import as_time
from tui.connect.problems import ProblemKind, error_rule
from tui.connect.shapes import Shape

CALLING_KEY = "callingKey"
"""Added by `fetch_raw`: the access key the listed keys are matched against."""

ACCOUNTS_SHAPE = Shape(root=list, items=("currency", "balance", "locked", "unit_currency"))
"""GET /v1/accounts (Upbit, Bithumb): one row per currency held; [] is an empty account."""
API_KEYS_SHAPE = Shape(fields={"data.0.access_key": str, "data.0.expire_at": str})
"""GET /v1/api_keys as `fetch_raw` wraps it. The list always holds the calling key, so it is
never empty: with no server time to check, this is what catches a server answering [] (or
{}) to everything, in verify and in status alike."""


def expiry_of_calling_key(raw: Raw) -> Permissions:
    """A list of {access_key, expire_at} (Upbit, Bithumb): the calling key's expiry, with
    `reported=False` because the list tells no rights. No match: nothing known."""
    rows = raw.get("data")
    if not isinstance(rows, list):
        return Permissions.not_reported()
    matching = [
        row
        for row in rows
        if isinstance(row, dict) and row.get("access_key") == raw.get(CALLING_KEY)
    ]
    if len(matching) != 1:
        return Permissions.not_reported()
    return Permissions(reported=False, expires_at=as_time(matching[0].get("expire_at")))


def normalize(raw: Raw) -> Permissions:
    """GET /v1/api_keys: [{"access_key", "expire_at"}]; the calling key's expire_at only."""
    return expiry_of_calling_key(raw)


async def fetch_raw(client: Any) -> Raw:
    return {"data": await client.private_get_api_keys(), CALLING_KEY: client.apiKey}


MODULE = ExchangeModule(
    id="upbit",
    name="Upbit",
    key_page="https://upbit.com/mypage/open_api_management",
    permissions=PermissionReader(
        fetch_raw,
        normalize,
        endpoint="GET /v1/api_keys",
        doc="https://docs.upbit.com/kr/reference/list-api-keys",
        reads=("expiry",),
    ),
    balance_shape=ACCOUNTS_SHAPE,
    permission_shape=API_KEYS_SHAPE,
    error_rules=(
        # Upbit's error names (ccxt maps only some of them, and nonce_used not at all).
        error_rule(r"no_authorization_i_p", ProblemKind.ip_not_allowed),
        error_rule(r"nonce_used", ProblemKind.clock_skew),
        error_rule(
            r"invalid_access_key|jwt_verification|invalid_query_payload|expired_access_key",
            ProblemKind.bad_credentials,
        ),
        error_rule(r"out_of_scope", ProblemKind.permission_missing),
        error_rule(r"too_many_requests", ProblemKind.rate_limited),
    ),
)
