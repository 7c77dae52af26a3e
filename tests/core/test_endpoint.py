"""Alternate API endpoints: validation and URL rewriting on real ccxt instances."""

from __future__ import annotations

import pytest

from tui.connect.endpoint import EndpointError, apply_endpoint, normalize_endpoint, rewrite_url


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (" https://eu.example.com/ ", "https://eu.example.com"),
        ("http://127.0.0.1:8400/binance/", "http://127.0.0.1:8400/binance"),
        ("https://proxy.example/a/b", "https://proxy.example/a/b"),
    ],
)
def test_normalize_accepts_and_canonicalizes(text: str, expected: str) -> None:
    assert normalize_endpoint(text) == expected


@pytest.mark.parametrize(
    ("text", "fault"),
    [
        ("", "empty"),
        ("ftp://host", "https://"),
        ("api.binance.com", "https://"),
        ("https://", "no host"),
        ("https://user:pw@host", "user name"),
        ("https://host/?x=1", "'?'"),
        ("https://host:99999", "port"),
    ],
)
def test_normalize_rejects_with_a_reason(text: str, fault: str) -> None:
    with pytest.raises(EndpointError, match=fault.replace("?", r"\?")):
        normalize_endpoint(text)


def test_rewrite_keeps_path_and_query_and_leaves_websockets() -> None:
    assert (
        rewrite_url("https://api.{hostname}/v5/x?a=1", "http://127.0.0.1:9/bybit")
        == "http://127.0.0.1:9/bybit/v5/x?a=1"
    )
    assert rewrite_url("wss://stream.binance.com/ws", "http://h") == "wss://stream.binance.com/ws"


@pytest.mark.parametrize("exchange_id", ["binance", "okx", "bybit", "gate", "kraken", "coinbase"])
async def test_apply_endpoint_moves_every_rest_url(exchange_id: str) -> None:
    import ccxt.async_support as ccxt

    client = getattr(ccxt, exchange_id)()
    try:
        apply_endpoint(client, "http://127.0.0.1:8400/" + exchange_id)
        urls: list[str] = []

        def walk(node: object) -> None:
            if isinstance(node, dict):
                for value in node.values():
                    walk(value)
            elif isinstance(node, str) and node.startswith("http"):
                urls.append(node)

        walk(client.urls["api"])
        assert urls
        assert all(
            url.startswith(f"http://127.0.0.1:8400/{exchange_id}/")
            or url == f"http://127.0.0.1:8400/{exchange_id}"
            for url in urls
        )
    finally:
        await client.close()


@pytest.mark.parametrize(
    "text",
    [
        "http://127.0.0.1:8400/binance",
        "http://127.3.4.5",
        "http://[::1]:9000",
        "http://localhost:8400",
        "http://LOCALHOST",
        "http://[::ffff:127.0.0.1]:1",
    ],
)
def test_plain_http_is_allowed_to_loopback_only(text: str) -> None:
    assert normalize_endpoint(text).startswith("http://")


@pytest.mark.parametrize(
    "text",
    [
        "http://api.binance.com.evil.example",
        "http://10.0.0.1:8400",
        "http://192.168.1.2",
        "http://0.0.0.0:8400",
        "http://localhost.evil.example",
        "http://localhost.:8400",  # a DNS name: a spoofed answer sent OKX's key elsewhere
        "http://128.0.0.1",
        "http://[::2]",
    ],
)
def test_plain_http_to_any_other_host_is_refused_with_the_reason(text: str) -> None:
    with pytest.raises(EndpointError, match="in clear"):
        normalize_endpoint(text)
    assert normalize_endpoint("https" + text[4:]).startswith("https://")
