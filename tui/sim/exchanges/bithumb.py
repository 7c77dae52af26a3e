"""Bithumb (v1 "generation 2" API): Upbit's scheme, with a `timestamp` claim in the JWT.

See `upbit_style` for the signing, endpoints and shapes. Errors, from Bithumb's "API 주요 에러
코드" (apidocs.bithumb.com/docs/api-주요-에러-코드), HTTP 401 but the rate limit. ccxt's
bithumb raises ExchangeError for all of them, its message being only `error.message`:

| situation | error.name | error.message |
|---|---|---|
| unknown or expired key, bad signature, reused nonce (assumed) | jwt_verification | (1) |
| query_hash does not match | invalid_query_payload | Jwt의 query를 검증하는데 실패하였습니다. |
| timestamp outside the window (60 s assumed) | expired_jwt | Jwt가 만료되었습니다. |
| IP not allowed | NotAllowIP | not allowed client IP |
| permission missing | out_of_scope | 권한이 부족합니다. |
| rate limited (HTTP 429; assumed) | too_many_requests | Too many requests |

(1) "Jwt 토큰 검증에 실패했습니다."

Bithumb has no server-time endpoint that ccxt's fetchTime reads in this generation; markets
are the shared book's pairs as "USDT-BTC" (whether Bithumb lists USDT markets was not
checked: Keydeck prices them if it does). `/v1/api_keys` lists the account's keys with
`expire_at`; keys last one year.
"""

from __future__ import annotations

from typing import ClassVar

from tui.sim.errors import ErrorKind
from tui.sim.exchanges import register
from tui.sim.exchanges.upbit_style import UpbitStyle

_JWT = (401, "jwt_verification", "Jwt 토큰 검증에 실패했습니다.")


@register
class Bithumb(UpbitStyle):
    id = "bithumb"
    name = "Bithumb"
    needs_timestamp = True
    errors: ClassVar[dict[ErrorKind, tuple[int, str, str]]] = {
        ErrorKind.BAD_KEY: _JWT,
        ErrorKind.KEY_EXPIRED: _JWT,
        ErrorKind.BAD_SIGNATURE: _JWT,
        ErrorKind.BAD_PASSPHRASE: _JWT,
        ErrorKind.NONCE: _JWT,
        ErrorKind.BAD_REQUEST: (
            401,
            "invalid_query_payload",
            "Jwt의 query를 검증하는데 실패하였습니다.",
        ),
        ErrorKind.TIMESTAMP: (401, "expired_jwt", "Jwt가 만료되었습니다."),
        ErrorKind.IP_NOT_ALLOWED: (401, "NotAllowIP", "not allowed client IP"),
        ErrorKind.PERMISSION_DENIED: (401, "out_of_scope", "권한이 부족합니다."),
        ErrorKind.RATE_LIMITED: (429, "too_many_requests", "Too many requests"),
        ErrorKind.NOT_FOUND: (404, "not_found", "Not Found"),
    }
