"""Responsiveness: key press to repaint on the dashboard while 20 accounts refresh.

The real app (KeydeckApp with the dashboard as home) runs under `App.run_test` against the
simulator in its own process (200 ms latency on every answer), unlocked with a keyfile of
20 accounts. The loop keeps a refresh running the whole time (a new round starts as soon as
one ends) and presses `v` (switch the balance view) at irregular intervals, so presses land
in every phase of a round: requests in flight, reports arriving, tables redrawing.

One sample is the time from posting the key event until the first frame the compositor
produces after the action changed the view, including turning that frame into terminal
output (`render_segments`, which headless mode skips, done here by the timing hook).
The reference is the same measurement on the same app with no refresh running.
"""

from __future__ import annotations

import asyncio
import random
import time
from typing import Any

from benchmarks.appsession import dashboard_session, wait_until
from benchmarks.core import Result, RunOptions, Target
from benchmarks.simproc import bench_accounts, simulator_process

ACCOUNTS = 20
LATENCY_MS = 200
PRESSES = 120
QUICK_PRESSES = 40
TARGET = Target(50.0, "absolute")


def p99(samples: list[float]) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))
    return ordered[index]


class RepaintClock:
    """Wraps the app's `_display` to timestamp the first frame after a state change."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.waiting: Any = None
        self.event = asyncio.Event()
        self.painted_at = 0.0
        original = app._display

        def display(screen: Any, renderable: Any) -> None:
            original(screen, renderable)
            if renderable is None or self.waiting is None or not self.waiting():
                return
            render = getattr(renderable, "render_segments", None)
            if render is not None:
                render(app.console)
            self.painted_at = time.perf_counter()
            self.waiting = None
            self.event.set()

        app._display = display

    async def time_key(self, pilot: Any, key: str, changed: Any) -> float:
        self.event.clear()
        self.waiting = changed
        started = time.perf_counter()
        await pilot.press(key)
        await asyncio.wait_for(self.event.wait(), 10)
        return (self.painted_at - started) * 1000


async def _measure(description: dict[str, Any], presses: int) -> tuple[list[float], ...]:
    busy: list[float] = []
    idle: list[float] = []
    overlap: list[float] = []
    rng = random.Random(5)
    async with dashboard_session(description) as session:
        pilot, screen = session.pilot, session.screen
        clock = RepaintClock(session.app)

        async def sample(into: list[float]) -> None:
            before = screen.balance_view
            into.append(await clock.time_key(pilot, "v", lambda: screen.balance_view != before))

        for _ in range(presses):  # under load: a refresh always running
            if not screen.refreshing:
                screen.start_refresh()
                await asyncio.sleep(rng.uniform(0.0, 0.05))
            overlap.append(1.0 if screen.refreshing else 0.0)
            await sample(busy)
            await asyncio.sleep(rng.uniform(0.05, 0.25))
        await wait_until(pilot, lambda: not screen.refreshing, "the last refresh")
        if screen._auto_timer is not None:
            screen._auto_timer.pause()
        for _ in range(max(20, presses // 3)):  # the reference: nothing refreshing
            await sample(idle)
            await asyncio.sleep(rng.uniform(0.05, 0.15))
    return busy, idle, overlap


def run(options: RunOptions) -> list[Result]:
    presses = QUICK_PRESSES if options.quick else PRESSES
    with simulator_process(bench_accounts(ACCOUNTS), latency_ms=LATENCY_MS) as sim:
        busy, idle, overlap = asyncio.run(_measure(sim.description, presses))
    share = sum(overlap) / len(overlap) * 100
    return [
        Result(
            name="key to repaint p99, 20 accounts refreshing",
            measured=p99(busy),
            reference=p99(idle),
            unit="ms",
            target=TARGET,
            note=(
                f"{len(busy)} presses of v, {share:.0f} % during a refresh round; median "
                f"{sorted(busy)[len(busy) // 2]:.1f} ms, max {max(busy):.1f} ms; "
                f"reference: the same with no refresh ({len(idle)} presses)"
            ),
            samples=tuple(busy),
            reference_samples=tuple(idle),
        )
    ]
