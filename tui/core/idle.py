"""When to warn before the idle lock, and when to lock (no Textual: the app asks each tick)."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from enum import Enum

WARN_BEFORE_S = 60
"""The countdown shown before Keydeck locks itself: any key postpones it."""


class Idle(Enum):
    awake = "awake"
    warn = "warn"
    lock = "lock"


class IdleClock:
    """Seconds since the user last did something, against the idle-lock setting."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._last = clock()

    def touch(self) -> None:
        self._last = self._clock()

    def verdict(self, minutes: float) -> tuple[Idle, int]:
        """(what to do, whole seconds left before the lock); minutes <= 0: never lock."""
        if minutes <= 0:
            return Idle.awake, 0
        left = minutes * 60 - (self._clock() - self._last)
        if left <= 0:
            return Idle.lock, 0
        if left <= WARN_BEFORE_S:
            return Idle.warn, math.ceil(left)
        return Idle.awake, math.ceil(left)
