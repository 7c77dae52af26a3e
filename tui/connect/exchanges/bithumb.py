"""Bithumb: the key's expiry date; its rights are not reported.

Doc followed: Bithumb "API 키 리스트 조회", `GET /v1/api_keys`
(https://apidocs.bithumb.com/reference/api-키-리스트-조회): the account's keys as
`access_key` and `expire_at` (doc example "2025-06-11T09:00:00+09:00"). Keys last one year
and are bound to at most 5 IP addresses at creation. As for Upbit, the answer tells no
rights: the manual checklist stays, with the expiry date.

ccxt's bithumb raises ExchangeError for every v1 error, its text being only Bithumb's
`error.message` (from "API 주요 에러 코드"), so the rules match those messages.
"""

from __future__ import annotations

from typing import Any

from tui.connect.exchanges.base import ExchangeModule, PermissionReader, Raw
from tui.connect.exchanges.upbit import (
    ACCOUNTS_SHAPE,
    API_KEYS_SHAPE,
    CALLING_KEY,
    expiry_of_calling_key,
)
from tui.connect.models import Permissions
from tui.connect.problems import ProblemKind, error_rule


def normalize(raw: Raw) -> Permissions:
    """GET /v1/api_keys: [{"access_key", "expire_at"}]; the calling key's expire_at only."""
    return expiry_of_calling_key(raw)


async def fetch_raw(client: Any) -> Raw:
    return {"data": await client.private_get_v1_api_keys(), CALLING_KEY: client.apiKey}


MODULE = ExchangeModule(
    id="bithumb",
    name="Bithumb",
    key_page="https://www.bithumb.com/react/api-support/management-api",
    permissions=PermissionReader(
        fetch_raw,
        normalize,
        endpoint="GET /v1/api_keys",
        doc="https://apidocs.bithumb.com/reference/api-키-리스트-조회",
        reads=("expiry",),
    ),
    # The same v1 answers as Upbit's (see `upbit`).
    balance_shape=ACCOUNTS_SHAPE,
    permission_shape=API_KEYS_SHAPE,
    error_rules=(
        error_rule(r"Jwt가 만료|expired_jwt", ProblemKind.clock_skew),
        error_rule(r"not allowed client IP|NotAllowIP", ProblemKind.ip_not_allowed),
        error_rule(
            r"Jwt 토큰 검증에 실패|Jwt의 query를 검증|jwt_verification|invalid_query_payload",
            ProblemKind.bad_credentials,
        ),
        error_rule(r"권한이 부족|out_of_scope", ProblemKind.permission_missing),
        error_rule(r"too many requests|too_many_requests", ProblemKind.rate_limited),
    ),
)
