"""The simulator: one aiohttp server on 127.0.0.1 with every exchange under /<ccxt id>."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from aiohttp import web

from tui.sim import exchanges as registry
from tui.sim.accounts import default_accounts
from tui.sim.errors import ErrorKind, SimError
from tui.sim.exchanges.base import Route, SimExchange
from tui.sim.model import Faults, SimAccount
from tui.sim.pages import GEO_BLOCK_HTML, MAINTENANCE_HTML, NOT_FOUND_HTML
from tui.sim.request import SimRequest
from tui.sim.scenario import Scenario
from tui.sim.state import DEFAULT_CLIENT_IP, SimState
from tui.sim.thread import SimulatorThread
from tui.sim.timeline import Step, Timeline

log = logging.getLogger(__name__)

HANG_SECONDS = 600.0
"""How long a request under the timeout fault waits (the client gives up long before)."""
REQUESTS_KEPT = 10_000


@dataclass(frozen=True)
class SeenRequest:
    """A request as the simulator received it, before any fault answered it."""

    exchange: str
    method: str
    path: str
    signed: bool
    """The path is one of the exchange's signed (private) routes."""


class Simulator:
    """Loopback exchange simulator; `async with Simulator() as sim:` or `start()`/`stop()`.

    `scenario` is a `Scenario`, a path to a TOML/JSON scenario file, or None (defaults).
    `drift` (fraction per `drift_interval` seconds) moves balances and prices; 0 = off.
    """

    def __init__(
        self,
        scenario: Scenario | str | Path | None = None,
        port: int = 0,
        drift: float | None = None,
        *,
        host: str = "127.0.0.1",
        exchanges: list[str] | None = None,
        drift_interval: float = 1.0,
        timeline: Timeline | Sequence[Step] | None = None,
    ) -> None:
        if scenario is None:
            scenario = Scenario()
        elif not isinstance(scenario, Scenario):
            scenario = Scenario.load(scenario)
        self.host = host
        self.port = port
        self.drift = scenario.drift if drift is None else drift
        self.drift_interval = drift_interval
        self.state = SimState(client_ip=scenario.client_ip or DEFAULT_CLIENT_IP)
        classes = registry.load_all()
        if exchanges is not None:
            missing = set(exchanges) - set(classes)
            if missing:
                raise KeyError(f"the simulator has no exchange(s) {', '.join(sorted(missing))}")
            classes = {i: c for i, c in classes.items() if i in exchanges}
        self.exchanges: dict[str, SimExchange] = {i: c(self.state) for i, c in classes.items()}
        self._provision(scenario, classes)
        self._runner: web.AppRunner | None = None
        self._stopping = asyncio.Event()
        self._drift_task: asyncio.Task[None] | None = None
        if timeline is None:
            timeline = scenario.timeline
        elif not isinstance(timeline, Timeline):
            timeline = Timeline(tuple(timeline))
        self.timeline = timeline
        self._timeline_task: asyncio.Task[None] | None = None
        self.requests: deque[SeenRequest] = deque(maxlen=REQUESTS_KEPT)
        """The last requests received, oldest first: what a client asked, faults or not."""

    def _provision(self, scenario: Scenario, classes: dict[str, type[SimExchange]]) -> None:
        overridden = {(spec.exchange, spec.label) for spec in scenario.accounts}
        if scenario.defaults:
            for index, cls in enumerate(classes.values()):
                for account in default_accounts(cls, index, self.state.client_ip):
                    if (account.exchange, account.label) not in overridden:
                        self.state.add(account)
        for spec in scenario.accounts:
            if spec.exchange not in classes:
                raise KeyError(f"scenario names unknown exchange {spec.exchange!r}")
            cls = classes[spec.exchange]
            self.state.add(spec.build(cls.default_credentials(spec.label)))
        for exchange, faults in scenario.exchange_faults.items():
            if exchange not in classes:
                raise KeyError(f"scenario names unknown exchange {exchange!r}")
            self.state.exchange_faults[exchange] = faults

    # --- lifecycle -----------------------------------------------------------------------

    async def start(self) -> Simulator:
        await self._listen()
        self._stopping.clear()
        if self.drift > 0:
            self._drift_task = asyncio.create_task(self._drift_loop())
        if self.timeline.steps:
            self._timeline_task = asyncio.create_task(self.run_timeline(self.timeline))
        return self

    async def _listen(self) -> None:
        app = web.Application(client_max_size=1024 * 1024)
        app.router.add_get("/", self._index)
        app.router.add_route("*", "/{exchange}{tail:(/.*)?}", self._dispatch)
        runner = web.AppRunner(
            app, handler_cancellation=True, shutdown_timeout=0.5, access_log=None
        )
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        await site.start()
        self._runner = runner
        sockets = site._server.sockets if site._server is not None else ()  # type: ignore[union-attr]
        self.port = sockets[0].getsockname()[1]

    async def stop(self) -> None:
        self._stopping.set()
        for task in (self._timeline_task, self._drift_task):
            if task is not None and task is not asyncio.current_task():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        self._drift_task = self._timeline_task = None
        await self.go_offline()

    # --- time ------------------------------------------------------------------------------

    @property
    def online(self) -> bool:
        return self._runner is not None

    async def go_offline(self) -> None:
        """Close the port and every open connection: clients get "connection refused" until
        `go_online`. Keys, balances and faults are kept."""
        if self._runner is None:
            return
        self._stopping.set()  # requests hanging under the timeout fault end now
        runner, self._runner = self._runner, None
        await runner.cleanup()

    async def go_online(self) -> None:
        """Listen again, on the same port."""
        if self._runner is None:
            self._stopping.clear()
            await self._listen()

    async def apply(self, step: Step) -> None:
        """Do what one timeline step says, now."""
        if step.exchange is not None:
            if step.clear:
                self.clear_faults(step.exchange, step.label)
            if step.faults:
                self.set_faults(step.exchange, step.label, **step.faults)
        if step.offline is True:
            await self.go_offline()
        elif step.offline is False:
            await self.go_online()

    async def run_timeline(self, timeline: Timeline | Sequence[Step]) -> None:
        """Play a timeline from now (each step at its `at` seconds from the call), repeating
        if it says so. Runs until done (or forever with `repeat_s`): start it as a task."""
        if not isinstance(timeline, Timeline):
            timeline = Timeline(tuple(timeline))
        loop = asyncio.get_running_loop()
        while True:
            started = loop.time()
            for step in timeline.ordered():
                await asyncio.sleep(max(0.0, started + step.at - loop.time()))
                log.info("timeline: %s", step)
                await self.apply(step)
            if timeline.repeat_s is None:
                return
            await asyncio.sleep(max(0.0, started + timeline.repeat_s - loop.time()))

    async def __aenter__(self) -> Simulator:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    @classmethod
    def start_in_thread(cls, *args: Any, **kwargs: Any) -> SimulatorThread:
        """Run a simulator on its own event loop in a daemon thread (for sync code)."""
        return SimulatorThread.start(cls(*args, **kwargs))

    async def _drift_loop(self) -> None:
        while True:
            await asyncio.sleep(self.drift_interval)
            self.state.drift(self.drift)

    # --- the public surface --------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def endpoint(self, exchange_id: str) -> str:
        if exchange_id not in self.exchanges:
            raise KeyError(f"the simulator has no exchange {exchange_id!r}")
        return f"{self.url}/{exchange_id}"

    @property
    def accounts(self) -> list[SimAccount]:
        return list(self.state.accounts)

    def account(self, exchange: str, label: str | None = None) -> SimAccount:
        """The account labelled `label` on `exchange` (the first one when label is None)."""
        return self.state.get(exchange, label)

    def add_account(self, account: SimAccount) -> SimAccount:
        if account.exchange not in self.exchanges:
            raise KeyError(f"the simulator has no exchange {account.exchange!r}")
        self.state.add(account)
        return account

    def set_faults(self, exchange: str, label: str | None = None, **faults: Any) -> None:
        """Set faults for one key (`label`) or, with label None, for the whole exchange."""
        if exchange not in self.exchanges:
            raise KeyError(f"the simulator has no exchange {exchange!r}")
        target = (
            self.state.faults_of_exchange(exchange)
            if label is None
            else self.state.get(exchange, label).faults
        )
        target.update(**faults)

    def clear_faults(self, exchange: str | None = None, label: str | None = None) -> None:
        """Switch every fault off: on every exchange and key, or on one exchange (and its
        keys), or on one key (`label`)."""
        if exchange is not None and exchange not in self.exchanges:
            raise KeyError(f"the simulator has no exchange {exchange!r}")
        if label is not None:
            self.state.get(exchange or "", label).faults = Faults()
            return
        for exchange_id in self.exchanges:
            if exchange in (None, exchange_id):
                self.state.exchange_faults[exchange_id] = Faults()
        for account in self.state.accounts:
            if exchange in (None, account.exchange):
                account.faults = Faults()

    def describe(self) -> dict[str, Any]:
        """{"url", "accounts": [{"exchange", "label", "credentials", "traits", "endpoint"}]}."""
        return {
            "url": self.url,
            "exchanges": list(self.exchanges),
            "accounts": [a.describe(self.endpoint(a.exchange)) for a in self.state.accounts],
        }

    # --- request handling ----------------------------------------------------------------

    async def _index(self, request: web.Request) -> web.Response:
        return web.json_response(
            {"simulator": "keydeck", "exchanges": {i: self.endpoint(i) for i in self.exchanges}}
        )

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        exchange = self.exchanges.get(request.match_info["exchange"])
        if exchange is None:
            return web.Response(status=404, text=NOT_FOUND_HTML, content_type="text/html")
        sim_request = await SimRequest.from_aiohttp(request, f"/{exchange.id}")
        found = exchange.match(sim_request.method, sim_request.path)
        self.requests.append(
            SeenRequest(
                exchange.id,
                sim_request.method,
                sim_request.path,
                signed=found is not None and found[0].signed,
            )
        )
        try:
            api_key = exchange.api_key_of(sim_request)
        except SimError:
            api_key = None
        account = self.state.find(exchange.id, api_key)
        faults = self.state.effective_faults(exchange.id, account)
        if faults.down:
            return self._drop(request)
        if faults.latency_ms > 0:
            await asyncio.sleep(faults.latency_ms / 1000)
        if faults.timeout:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), HANG_SECONDS)
            return web.Response(status=504, text="Gateway Timeout")
        if faults.geo_blocked:
            page = GEO_BLOCK_HTML.format(name=exchange.name)
            return web.Response(status=403, text=page, content_type="text/html")
        if faults.maintenance:
            page = MAINTENANCE_HTML.format(name=exchange.name)
            return web.Response(status=503, text=page, content_type="text/html")
        if faults.rate_limited:
            response = exchange.render_error(SimError(ErrorKind.RATE_LIMITED))
        else:
            response = await self._serve(exchange, sim_request, account, found)
        if faults.malformed_json and isinstance(response, web.Response) and response.text:
            response.text = response.text[: max(1, len(response.text) // 2)]
        return response

    @staticmethod
    def _drop(request: web.Request) -> web.StreamResponse:
        """Close the connection without an answer, as a host that went away does."""
        transport = request.transport
        if transport is not None:
            transport.abort()
        return web.Response(status=503)  # never reaches the client: the socket is gone

    async def _serve(
        self,
        exchange: SimExchange,
        request: SimRequest,
        account: SimAccount | None,
        found: tuple[Route, dict[str, str]] | None,
    ) -> web.Response:
        try:
            if found is None:
                raise SimError(ErrorKind.NOT_FOUND, f"{request.method} {request.path}")
            route, request.match = found
            if route.signed:
                account = exchange.admit(request, account)
                if route.permission and not account.traits.can(route.permission):
                    raise SimError(ErrorKind.PERMISSION_DENIED, route.permission)
            result = await exchange.handler(route)(request, account)
        except SimError as error:
            return exchange.render_error(error)
        if isinstance(result, web.Response):
            return result
        return exchange.json(result)
