"""The ccxt client of the anchors: configured by Keydeck's `build_client` (same endpoint,
HTTP session, market types and rate limits, so both sides make the same requests at the
same pace) but with ccxt's own rate limiter, as a plain ccxt script has.

Keydeck replaces that limiter with its own (`tui.connect.rate_limit`: one sleep per waiting
request instead of polling). That is Keydeck's work, so the anchors keep ccxt's, polling
every 50 ms as Keydeck configured it until round six (ccxt's default polls every 1 ms and
costs several times more): the anchor is the same one as in the earlier rounds.
"""

from __future__ import annotations

from typing import Any

PLAIN_POLL_S = 0.05


def plain_client(ccxt_async: Any, account: Any, timeout_s: float) -> Any:
    """`build_client`'s client with ccxt's `Throttler` in place of Keydeck's limiter."""
    from ccxt.async_support.base.throttler import Throttler

    from tui.connect.clients import build_client

    client = build_client(ccxt_async, account, timeout_s)
    client.throttler = Throttler({**client.tokenBucket, "delay": PLAIN_POLL_S}, client.asyncio_loop)
    vars(client).pop("throttle", None)  # Keydeck's metering wrapper: back to ccxt's method
    return client
