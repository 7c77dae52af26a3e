"""A signed request as the exchange sees it, decoupled from aiohttp."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web
from multidict import CIMultiDict, CIMultiDictProxy

from tui.sim.errors import ErrorKind, SimError


@dataclass
class SimRequest:
    """One HTTP request with the exchange's mount prefix removed from the path.

    `raw_query` and `body` are exactly the bytes the client sent: signatures are computed over
    them, so never rebuild them from parsed values.
    """

    method: str
    path: str
    """Path without the mount prefix, e.g. "/api/v3/account" (what ccxt signed)."""
    raw_query: str
    body: str
    headers: CIMultiDictProxy[str]
    remote: str
    mount_prefix: str = ""
    """E.g. "/binance"; `full_path` is prefix + path, as it appeared on the wire."""
    host: str = ""
    """The Host header value (e.g. "127.0.0.1:8400")."""
    query: dict[str, str] = field(default_factory=dict)
    match: dict[str, str] = field(default_factory=dict)
    """Values of `{name}` segments of the matched route."""

    @classmethod
    async def from_aiohttp(cls, request: web.Request, mount_prefix: str) -> SimRequest:
        path = request.path[len(mount_prefix) :] or "/"
        raw_query = request.rel_url.raw_query_string
        body = (await request.read()).decode("utf-8", errors="replace")
        return cls(
            method=request.method.upper(),
            path=path,
            raw_query=raw_query,
            body=body,
            headers=CIMultiDictProxy(CIMultiDict(request.headers)),
            remote=request.remote or "",
            mount_prefix=mount_prefix,
            host=request.host,
            query=dict(parse_qsl(raw_query, keep_blank_values=True)),
        )

    @property
    def full_path(self) -> str:
        return self.mount_prefix + self.path

    @property
    def path_with_query(self) -> str:
        """Path plus "?query" when there is one, as OKX/KuCoin/Bitget sign it."""
        return f"{self.path}?{self.raw_query}" if self.raw_query else self.path

    def form(self) -> dict[str, str]:
        """The body parsed as application/x-www-form-urlencoded."""
        return dict(parse_qsl(self.body, keep_blank_values=True))

    def params(self) -> dict[str, str]:
        """Query parameters, plus form parameters from the body of a form POST."""
        result = dict(self.query)
        content_type = self.headers.get("Content-Type", "")
        if self.body and "json" not in content_type:
            result.update(self.form())
        return result

    def json(self) -> Any:
        if not self.body:
            return {}
        try:
            return json.loads(self.body)
        except ValueError as error:
            raise SimError(ErrorKind.BAD_REQUEST, "body is not valid JSON") from error

    def header(self, name: str) -> str | None:
        value = self.headers.get(name)
        return value if value else None
