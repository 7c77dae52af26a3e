"""A keyfile that already holds an http:// endpoint to a remote host (written before the rule,
or by hand) is refused at check time, before any connection is made."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from tui.connect import Connector
from tui.connect.problems import ProblemKind
from tui.vault import Account


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A loopback port that counts as "contacted" if anything connects to it."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    sock.setblocking(False)
    yield sock
    sock.close()


async def test_a_stored_plain_http_endpoint_is_refused_before_connecting(tmp_path: Path) -> None:
    account = Account(
        exchange="okx",
        label="old",
        credentials={"apiKey": "k", "secret": "s", "password": "p"},
        endpoint="http://api.okx.com.evil.example",
    )
    async with Connector(cache_dir=tmp_path, timeout_s=2) as connector:
        [report] = [r async for r in connector.refresh([account], force=True)]
        result = await connector.verify(account)
        new_key = await connector.check_new_key(account)
    assert report.problem is not None
    assert report.problem.kind is ProblemKind.insecure_endpoint
    assert "https://" in report.problem.fix and "No connection was made" in report.problem.fix
    assert report.status.state == "failing" and report.balances is None
    assert not result.ok and result.problem.kind is ProblemKind.insecure_endpoint
    # Not reached, whether checked in a refresh or as a new key (one list of such kinds).
    assert not report.status.reachable
    assert new_key.problem is not None and new_key.problem.kind is ProblemKind.insecure_endpoint
    assert not new_key.status.reachable and new_key.permissions is None


async def test_a_loopback_endpoint_ignores_the_system_proxy(
    tmp_path: Path, listener: socket.socket, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With use_system_proxy on, HTTP_PROXY points at a dead port: a loopback endpoint must
    go straight to its host (the listener), never through the proxy."""
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("NO_PROXY", "")
    port = listener.getsockname()[1]
    account = Account(
        exchange="binance",
        label="local",
        credentials={"apiKey": "k", "secret": "s"},
        endpoint=f"http://127.0.0.1:{port}",
    )
    async with Connector(cache_dir=tmp_path, timeout_s=1, use_system_proxy=True) as connector:
        status = await connector.status(account)
        connection, _ = listener.accept()  # the request reached the endpoint itself
        connection.close()
    assert status.problem is not None and status.problem.kind is ProblemKind.timeout


@pytest.mark.parametrize("opted_in", [True, False])
async def test_the_system_proxy_is_used_only_when_opted_in(
    tmp_path: Path, listener: socket.socket, monkeypatch: pytest.MonkeyPatch, opted_in: bool
) -> None:
    port = listener.getsockname()[1]
    monkeypatch.setenv("HTTPS_PROXY", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("NO_PROXY", "")
    account = Account(
        exchange="binance",
        label="remote",
        credentials={"apiKey": "k", "secret": "s"},
        endpoint="https://exchange.invalid",
    )
    async with Connector(cache_dir=tmp_path, timeout_s=1, use_system_proxy=opted_in) as connector:
        await connector.status(account)
        try:
            connection, _ = listener.accept()
        except BlockingIOError:
            reached_proxy = False
        else:
            connection.close()
            reached_proxy = True
    assert reached_proxy is opted_in
