"""Waiting inside a Textual Pilot for something to happen (a worker, a screen change)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any


async def wait_until(
    pilot: Any, ready: Callable[[], object], what: str = "", limit: float = 10.0
) -> None:
    """Let the app run until `ready()` holds; fail with `what` after `limit` seconds."""
    deadline = time.monotonic() + limit
    while not ready():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what or ready}")
        await pilot.pause(0.02)
        await asyncio.sleep(0.01)
    await pilot.pause()


def screen_name(pilot: Any) -> str:
    return type(pilot.app.screen).__name__
