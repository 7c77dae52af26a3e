"""The one HTTP session each ccxt client talks through: no redirects, bounded answers.

ccxt's own aiohttp session follows redirects (dropping only `Authorization`, so exchange key
headers went to wherever a 302 pointed) and reads any body whole, however large. Keydeck
gives every client a session of its own instead (see `tui.connect.ccxt_hooks`), which:

- answers every 3xx with `RedirectRefused`: aiohttp runs client middlewares once per hop, so
  the redirect is refused before a request for the new location is built;
- reads bodies through `BoundedResponse`: at most `MAX_BODY_BYTES` on the wire (a larger
  `Content-Length` is refused before reading) and `MAX_DECODED_BYTES` after gzip, deflate or
  brotli, counted chunk by chunk while reading, so a compressed bomb never expands in memory;
- verifies TLS against certifi's roots (as ccxt does);
- uses the system proxy (`HTTPS_PROXY`, `NO_PROXY`) only when asked, and never for loopback;
- resolves `localhost` through `LoopbackResolver`: a name that may carry plain http is used
  only if every address it resolves to is this computer's.

aiohttp is imported on first use of this module, which happens after ccxt is loaded.
"""

from __future__ import annotations

import socket

import aiohttp
import certifi
from aiohttp.abc import ResolveResult
from yarl import URL

from tui.connect.endpoint import LOOPBACK_NAME, is_loopback_address
from tui.connect.problems import RedirectRefused, ResponseTooLarge
from tui.connect.shared_tls import context_for

MAX_BODY_BYTES = 8 * 1024 * 1024
"""Bytes on the wire per answer. The largest answers Keydeck asks for (market lists) are a
few MB; a parsed JSON answer costs up to ~10x its size in memory."""
MAX_DECODED_BYTES = 8 * 1024 * 1024
"""Bytes after decompression per answer."""


class BoundedResponse(aiohttp.ClientResponse):
    """A response whose body is read with caps (ccxt reads bodies with `text()` -> `read()`)."""

    max_body_bytes: int = MAX_BODY_BYTES
    max_decoded_bytes: int = MAX_DECODED_BYTES

    async def read(self) -> bytes:
        if self._body is None:
            try:
                self._body = await self._read_bounded()
            except BaseException:
                self.close()
                raise
        return await super().read()

    async def _read_bounded(self) -> bytes:
        declared = self.content_length
        if declared is not None and declared > self.max_body_bytes:
            raise ResponseTooLarge("declared length", self.max_body_bytes)
        body = bytearray()
        stream = self.content
        async for chunk in stream.iter_any():
            body += chunk
            if len(body) > self.max_decoded_bytes:
                raise ResponseTooLarge("decoded size", self.max_decoded_bytes)
            if stream.total_raw_bytes > self.max_body_bytes:
                raise ResponseTooLarge("size on the wire", self.max_body_bytes)
        return bytes(body)


async def refuse_redirects(
    request: aiohttp.ClientRequest, handler: aiohttp.ClientHandlerType
) -> aiohttp.ClientResponse:
    """Client middleware: a 3xx answer ends the request; the Location is never requested."""
    response = await handler(request)
    if 300 <= response.status < 400:
        location = response.headers.get("Location", "")
        response.close()
        raise RedirectRefused(response.status, redirect_host(request.url, location))
    return response


def redirect_host(base: URL, location: str) -> str:
    """The host a Location header points at (relative locations stay on `base`'s host)."""
    if not location:
        return ""
    try:
        target = base.join(URL(location))
    except ValueError:
        return "an unreadable location"
    host = target.host or ""
    port = target.explicit_port
    return f"{host}:{port}" if port else host


class LoopbackResolver(aiohttp.ThreadedResolver):
    """aiohttp's resolver, except that `localhost` (to which plain http is allowed) counts
    only when every address it resolves to is loopback: a hosts file or resolver that
    answers otherwise gets no request, with or without a key."""

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        results = await super().resolve(host, port, family)
        if host.lower().rstrip(".") == LOOPBACK_NAME and not all(
            is_loopback_address(str(result["host"])) for result in results
        ):
            raise OSError(f"{host} resolves to an address outside this computer; not used")
        return results


def open_session(*, trust_env: bool = False) -> aiohttp.ClientSession:
    """A session for one ccxt client. Call inside a running event loop; close it after the
    client (`tui.connect.ccxt_hooks.close_client`)."""
    context = context_for(certifi.where())  # one CA bundle in memory, not one per client
    connector = aiohttp.TCPConnector(
        ssl=context,
        family=socket.AF_UNSPEC,
        happy_eyeballs_delay=0,
        resolver=LoopbackResolver(),
    )
    return aiohttp.ClientSession(
        connector=connector,
        response_class=BoundedResponse,
        middlewares=(refuse_redirects,),
        trust_env=trust_env,
    )
