"""A hostile HTTP server on 127.0.0.1: everything an exchange endpoint must never be trusted for.

The first path segment picks the mode, so one server serves every mode and an account's
endpoint is `http://127.0.0.1:<port>/<mode>`. Every request under it gets that mode's answer:

    redirect      302 to a second server (the trap) on another port, which records any
                  request it receives: it must receive none
    redirect-https 301 to https:// on the trap's port
    object        200 `{}`
    list          200 `[]`
    html          200 an HTML page (a captive portal)
    html500       500 an HTML page
    bomb          200 gzip: 2 MB on the wire expanding to 2 GiB of zeros
    huge          200 a 100 MB body, chunked (no Content-Length), generated as it is sent
    huge-declared 200 with `Content-Length: 100 MB` (and the same generated body)
    nested        200 JSON nested 100 000 deep
    nan           200 JSON whose numbers are NaN and Infinity
    trickle       200 one byte every half second, for ever
    hang          accepts the request and never answers
    echo          400 whose body reflects the request's URL, headers and body

Runs on its own event loop in a daemon thread (`HostileServer.start()`), so sync tests and
subprocesses can use it; `trap_requests` is what reached the trap.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import threading
import zlib
from collections.abc import Iterator
from types import TracebackType

from aiohttp import web

MODES = (
    "redirect",
    "redirect-https",
    "object",
    "list",
    "html",
    "html500",
    "bomb",
    "huge",
    "huge-declared",
    "nested",
    "nan",
    "trickle",
    "hang",
    "echo",
)
SLOW_MODES = frozenset({"trickle", "hang"})

HUGE_BYTES = 100 * 1024 * 1024
BOMB_DECODED_BYTES = 2 * 1024 * 1024 * 1024
_MIB = 1024 * 1024
_PORTAL = (
    b"<!doctype html><html><head><title>Sign in to Wi-Fi</title></head><body>Accept</body></html>"
)


@functools.cache
def gzip_bomb() -> bytes:
    """A valid gzip stream of BOMB_DECODED_BYTES zeros (~2 MB), built once per process.

    After a full flush deflate refers back to nothing, so every further MiB of zeros
    compresses to the same block: one block is made and repeated.
    """
    zeros = bytes(_MIB)
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    head = compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)
    block = compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)
    blocks = BOMB_DECODED_BYTES // _MIB
    crc = 0
    for _ in range(blocks):
        crc = zlib.crc32(zeros, crc)
    trailer = compressor.flush(zlib.Z_FINISH)[:-8]  # the final empty block, without its trailer
    footer = crc.to_bytes(4, "little") + (BOMB_DECODED_BYTES % 2**32).to_bytes(4, "little")
    return head + block * (blocks - 1) + trailer + footer


def _filler(size: int) -> Iterator[bytes]:
    """`size` bytes of `[0,0,0,...` in 64 KiB pieces, never held whole."""
    piece = b"0," * 32 * 1024
    yield b"["
    sent = 1
    while sent < size:
        chunk = piece[: size - sent]
        sent += len(chunk)
        yield chunk


class HostileServer:
    """The hostile server and its trap, on two loopback ports, in a background thread."""

    def __init__(self) -> None:
        self.trap_requests: list[str] = []
        self.requests: list[str] = []
        self.port = 0
        self.trap_port = 0
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="hostile-server", daemon=True)
        self._stop: asyncio.Event | None = None
        self._error: BaseException | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def endpoint(self, mode: str) -> str:
        return f"{self.url}/{mode}"

    @classmethod
    def start(cls) -> HostileServer:
        server = cls()
        gzip_bomb()  # built before serving, so the first request is not slow
        server._thread.start()
        if not server._ready.wait(15):
            raise TimeoutError("the hostile server did not start")
        if server._error is not None:
            raise RuntimeError("the hostile server failed to start") from server._error
        return server

    def stop(self) -> None:
        if self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(15)

    def __enter__(self) -> HostileServer:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # --- serving -------------------------------------------------------------------------

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self._loop.run_until_complete(self._main())
        finally:
            self._loop.close()

    async def _main(self) -> None:
        self._stop = asyncio.Event()
        trap = web.Application()
        trap.router.add_route("*", "/{tail:.*}", self._trap)
        app = web.Application()
        app.router.add_route("*", "/{mode}/{tail:.*}", self._hostile)
        app.router.add_route("*", "/{mode}", self._hostile)
        runners = [
            web.AppRunner(trap, access_log=None, shutdown_timeout=0.1),
            web.AppRunner(app, access_log=None, shutdown_timeout=0.1),
        ]
        try:
            for runner in runners:
                await runner.setup()
            trap_site = web.TCPSite(runners[0], "127.0.0.1", 0)
            site = web.TCPSite(runners[1], "127.0.0.1", 0)
            await trap_site.start()
            await site.start()
            self.trap_port = _port(trap_site)
            self.port = _port(site)
        except BaseException as error:
            self._error = error
            self._ready.set()
            raise
        self._ready.set()
        try:
            await self._stop.wait()
        finally:
            for runner in runners:
                await runner.cleanup()

    async def _trap(self, request: web.Request) -> web.Response:
        body = await request.read()
        self.trap_requests.append(
            f"{request.method} {request.path_qs} {dict(request.headers)} {body!r}"
        )
        return web.json_response({"stolen": True})

    async def _hostile(self, request: web.Request) -> web.StreamResponse:
        mode = request.match_info["mode"]
        self.requests.append(f"{mode} {request.method} {request.path}")
        if mode == "redirect":
            raise web.HTTPFound(f"http://127.0.0.1:{self.trap_port}/stolen{request.path_qs}")
        if mode == "redirect-https":
            raise web.HTTPMovedPermanently(f"https://127.0.0.1:{self.trap_port}/stolen")
        if mode == "object":
            return web.json_response({})
        if mode == "list":
            return web.json_response([])
        if mode == "html":
            return web.Response(body=_PORTAL, content_type="text/html")
        if mode == "html500":
            return web.Response(body=_PORTAL, status=500, content_type="text/html")
        if mode == "nested":
            depth = 100_000
            return web.Response(text="[" * depth + "]" * depth, content_type="application/json")
        if mode == "nan":
            text = '{"serverTime": NaN, "result": {"unixtime": Infinity}, "data": [NaN]}'
            return web.Response(text=text, content_type="application/json")
        if mode == "echo":
            body = await request.text()
            echoed = {"url": str(request.url), "headers": dict(request.headers), "body": body}
            return web.Response(status=400, text=json.dumps(echoed), content_type="text/plain")
        if mode == "hang":
            assert self._stop is not None
            await self._stop.wait()
            raise web.HTTPServiceUnavailable()
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        with contextlib.suppress(ConnectionError):  # the client stopped reading, as it should
            await self._stream(request, response, mode)
        return response

    async def _stream(self, request: web.Request, response: web.StreamResponse, mode: str) -> None:
        """The body modes, written piece by piece until done or the client goes away."""
        if mode == "bomb":
            bomb = gzip_bomb()
            response.headers["Content-Encoding"] = "gzip"
            response.content_length = len(bomb)
            await response.prepare(request)
            for start in range(0, len(bomb), 64 * 1024):
                await response.write(bomb[start : start + 64 * 1024])
        elif mode in ("huge", "huge-declared"):
            if mode == "huge-declared":
                response.content_length = HUGE_BYTES
            await response.prepare(request)
            for chunk in _filler(HUGE_BYTES):
                await response.write(chunk)
        elif mode == "trickle":
            await response.prepare(request)
            assert self._stop is not None
            while not self._stop.is_set():
                await response.write(b" ")
                await asyncio.sleep(0.5)
        else:
            raise web.HTTPNotFound(text=f"no mode {mode!r}")
        await response.write_eof()


def _port(site: web.TCPSite) -> int:
    server = site._server  # aiohttp keeps the asyncio server here; port 0 was asked for
    assert server is not None
    return int(server.sockets[0].getsockname()[1])  # type: ignore[union-attr]
