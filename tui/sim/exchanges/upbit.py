"""Upbit (Korea): HS256 JWT per request, no timestamp; a reused nonce is refused.

See `upbit_style` for the signing, endpoints and shapes. Errors, from Upbit's "REST API 사용
및 에러 안내" (docs.upbit.com/kr/reference/rest-api-guide), all HTTP 401 but the rate limit:

| situation | error.name | ccxt |
|---|---|---|
| unknown key (answer assumed; ccxt maps it) | invalid_access_key | AuthenticationError |
| wrong signature | jwt_verification | AuthenticationError |
| query_hash does not match | invalid_query_payload | ExchangeError |
| nonce used before | nonce_used | ExchangeError |
| expired key | expired_access_key ("This key has expired.") | AuthenticationError |
| IP not allowed | no_authorization_i_p | ExchangeError |
| permission missing | out_of_scope | PermissionDenied |
| rate limited (HTTP 429; name assumed) | too_many_requests | ExchangeError |

Upbit has no server-time endpoint (ccxt's upbit has no fetchTime). Markets are the shared
book's pairs as "USDT-BTC" and so on (Upbit lists BTC and USDT markets besides KRW).
`/v1/api_keys` needs no permission and lists the account's keys with `expire_at`; keys are
issued for a year, so every default key has an expiry.
"""

from __future__ import annotations

from typing import ClassVar

from tui.sim.errors import ErrorKind
from tui.sim.exchanges import register
from tui.sim.exchanges.upbit_style import UpbitStyle


@register
class Upbit(UpbitStyle):
    id = "upbit"
    name = "Upbit"
    errors: ClassVar[dict[ErrorKind, tuple[int, str, str]]] = {
        ErrorKind.BAD_KEY: (401, "invalid_access_key", "잘못된 엑세스 키입니다."),
        ErrorKind.KEY_EXPIRED: (401, "expired_access_key", "This key has expired."),
        ErrorKind.BAD_SIGNATURE: (401, "jwt_verification", "Jwt 토큰 검증에 실패했습니다."),
        ErrorKind.BAD_PASSPHRASE: (401, "jwt_verification", "Jwt 토큰 검증에 실패했습니다."),
        ErrorKind.BAD_REQUEST: (
            401,
            "invalid_query_payload",
            "Jwt의 query를 검증하는데 실패하였습니다.",
        ),
        ErrorKind.NONCE: (401, "nonce_used", "이미 요청한 nonce값이 다시 사용되었습니다."),
        ErrorKind.TIMESTAMP: (401, "nonce_used", "이미 요청한 nonce값이 다시 사용되었습니다."),
        ErrorKind.IP_NOT_ALLOWED: (401, "no_authorization_i_p", "This is not a verified IP."),
        ErrorKind.PERMISSION_DENIED: (401, "out_of_scope", "권한이 부족합니다."),
        ErrorKind.RATE_LIMITED: (429, "too_many_requests", "Too many API requests."),
        ErrorKind.NOT_FOUND: (404, "not_found", "Not Found"),
    }
