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
import pytest

from tui.connect.endpoint import apply_endpoint
from tui.sim import Simulator
from tui.sim.model import SimAccount

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
    # ccxt merges option dicts deeply: every default type must be switched off by name.
    "htx": {"fetchMarkets": {"types": {"spot": True, "linear": False, "inverse": False}}},
    # Spot markets and the spot account, as Keydeck reads them (ccxt's default is the perps).
    "hyperliquid": {"fetchMarkets": {"types": ["spot"]}, "fetchBalance": {"type": "spot"}},
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


def assert_balance_is_provisioned(balance: dict[str, Any], account: SimAccount) -> None:
    """ccxt's parsed `fetch_balance` holds exactly the free/used/total the key was given."""
    assert account.traits.balances
    for asset, provisioned in account.traits.balances.items():
        assert balance[asset]["free"] == pytest.approx(float(provisioned.free))
        assert balance[asset]["used"] == pytest.approx(float(provisioned.used))
        assert balance[asset]["total"] == pytest.approx(float(provisioned.total))
