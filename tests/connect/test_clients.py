"""How the connector configures each ccxt client (rate limiter, timeouts)."""

from __future__ import annotations

import pytest

from tui.connect.clients import build_client, load_ccxt
from tui.vault import Account


@pytest.mark.parametrize("exchange", ["binance", "kraken", "okx", "coinbase"])
async def test_rate_limiter_is_on_but_does_not_busy_wait(exchange: str) -> None:
    """ccxt's limiter polls every 1 ms by default while a request waits: most of a refresh's
    CPU (docs/benchmarks.md). Keydeck keeps the limits but polls every 50 ms."""
    ccxt = await load_ccxt()
    account = Account(exchange=exchange, credentials={"apiKey": "k", "secret": "s"})
    client = build_client(ccxt, account, timeout_s=7)
    try:
        assert client.enableRateLimit
        assert client.timeout == 7000
        assert client.throttler.config["delay"] >= 0.05
        if exchange == "kraken":  # its own burst allowance survives the merge
            assert client.throttler.config["capacity"] == 6
    finally:
        await client.close()
