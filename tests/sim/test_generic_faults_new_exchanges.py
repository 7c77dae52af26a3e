"""The core's generic faults on MEXC, HTX and BingX, through real ccxt clients (the other
exchanges are covered by test_common_faults)."""

from __future__ import annotations

import time

import ccxt.async_support as ccxt
import pytest

from tests.sim.clients import make_client
from tui.sim import Simulator

PERMISSION_CALLS = {
    "mexc": ("spot_private_get_apikeyinfo", {}),
    "htx": ("v2private_get_user_api_key", {}),
    "bingx": ("account_v1_private_get_account_apipermissions", {}),
}


@pytest.fixture(params=sorted(PERMISSION_CALLS))
def exchange(request: pytest.FixtureRequest) -> str:
    return request.param


async def test_maintenance_geo_block_timeout_and_latency(sim: Simulator, exchange: str) -> None:
    sim.set_faults(exchange, maintenance=True)
    async with make_client(sim, exchange) as client:
        with pytest.raises(ccxt.ExchangeNotAvailable, match="503"):
            await client.fetch_balance()
    sim.set_faults(exchange, maintenance=False, geo_blocked=True)
    async with make_client(sim, exchange) as client:
        with pytest.raises(ccxt.NetworkError, match="403 Forbidden"):
            await client.fetch_time()
    sim.set_faults(exchange, geo_blocked=False, timeout=True)
    async with make_client(sim, exchange) as client:
        client.timeout = 300
        with pytest.raises(ccxt.RequestTimeout):
            await client.fetch_time()
    sim.set_faults(exchange, timeout=False, latency_ms=150)
    async with make_client(sim, exchange) as client:
        started = time.monotonic()
        await client.fetch_time()
        assert time.monotonic() - started >= 0.14


async def test_expired_fault_refuses_the_permission_call(sim: Simulator, exchange: str) -> None:
    method, params = PERMISSION_CALLS[exchange]
    async with make_client(sim, exchange) as client:
        await getattr(client, method)(params)
    sim.set_faults(exchange, "main", expired=True)
    async with make_client(sim, exchange) as client:
        with pytest.raises(ccxt.ExchangeError):  # AuthenticationError or MEXC's BadRequest
            await getattr(client, method)(params)
