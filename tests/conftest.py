"""Guards for every test."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from typing import Any

import pytest


def pytest_configure(config: pytest.Config) -> None:
    """The simulator's clients (loopback only) skip ccxt's client-side rate limiting, in this
    process and in every `keydeck` the tests start (tui/connect/clients.py); the tests of the
    limiter itself take the variable away."""
    from tui.connect.clients import UNTHROTTLED_LOOPBACK_ENV

    os.environ[UNTHROTTLED_LOOPBACK_ENV] = "1"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Long tests (marked `slow`) first, so the parallel workers do not end on one of them
    while the others sit idle (longest-first scheduling). Stable: the same order on every
    worker, as pytest-xdist requires."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


@pytest.fixture(autouse=True)
def recursion_limit_unchanged() -> Iterator[None]:
    """A library that raises the recursion limit (py_ecc does, on import) turns a deeply
    nested JSON answer from a RecursionError into a crash of the whole process."""
    before = sys.getrecursionlimit()
    yield
    after = sys.getrecursionlimit()
    if after != before:
        sys.setrecursionlimit(before)
        pytest.fail(f"the recursion limit moved from {before} to {after}")


_LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1", "", None}


def _is_loopback(host: object) -> bool:
    import ipaddress

    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return False


@pytest.fixture(autouse=True)
def no_network_beyond_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never reach a real exchange: a name lookup or a connection to anything but this
    machine fails the test at once (every account in a test has a loopback endpoint)."""
    import socket

    real_getaddrinfo = socket.getaddrinfo
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if not _is_loopback(host.decode() if isinstance(host, bytes) else host):
            raise OSError(f"test tried to look up {host!r}: tests stay on 127.0.0.1")
        return real_getaddrinfo(host, *args, **kwargs)

    def guarded(real: Any) -> Any:
        def connect(self: socket.socket, address: Any) -> Any:
            if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address[0]):
                raise OSError(f"test tried to connect to {address!r}: tests stay on 127.0.0.1")
            return real(self, address)

        return connect

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", guarded(real_connect))
    monkeypatch.setattr(socket.socket, "connect_ex", guarded(real_connect_ex))
