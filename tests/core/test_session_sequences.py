"""The Session through sequences played by the simulator's timeline (tui/sim/timeline.py):
flapping, a burst of server errors, a latency spike past the request timeout. Time is
compressed (half-second steps, rounds every quarter second); what is checked is the order of
states, that each account settles healthy once the exchange does, and that tasks and
connections do not pile up."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from tests.support.accounts import sim_account
from tests.support.app import PASSWORD, cheap_kdf
from tests.support.process import open_sockets
from tui.connect import Connector
from tui.connect.health import NETWORK_MAX_BACKOFF_S
from tui.connect.problems import ProblemKind
from tui.core.keyfile_access import KeyfileAccess
from tui.core.session import Session
from tui.sim import Simulator
from tui.sim.timeline import Step

ROUND_S = 0.25
EXCHANGES = ["okx", "binance"]


@pytest.fixture
async def sim() -> AsyncIterator[Simulator]:
    async with Simulator(exchanges=EXCHANGES) as running:
        yield running


async def open_session(tmp_path: Path, sim: Simulator, **connector: Any) -> Session:
    options = {"timeout_s": 5.0, **connector}
    access = KeyfileAccess(
        keyfile=tmp_path / "keys.kdk",
        connector_factory=lambda: Connector(cache_dir=tmp_path / "cache", **options),
        vault_options=cheap_kdf(),
    )
    session = access.create(PASSWORD)
    session.save_accounts([sim_account(sim, e) for e in EXCHANGES])
    return session


class Rounds:
    """Automatic rounds (back-off honoured) every `ROUND_S`, each account's states kept."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.states: dict[str, list[ProblemKind | None]] = {e: [] for e in EXCHANGES}

    async def one(self) -> None:
        async for report in self.session.refresh():
            kind = report.problem.kind if report.problem else None
            self.states[report.exchange].append(kind)

    async def during(self, playing: asyncio.Task[None]) -> None:
        while not playing.done():
            await self.one()
            await asyncio.sleep(ROUND_S)
        await playing

    async def until_healthy(self, limit_s: float) -> float:
        """Rounds until every account is fine; returns how long that took."""
        loop = asyncio.get_running_loop()
        started = loop.time()
        while loop.time() - started < limit_s:
            await self.one()
            if all(states[-1] is None for states in self.states.values()):
                return loop.time() - started
            await asyncio.sleep(ROUND_S)
        raise AssertionError(f"not healthy after {limit_s} s: {self.settled()}")

    def settled(self) -> dict[str, list[ProblemKind | None]]:
        """Each account's states with repeats folded: one entry per settled state."""
        return {e: [k for k, _ in itertools.groupby(s)] for e, s in self.states.items()}


def flapping(exchange: str, every_s: float, for_s: float) -> Sequence[Step]:
    """Down, up, down, ... every `every_s` for `for_s`, ending up."""
    steps = []
    for i in range(int(for_s / every_s)):
        if i % 2 == 0:
            steps.append(Step(i * every_s, exchange=exchange, faults={"down": True}))
        else:
            steps.append(Step(i * every_s, exchange=exchange, clear=True))
    return [*steps, Step(for_s, exchange=exchange, clear=True)]


async def test_flapping_settles_healthy_without_tasks_or_connections_piling_up(
    tmp_path: Path, sim: Simulator
) -> None:
    session = await open_session(tmp_path, sim)
    try:
        rounds = Rounds(session)
        await rounds.one()
        await rounds.one()
        tasks, sockets = len(asyncio.all_tasks()), open_sockets()
        # Every 2 s for 20 s, compressed tenfold: ten changes, every half second... x0.25.
        playing = asyncio.create_task(sim.run_timeline(flapping("okx", 0.5, 5.0)))
        await rounds.during(playing)
        await rounds.until_healthy(NETWORK_MAX_BACKOFF_S + 5)
        await rounds.one()
        settled = rounds.settled()
        assert settled["binance"] == [None]  # the other exchange never noticed
        okx = settled["okx"]
        assert okx[0] is None and okx[-1] is None
        assert set(okx) <= {None, ProblemKind.unreachable}, okx
        assert len(okx) <= 11  # at most one state per change of the exchange
        assert len(asyncio.all_tasks()) <= tasks + 1
        assert open_sockets() <= sockets + 4  # dead connections were closed, not kept
    finally:
        await session.aclose()


async def test_a_burst_of_server_errors_then_healthy(tmp_path: Path, sim: Simulator) -> None:
    session = await open_session(tmp_path, sim)
    try:
        rounds = Rounds(session)
        await rounds.one()
        burst = [
            Step(0.0, exchange="okx", faults={"maintenance": True}),  # 503 with an HTML page
            Step(1.5, exchange="okx", clear=True),
        ]
        await rounds.during(asyncio.create_task(sim.run_timeline(burst)))
        await rounds.until_healthy(NETWORK_MAX_BACKOFF_S + 5)
        await rounds.one()
        settled = rounds.settled()
        assert settled["okx"] == [None, ProblemKind.maintenance, None], settled
        assert settled["binance"] == [None]
    finally:
        await session.aclose()


async def test_a_latency_spike_past_the_timeout_then_normal(tmp_path: Path, sim: Simulator) -> None:
    session = await open_session(tmp_path, sim, timeout_s=0.5, account_timeout_s=3.0)
    try:
        rounds = Rounds(session)
        await rounds.one()
        spike = [
            Step(0.0, exchange="okx", faults={"latency_ms": 1200}),  # past the 0.5 s timeout
            Step(3.0, exchange="okx", faults={"latency_ms": 0}),
        ]
        await rounds.during(asyncio.create_task(sim.run_timeline(spike)))
        await rounds.until_healthy(NETWORK_MAX_BACKOFF_S + 5)
        await rounds.one()
        settled = rounds.settled()
        assert settled["okx"] == [None, ProblemKind.timeout, None], settled
        assert settled["binance"] == [None]  # never held back by the slow one
    finally:
        await session.aclose()
