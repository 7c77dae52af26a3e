"""Fixtures for the connector tests: a fresh simulator, a connector, vault accounts.

No aiohttp session may be left unclosed: the session-wide `no_unclosed_sessions` fixture
collects garbage at the end and fails on asyncio's "Unclosed client session/connector" log
records (pyproject already turns ResourceWarning into errors, but a warning raised in
`__del__` would only be printed). A full collection with ccxt loaded costs ~0.4 s, so it
runs once per module rather than after every test.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from tui.connect import Connector
from tui.connect import exchanges as connect_registry
from tui.sim import Simulator
from tui.sim import exchanges as sim_registry

try:
    from tui.vault import Account
except ImportError:  # the package may not re-export it
    from tui.vault.account import Account

# Every simulated exchange whose permissions Keydeck reads, from the two registries: a new
# exchange module and its simulator file are tested here without any other edit.
# Tested in their own modules (tests/connect/test_<id>.py, test_upbit_bithumb.py) because
# these generic tests do not hold for them (issue #20, measured): ccxt has no server clock for
# upbit, bithumb, hyperliquid, bitflyer, zaif and blofin (no clock offset); the simulated WOO
# and WOOFi Pro price nothing in USD; BloFin and WOOFi Pro read rights in part; bitFlyer's and
# Zaif's IP refusals read as a rejected key, WOOFi Pro's wrong secret as a foreign answer.
OWN_MODULES = frozenset(
    {"upbit", "bithumb", "hyperliquid", "woo", "bitflyer", "zaif", "blofin", "woofipro"}
)
EXCHANGES: tuple[str, ...] = tuple(
    e
    for e in sim_registry.load_all()
    if connect_registry.permission_reader(e) is not None and e not in OWN_MODULES
)

# Exchanges without a server clock in ccxt (no fetchTime): no clock offset is measured, and
# their nonces only have to grow, so a wrong clock breaks nothing there.
NO_SERVER_TIME: frozenset[str] = frozenset({"gemini", "bitfinex"})

_HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """An unclosed session found by garbage collection during a test fails that test."""
    strict = pytest.mark.filterwarnings("error::pytest.PytestUnraisableExceptionWarning")
    for item in items:
        if _HERE in Path(str(item.fspath)).parents:
            item.add_marker(strict)


class _UnclosedCollector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if "Unclosed" in message or "unclosed" in message:
            self.messages.append(message)


@pytest.fixture(autouse=True, scope="module")
def no_unclosed_sessions() -> Iterator[None]:
    collector = _UnclosedCollector()
    asyncio_logger = logging.getLogger("asyncio")
    asyncio_logger.addHandler(collector)
    try:
        yield
        gc.collect()
        assert not collector.messages, collector.messages
    finally:
        asyncio_logger.removeHandler(collector)


@pytest.fixture
async def sim() -> AsyncIterator[Simulator]:
    async with Simulator() as running:
        yield running


@pytest.fixture
async def connector(tmp_path: Path) -> AsyncIterator[Connector]:
    async with Connector(cache_dir=tmp_path / "cache", timeout_s=3.0, account_timeout_s=20) as c:
        yield c


def account_for(sim: Simulator, exchange: str, label: str = "main", **changes: Any) -> Account:
    """A vault Account for a simulated key; `credentials=` entries override single fields."""
    simulated = sim.account(exchange, label)
    credentials = {**simulated.credentials, **changes.pop("credentials", {})}
    return Account(
        exchange=exchange,
        label=label,
        credentials=credentials,
        endpoint=changes.pop("endpoint", sim.endpoint(exchange)),
        **changes,
    )
