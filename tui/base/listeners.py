"""Plain change listeners (no Textual): callbacks told that something changed."""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)

Listener = Callable[[], None]


class Listeners:
    """Plain callbacks, called in order; a failing listener is logged, never raised."""

    def __init__(self) -> None:
        self._callbacks: list[Listener] = []
        self._lock = threading.Lock()

    def subscribe(self, callback: Listener) -> Callable[[], None]:
        """Add `callback`; returns the function that removes it again."""
        with self._lock:
            self._callbacks.append(callback)

        def unsubscribe() -> None:
            with self._lock, contextlib.suppress(ValueError):
                self._callbacks.remove(callback)

        return unsubscribe

    def publish(self) -> None:
        with self._lock:
            callbacks = list(self._callbacks)
        for callback in callbacks:
            try:
                callback()
            except Exception:
                log.warning("a session listener failed", exc_info=True)
