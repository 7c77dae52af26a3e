"""The small set of error kinds every simulated exchange renders in its own format."""

from __future__ import annotations

from enum import StrEnum


class ErrorKind(StrEnum):
    BAD_KEY = "bad_key"
    """The API key is unknown."""
    BAD_SIGNATURE = "bad_signature"
    BAD_PASSPHRASE = "bad_passphrase"  # noqa: S105 - a kind name, not a password
    TIMESTAMP = "timestamp"
    """Timestamp outside the receive window (clock skew, stale or replayed request)."""
    NONCE = "nonce"
    """Nonce not increasing (exchanges that use nonces rather than timestamps)."""
    RATE_LIMITED = "rate_limited"
    IP_NOT_ALLOWED = "ip_not_allowed"
    KEY_EXPIRED = "key_expired"
    PERMISSION_DENIED = "permission_denied"
    NOT_FOUND = "not_found"
    BAD_REQUEST = "bad_request"
    """Missing or malformed parameters or headers."""


class SimError(Exception):
    """Raised by authentication and handlers; the exchange renders it with `render_error`."""

    def __init__(self, kind: ErrorKind, detail: str = "") -> None:
        super().__init__(f"{kind.value}: {detail}" if detail else kind.value)
        self.kind = kind
        self.detail = detail
