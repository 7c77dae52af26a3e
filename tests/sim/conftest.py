"""Shared fixtures for the simulator tests.

- `sim`: a running `Simulator` with the default accounts, fresh per test (faults set in one
  test never leak into another).
- `make_client` (from tests.sim.clients): see that module.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.sim.clients import make_client
from tui.sim import Simulator

__all__ = ["make_client"]


@pytest.fixture
async def sim() -> AsyncIterator[Simulator]:
    async with Simulator() as running:
        yield running
