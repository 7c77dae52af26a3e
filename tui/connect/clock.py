"""Measuring the offset between this computer's clock and an exchange's, and judging it.

The offset is only known to within half the round trip, so only its certain part counts:
warn above 2 s, fail above 10 s.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from tui.connect.models import StatusState
from tui.connect.problems import Problem, ProblemKind, make_problem
from tui.connect.shapes import require_server_time

CLOCK_WARN_MS = 2_000
CLOCK_FAIL_MS = 10_000
WAKE_JUMP_S = 5.0
"""The wall clock moving this much further than the monotonic one means the computer slept:
the monotonic clock (which times back-offs and Textual's timers) stands still in suspend."""


class SleepDetector:
    """Tells when the computer has slept since the last look, from the gap between the wall
    clock and the monotonic one. Both clocks are injectable (seconds): a test makes a sleep
    by moving its wall clock forward."""

    def __init__(
        self,
        wall: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._wall = wall
        self._monotonic = monotonic
        self._offset: float | None = None

    def woke(self) -> bool:
        """True once after each jump of the wall clock past the monotonic one (the first
        look only sets the reference)."""
        offset = self._wall() - self._monotonic()
        previous, self._offset = self._offset, offset
        return previous is not None and offset - previous >= WAKE_JUMP_S


async def measure_clock(
    client: Any, clock: Callable[[], float]
) -> tuple[float, float | None, float]:
    """(latency, offset, uncertainty) in ms. The offset is only known to within half
    the round trip, so before warning about the clock it is measured once more and the
    tighter sample kept (a busy event loop or a cold connection skews the first)."""
    best: tuple[float, float | None, float] | None = None
    for _attempt in range(2):
        answer, before_wall, latency_ms = await timed_fetch_time(client, clock)
        server_ms = require_server_time(answer, client.id)  # `{}` is no time: never "in sync"
        offset_ms: float | None = round(server_ms - (before_wall * 1000 + latency_ms / 2), 1)
        uncertainty_ms = latency_ms / 2
        if server_ms % 1000 == 0:
            uncertainty_ms += 1000  # the exchange reports whole seconds only
        sample = (latency_ms, offset_ms, uncertainty_ms)
        if best is None or sample[0] < best[0]:
            best = sample
        if offset_ms is None or abs(offset_ms) <= CLOCK_WARN_MS:
            break  # nothing to warn about: no need for a second opinion
    assert best is not None
    return best


def clock_verdict(
    offset_ms: float | None, uncertainty_ms: float, exchange_id: str
) -> tuple[StatusState, Problem | None]:
    """Warn above 2 s, fail above 10 s, counting only the part of the offset that is
    certain (a slow round trip cannot make the clock look wrong)."""
    if offset_ms is None:
        return "ok", None
    certain_ms = max(0.0, abs(offset_ms) - uncertainty_ms)
    if certain_ms <= CLOCK_WARN_MS:
        return "ok", None
    seconds = abs(offset_ms) / 1000
    direction = "behind" if offset_ms > 0 else "ahead of"
    problem = make_problem(
        ProblemKind.clock_skew,
        exchange_id,
        detail=f"clock offset {offset_ms:+.0f} ms",
        title=f"Your computer's clock is {seconds:.1f} s {direction} {{name}}.",
    )
    return ("failing" if certain_ms > CLOCK_FAIL_MS else "warning"), problem


async def timed_fetch_time(client: Any, clock: Callable[[], float]) -> tuple[Any, float, float]:
    """(server time, wall clock when sent, round trip in ms) of one `fetch_time`.

    The rate limiter's wait is taken before the clock starts: otherwise a second round on
    Kraken showed a "latency" of 3 s that was only ccxt pacing its own requests. Safe to
    toggle the flag because each account has its own client and one check at a time.
    """
    throttled = bool(client.enableRateLimit)
    if throttled:
        await client.throttle(1)  # a public time request costs one unit on every exchange
        client.enableRateLimit = False
    try:
        before_wall, started = clock(), time.perf_counter()
        server_ms = await client.fetch_time()
        return server_ms, before_wall, elapsed_ms(started)
    finally:
        if throttled:
            client.enableRateLimit = True


def elapsed_ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)
