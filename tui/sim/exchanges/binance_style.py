"""The signing Binance and MEXC spot share: `timestamp` and `recvWindow` (default 5000, at
most 60000) in the query, and `signature` = hex HMAC-SHA256(secret, totalParams), totalParams
being the query string (without `signature`) followed by the body. A request is accepted when
`timestamp < serverTime + 1000` and `serverTime - timestamp <= recvWindow`. Each exchange
names its own key header and errors (see its module)."""

from __future__ import annotations

from tui.sim.errors import ErrorKind, SimError
from tui.sim.exchanges.base import SimExchange
from tui.sim.model import SimAccount
from tui.sim.request import SimRequest

DEFAULT_RECV_WINDOW_MS = 5000
MAX_RECV_WINDOW_MS = 60000


def signed_payload(raw_query: str, body: str) -> str:
    """totalParams: the query string (without `signature`) followed by the body."""
    parts = [p for p in raw_query.split("&") if p and not p.startswith("signature=")]
    return "&".join(parts) + body


def signature_of(request: SimRequest) -> str | None:
    for source in (request.raw_query, request.body):
        for part in source.split("&"):
            if part.startswith("signature="):
                return part[len("signature=") :]
    return None


def check_signed(
    exchange: SimExchange, request: SimRequest, account: SimAccount, *, window_too_wide: SimError
) -> None:
    """Raise the SimError of a request whose timestamp, window or signature is refused;
    `window_too_wide` is the exchange's error for a recvWindow over 60000."""
    params = request.params()
    try:
        timestamp = int(params["timestamp"])
        recv_window = int(params.get("recvWindow", DEFAULT_RECV_WINDOW_MS))
    except (KeyError, ValueError) as error:
        raise SimError(ErrorKind.BAD_REQUEST, "timestamp") from error
    if recv_window > MAX_RECV_WINDOW_MS:
        raise window_too_wide
    exchange.check_timestamp(timestamp, account, window_ms=recv_window, ahead_ms=1000)
    expected = exchange.hmac_hex(account.secret, signed_payload(request.raw_query, request.body))
    if not exchange.same(expected, signature_of(request)):
        raise SimError(ErrorKind.BAD_SIGNATURE)
