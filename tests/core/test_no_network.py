"""The test suite's own guard: nothing reaches beyond this machine (tests/conftest.py)."""

from __future__ import annotations

import socket

import pytest

GUARD = r"tests stay on 127\.0\.0\.1"


def test_a_lookup_of_a_real_exchange_host_fails_the_test() -> None:
    with pytest.raises(OSError, match=GUARD):
        socket.getaddrinfo("api.binance.com", 443)


def test_a_connection_beyond_loopback_fails_the_test() -> None:
    with (
        socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock,
        pytest.raises(OSError, match=GUARD),
    ):
        sock.connect(("203.0.113.7", 443))  # TEST-NET-3: never routed anyway


def test_loopback_stays_open() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        with socket.create_connection(server.getsockname(), timeout=2):
            pass
