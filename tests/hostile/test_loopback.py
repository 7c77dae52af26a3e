"""The loopback rule means loopback: plain http only to an IP literal of this computer or to
`localhost` exactly, which is used only if it resolves to this computer; the same rule for
what `keydeck exec` hands a child; webhooks never follow a redirect."""

from __future__ import annotations

import socket
from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp import web

from tui.connect.endpoint import EndpointError, is_loopback, normalize_endpoint
from tui.connect.transport import LoopbackResolver
from tui.keys_io.child_env import child_environment
from tui.vault import Account
from tui.watch.events import Event
from tui.watch.sinks import SetupError, SinkError, WebhookSink


@pytest.mark.parametrize(
    "host", ["localhost", "127.0.0.1", "127.9.8.7", "::1", "[::1]", "::ffff:127.0.0.1"]
)
def test_loopback_hosts(host: str) -> None:
    assert is_loopback(host)


@pytest.mark.parametrize(
    "host",
    [
        "localhost.",
        "localhost.example",
        "127.1",
        "0.0.0.0",  # noqa: S104 - a host name under test
        "10.9.8.7",
        "::",
        "local",
        "2130706433",
    ],
)
def test_names_that_only_look_local_are_not(host: str) -> None:
    assert not is_loopback(host)


@pytest.mark.parametrize(
    "url",
    [
        "http://localhost.:8400/binance",
        "http://localhost.example:8400",
        "http://10.9.8.7/api",
        "http://user:token@127.0.0.1:8400",
        "https://user:token@api.example.com",
        "https://@api.example.com",
    ],
)
def test_such_endpoints_are_refused(url: str) -> None:
    with pytest.raises(EndpointError) as caught:
        normalize_endpoint(url)
    assert "token" not in str(caught.value)


def test_localhost_is_used_only_if_every_address_is_loopback(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A spoofed or edited answer for `localhost` gets no connection at all."""
    import asyncio

    answers: dict[str, list[str]] = {"localhost": ["127.0.0.1", "10.9.8.7"]}

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port or 0))
            for address in answers[host]
        ]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)

    async def resolve() -> list[Any]:
        resolver = LoopbackResolver()
        try:
            return await resolver.resolve("localhost", 8400)
        finally:
            await resolver.close()

    with pytest.raises(OSError, match="outside this computer"):
        asyncio.run(resolve())
    answers["localhost"] = ["127.0.0.1"]
    assert [r["host"] for r in asyncio.run(resolve())] == ["127.0.0.1"]


def test_exec_never_hands_a_child_an_insecure_endpoint() -> None:
    account = Account(
        exchange="binance",
        label="main",
        credentials={"apiKey": "exec-key", "secret": "exec-secret-0001"},
        endpoint="http://10.9.8.7:8400",  # a keyfile written before the rule, or by hand
    )
    with pytest.raises(ValueError, match="not handed to a program") as caught:
        child_environment(account, "ccxt", {}, api_urls=lambda *_: {"public": "https://x"})
    assert "exec-secret" not in str(caught.value)
    safe = Account(exchange="binance", label="main", credentials={"apiKey": "k", "secret": "s"},
                   endpoint="http://127.0.0.1:8400")  # fmt: skip
    env, _ = child_environment(safe, "ccxt", {}, api_urls=lambda *_: {"public": "https://x/p"})
    assert "http://127.0.0.1:8400/p" in env["KEYDECK_CCXT_CONFIG"]


def _event() -> Event:
    return Event(
        event="account_failed",
        severity="critical",
        time=datetime(2026, 1, 1, tzinfo=UTC),
        account_id="a1",
        exchange="binance",
        label="main",
        title="The account failed its check.",
        detail="",
    )


async def test_a_webhook_redirect_is_not_followed() -> None:
    hits: list[str] = []

    async def redirect(request: web.Request) -> web.Response:
        hits.append("hook")
        raise web.HTTPTemporaryRedirect("/elsewhere")

    async def elsewhere(request: web.Request) -> web.Response:
        hits.append("elsewhere")
        return web.Response(status=204)

    app = web.Application()
    app.router.add_post("/hook", redirect)
    app.router.add_post("/elsewhere", elsewhere)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    sink = WebhookSink(f"http://127.0.0.1:{port}/hook")
    try:
        with pytest.raises(SinkError, match="307"):
            await sink.send(_event())
    finally:
        await sink.aclose()
        await runner.cleanup()
    assert hits == ["hook"]
    with pytest.raises(SetupError):
        WebhookSink("http://localhost.:9/hook")
