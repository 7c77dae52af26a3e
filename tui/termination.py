"""SIGTERM and SIGHUP end Keydeck the way its own quit does.

`kill PID`, a closed terminal window or a logout sends one of them. Their default action
ends the process on the spot: the terminal stays in the alternate screen with mouse
tracking on, and the demo's directory stays behind. Instead, from `held()` on a signal is
only recorded; while the app runs, `attached()` puts a handler on the asyncio loop
(`loop.add_signal_handler`, the supported way to act on a signal from a loop) that asks
the app to exit, so the driver restores the terminal, the session closes and the demo
cleans up as after ctrl+q. The exit code is then 128 + the signal, as shells report it.

Textual itself handles neither signal (Textualize/textual#5140). No Textual here.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import threading
from collections.abc import Callable, Iterator
from types import FrameType
from typing import Any

SIGNALS: tuple[signal.Signals, ...] = tuple(
    getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)
)

_received: int | None = None
_depth = 0  # held() blocks open; the outermost one starts a fresh record


def _record(signum: int, frame: FrameType | None = None) -> None:
    global _received
    if _received is None:
        _received = signum


def received() -> int | None:
    """The first SIGTERM or SIGHUP since `held()` began, if one came."""
    return _received


def exit_code(code: int) -> int:
    """128 + the signal when one ended Keydeck, else `code`."""
    return 128 + _received if _received is not None else code


@contextlib.contextmanager
def held() -> Iterator[None]:
    """Record SIGTERM and SIGHUP instead of dying of them, until the block ends (the start-up
    and the clean-up run to the end); the previous handlers are back afterwards. No-op
    outside the main thread, where signals cannot be handled."""
    global _received, _depth
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = _not_ignored()
    if _depth == 0:
        _received = None
    _depth += 1
    for sig in previous:
        signal.signal(sig, _record)
    try:
        yield
    finally:
        _depth -= 1
        for sig, handler in previous.items():
            signal.signal(sig, handler)


@contextlib.contextmanager
def attached(loop: asyncio.AbstractEventLoop, on_signal: Callable[[int], object]) -> Iterator[None]:
    """While the block runs, a signal calls `on_signal(signum)` in the loop (once: later
    ones are only recorded); a signal recorded before is delivered at once. Afterwards the
    previous handlers are back (asyncio's own removal would leave the default, which kills)."""

    def deliver(signum: int) -> None:
        first = _received is None
        _record(signum)
        if first:
            on_signal(signum)

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = _not_ignored()
    for sig in previous:
        loop.add_signal_handler(sig, deliver, sig)
    if _received is not None:
        loop.call_soon(on_signal, _received)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            loop.remove_signal_handler(sig)
            signal.signal(sig, handler)


def _not_ignored() -> dict[signal.Signals, Any]:
    """The signals to handle, with their handlers now: one ignored when Keydeck started
    (`nohup keydeck`) stays ignored, one whose handler is not Python's is left alone."""
    handlers = {sig: signal.getsignal(sig) for sig in SIGNALS}
    return {
        sig: handler
        for sig, handler in handlers.items()
        if handler is not None and handler != signal.SIG_IGN
    }
