"""Responsiveness: key press to repaint on the dashboard while N accounts refresh.

The real app (KeydeckApp with the dashboard as home) runs under `App.run_test` against the
simulator in its own process (200 ms latency on every answer), unlocked with a keyfile of
N = 20, 50 and 100 accounts (20 only with --quick). The loop keeps a refresh running the
whole time (a new round starts as soon as one ends) and presses `v` (switch the balance
view) at irregular intervals, so presses land in every phase of a round: requests in
flight, reports arriving, tables redrawing.

One sample is the time from posting the key event until the first frame the compositor
produces after the action changed the view, including turning that frame into terminal
output (`render_segments`, which headless mode skips, done here by the timing hook).
The reference is the same measurement on the same app with no refresh running.

Beside the wall times, two counts that do not depend on the machine's load: the garbage
collector's full (generation 2) collections during the presses and their longest pause, and
the table cells Textual rendered per refresh round (`DataTable._render_cell` calls, counted
when that private method exists).
"""

from __future__ import annotations

import asyncio
import gc
import random
import time
from contextlib import contextmanager
from typing import Any

from benchmarks.appsession import dashboard_session, wait_until
from benchmarks.core import Result, RunOptions, Target
from benchmarks.simproc import bench_accounts, simulator_process

SIZES = (20, 50, 100)
QUICK_SIZES = (20,)
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


class GcPauses:
    """Full collections (generation 2) and how long each paused the process."""

    def __init__(self) -> None:
        self.pauses: list[float] = []
        self._started = 0.0

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if info.get("generation") != 2:
            return
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.pauses.append((time.perf_counter() - self._started) * 1000)


@contextmanager
def gc_pauses() -> Any:
    pauses = GcPauses()
    gc.callbacks.append(pauses)
    try:
        yield pauses
    finally:
        gc.callbacks.remove(pauses)


class CellCounter:
    """Counts `DataTable._render_cell` calls (Textual's per-cell render), when it exists."""

    def __init__(self) -> None:
        from textual.widgets import DataTable

        self.count = 0
        self.available = hasattr(DataTable, "_render_cell")
        self._table = DataTable
        self._original = getattr(DataTable, "_render_cell", None)

    def __enter__(self) -> CellCounter:
        if self._original is not None:
            original = self._original

            def counting(table: Any, *args: Any, **kwargs: Any) -> Any:
                self.count += 1
                return original(table, *args, **kwargs)

            self._table._render_cell = counting  # type: ignore[method-assign]
        return self

    def __exit__(self, *exc: object) -> None:
        if self._original is not None:
            self._table._render_cell = self._original  # type: ignore[method-assign]


async def _cells_per_round(session: Any) -> float:
    """Cells rendered by one refresh round with no key pressed (median of 3 rounds)."""
    screen, pilot = session.screen, session.pilot
    counts = []
    for _ in range(3):
        with CellCounter() as counter:
            screen.start_refresh(force=True)
            await wait_until(pilot, lambda: not screen.refreshing, "a refresh round")
            await pilot.pause(0.3)
        counts.append(counter.count)
    return sorted(counts)[1]


async def _measure(description: dict[str, Any], presses: int) -> dict[str, Any]:
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

        with gc_pauses() as pauses:
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
        cells = await _cells_per_round(session) if CellCounter().available else None
        frozen = gc.get_freeze_count()
        tracked = len(gc.get_objects()) + frozen
    return {
        "busy": busy,
        "idle": idle,
        "overlap": overlap,
        "gc_pauses": pauses.pauses,
        "cells_per_round": cells,
        "tracked_objects": tracked,
        "frozen_objects": frozen,
    }


def run(options: RunOptions) -> list[Result]:
    presses = QUICK_PRESSES if options.quick else PRESSES
    results = []
    for size in QUICK_SIZES if options.quick else SIZES:
        with simulator_process(bench_accounts(size), latency_ms=LATENCY_MS) as sim:
            found = asyncio.run(_measure(sim.description, presses))
        busy, idle, overlap = found["busy"], found["idle"], found["overlap"]
        share = sum(overlap) / len(overlap) * 100
        pauses = found["gc_pauses"]
        longest = f"{max(pauses):.0f} ms" if pauses else "-"
        results.append(
            Result(
                name=f"key to repaint p99, {size} accounts refreshing",
                measured=p99(busy),
                reference=p99(idle),
                unit="ms",
                target=TARGET,
                note=(
                    f"{len(busy)} presses of v, {share:.0f} % during a refresh round; median "
                    f"{sorted(busy)[len(busy) // 2]:.1f} ms, max {max(busy):.1f} ms; "
                    f"reference: the same with no refresh ({len(idle)} presses); "
                    f"{len(pauses)} full GCs during the presses, longest {longest}; "
                    f"{found['cells_per_round']} table cells rendered per refresh round; "
                    f"{found['tracked_objects']} objects tracked by the GC "
                    f"({found['frozen_objects']} of them frozen)"
                ),
                samples=tuple(busy),
                reference_samples=tuple(idle),
                extra={
                    "gc_pauses_ms": pauses,
                    "cells_per_round": found["cells_per_round"],
                    "tracked_objects": found["tracked_objects"],
                    "frozen_objects": found["frozen_objects"],
                },
            )
        )
    return results
