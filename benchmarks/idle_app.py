"""CPU of the real app polling at the default interval: the dashboard left alone.

The app (dashboard home, N = 20, 50 and 100 accounts (20 with --quick), default settings: a
refresh every 15 s) runs under `run_test` against the simulator in its own process, so only
Keydeck's CPU is counted. After the first refresh, the process's CPU time (all threads) is
measured over a window of real time that spans several real 15 s intervals: refreshes, the
dashboard's 1 s clock redraw, timers, all as a user leaves it. The figure is CPU seconds per
second of wall time, against the 2 % of one core target. Headless mode skips writing frames
to a terminal, so a real terminal adds a little on top (each frame is still composed; only
the escape codes are not encoded and written).
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from benchmarks.appsession import dashboard_session
from benchmarks.core import Result, RunOptions, Target
from benchmarks.simproc import bench_accounts, simulator_process

SIZES = (20, 50, 100)
QUICK_SIZES = (20,)
LATENCY_MS = 50
WINDOW_S = 62.0
QUICK_WINDOW_S = 32.0
TARGETS = {20: Target(0.01), 100: Target(0.02)}
"""Issue 16: <= 1 % of a core at 20 accounts, <= 2 % at 100."""


async def _measure(description: dict[str, Any], window_s: float) -> tuple[float, float, int]:
    async with dashboard_session(description) as session:
        app = session.app
        rounds = 0
        original = app.session.connector.refresh

        async def counted(*args: Any, **kwargs: Any) -> Any:
            nonlocal rounds
            async for report in original(*args, **kwargs):
                yield report
            rounds += 1

        app.session.connector.refresh = counted
        cpu, wall = time.process_time(), time.perf_counter()
        await asyncio.sleep(window_s)
        return time.process_time() - cpu, time.perf_counter() - wall, rounds


def run(options: RunOptions) -> list[Result]:
    window = QUICK_WINDOW_S if options.quick else WINDOW_S
    results = []
    for size in QUICK_SIZES if options.quick else SIZES:
        with simulator_process(bench_accounts(size), latency_ms=LATENCY_MS) as sim:
            cpu, wall, rounds = asyncio.run(_measure(sim.description, window))
        results.append(
            Result(
                name=f"idle app CPU, dashboard, {size} accounts, 15 s interval",
                measured=cpu,
                reference=wall,
                unit="s",
                target=TARGETS.get(size),
                note=(
                    f"{cpu:.2f} CPU s over {wall:.0f} s of real time = "
                    f"{cpu / wall * 100:.2f} % of one core, {rounds} refresh rounds; "
                    "reference: the wall-clock window"
                ),
            )
        )
    return results
