"""ccxt clients pointed at the simulator, built the way Keydeck's connector builds them.

`make_client(sim, exchange, label="main", options=None, **credential_overrides)` is an async
context manager yielding a `ccxt.async_support` client for that simulated account; it is
closed on exit. Overrides replace credentials (apiKey/secret/password); `options` are merged
into the client's ccxt options.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import ccxt.async_support as ccxt_async

from tui.connect.endpoint import apply_endpoint
from tui.sim import Simulator

# What ccxt would otherwise fetch on load_markets with keys set (currencies, margin pairs...).
CLIENT_OPTIONS: dict[str, dict[str, Any]] = {
    "binance": {
        "fetchCurrencies": False,
        "fetchMargins": False,
        "fetchMarkets": {"types": ["spot"]},
    },
    "okx": {"fetchMarkets": {"types": ["spot"]}},
    "bybit": {"fetchMarkets": {"types": ["spot"]}},
    "kucoin": {"fetchMarkets": {"types": ["spot"]}},
}


def build_client(exchange: str, credentials: dict[str, str], endpoint: str, **options: Any):
    """A ccxt client like the connector builds it, pointed at `endpoint`."""
    config: dict[str, Any] = {
        **credentials,
        "enableRateLimit": False,
        "timeout": 5000,
        "options": {**CLIENT_OPTIONS.get(exchange, {}), **options},
    }
    client = getattr(ccxt_async, exchange)(config)
    client.has["fetchCurrencies"] = False
    # ccxt sleeps this long on close() to let SSL transports shut down; loopback HTTP has none.
    client.timeout_on_exit = 0
    apply_endpoint(client, endpoint)
    return client


@asynccontextmanager
async def make_client(
    sim: Simulator,
    exchange: str,
    label: str = "main",
    *,
    options: dict[str, Any] | None = None,
    **credential_overrides: str,
) -> AsyncIterator[Any]:
    account = sim.account(exchange, label)
    credentials = {**account.credentials, **credential_overrides}
    client = build_client(exchange, credentials, sim.endpoint(exchange), **(options or {}))
    try:
        yield client
    finally:
        await client.close()
