"""What Keydeck relies on inside ccxt (tui/connect/ccxt_hooks.py). A ccxt release that changes
any of it fails here, before it can let a redirect or an unbounded body through."""

from __future__ import annotations

import inspect
from collections.abc import Iterator

import ccxt.async_support as ccxt_async
import pytest
from ccxt.async_support.base.exchange import Exchange as AsyncExchange
from ccxt.base.exchange import Exchange as BaseExchange

from tests.connect.hostile import HostileServer
from tui.connect.ccxt_hooks import close_client, install_strict_json, session_config
from tui.connect.endpoint import apply_endpoint
from tui.connect.problems import MalformedResponse, RedirectRefused, ResponseTooLarge
from tui.connect.transport import open_session


@pytest.fixture(scope="module")
def hostile() -> Iterator[HostileServer]:
    with HostileServer.start() as server:
        yield server


def test_fetch_goes_through_the_given_session_and_reads_with_text() -> None:
    source = inspect.getsource(AsyncExchange.fetch)
    assert "self.session" in source and "getattr(final_session, method.lower())" in source
    assert "await response.text(" in source
    open_source = inspect.getsource(AsyncExchange.open)
    assert "if self.own_session and self.session is None" in open_source


def test_every_request_waits_in_throttle_first() -> None:
    """meter_throttle counts the rate limiter's waits by wrapping `throttle`: fetch2 must
    call it, and no exchange may wait some other way."""
    source = inspect.getsource(AsyncExchange.fetch2)
    assert "if self.enableRateLimit:" in source and "await self.throttle(cost)" in source
    assert (
        inspect.getsource(AsyncExchange.throttle)
        .strip()
        .endswith("return await self.throttler(cost)")
    )
    own = [
        n for n in ccxt_async.exchanges if getattr(ccxt_async, n).fetch2 is not AsyncExchange.fetch2
    ]
    assert not own


def test_no_exchange_parses_json_its_own_way() -> None:
    """install_strict_json replaces `on_json_response`; no exchange may have its own."""
    own = [
        name
        for name in ccxt_async.exchanges
        if getattr(ccxt_async, name).on_json_response is not BaseExchange.on_json_response
    ]
    assert own == []


async def _client(endpoint: str) -> AsyncExchange:
    client = ccxt_async.binance({**session_config(open_session()), "timeout": 5000})
    install_strict_json(client)
    apply_endpoint(client, endpoint)
    client.timeout_on_exit = 0
    return client


async def test_a_client_with_our_session_refuses_redirects(hostile: HostileServer) -> None:
    client = await _client(hostile.endpoint("redirect"))
    session = client.session
    try:
        assert not client.own_session
        with pytest.raises(RedirectRefused):
            await client.fetch_time()
    finally:
        await close_client(client)
    assert session.closed  # ccxt leaves it open; close_client does not
    assert hostile.trap_requests == []


@pytest.mark.parametrize(
    ("mode", "error"),
    [("bomb", ResponseTooLarge), ("nan", MalformedResponse), ("nested", MalformedResponse)],
)
async def test_a_client_with_our_session_reads_bounded_strict_json(
    hostile: HostileServer, mode: str, error: type[Exception]
) -> None:
    client = await _client(hostile.endpoint(mode))
    try:
        with pytest.raises(error):
            await client.fetch_time()
    finally:
        await close_client(client)
