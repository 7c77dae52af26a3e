"""Running a simulator on its own event loop in a background thread, for sync callers."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from types import TracebackType
from typing import Any, Protocol, TypeVar

_T = TypeVar("_T")


class Server(Protocol):
    """What the thread needs of `tui.sim.server.Simulator` (which starts threads: a
    Protocol here keeps the import one way)."""

    @property
    def url(self) -> str: ...

    async def start(self) -> object: ...

    async def stop(self) -> None: ...

    def endpoint(self, exchange_id: str) -> str: ...

    def describe(self) -> dict[str, Any]: ...


class SimulatorThread:
    """Handle of a simulator running in a daemon thread; `.stop()` (or `with`) ends it.

    Reading accounts and calling `set_faults` from another thread is fine: they are plain
    attribute writes the server reads on each request.
    """

    def __init__(self, simulator: Server) -> None:
        self.simulator = simulator
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._done = asyncio.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="keydeck-sim", daemon=True)

    @classmethod
    def start(cls, simulator: Server, timeout: float = 10.0) -> SimulatorThread:
        handle = cls(simulator)
        handle._thread.start()
        if not handle._ready.wait(timeout):
            raise TimeoutError("the simulator did not start in time")
        if handle._error is not None:
            raise RuntimeError("the simulator failed to start") from handle._error
        return handle

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self._loop.run_until_complete(self._main())
        finally:
            self._loop.close()

    async def _main(self) -> None:
        try:
            await self.simulator.start()
        except BaseException as error:
            self._error = error
            self._ready.set()
            return
        self._ready.set()
        try:
            await self._done.wait()
        finally:
            await self.simulator.stop()

    @property
    def url(self) -> str:
        return self.simulator.url

    def endpoint(self, exchange_id: str) -> str:
        return self.simulator.endpoint(exchange_id)

    def describe(self) -> dict[str, Any]:
        return self.simulator.describe()

    def call(self, coroutine: Coroutine[Any, Any, _T], timeout: float = 10.0) -> _T:
        """Run a coroutine of the simulator on its loop and wait for it, e.g.
        `handle.call(handle.simulator.go_offline())`."""
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout)

    def stop(self, timeout: float = 10.0) -> None:
        if self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._done.set)
            self._thread.join(timeout)

    def __enter__(self) -> SimulatorThread:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
