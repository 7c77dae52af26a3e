"""How the connector configures each ccxt client (rate limiter, timeouts)."""

from __future__ import annotations

from typing import Any

import ccxt.async_support as ccxt_async
import pytest

from tui.connect.ccxt_hooks import close_client
from tui.connect.clients import UNTHROTTLED_LOOPBACK_ENV, build_client, load_ccxt
from tui.vault import Account


def _account(exchange: str) -> Account:
    return Account(exchange=exchange, credentials={"apiKey": "k", "secret": "s"})


async def _close(*clients: Any) -> None:
    for client in clients:
        client.timeout_on_exit = 0  # no connection was opened: nothing to wait for
        await close_client(client)


def _market_types(option: Any) -> Any:
    return option.get("types") if isinstance(option, dict) else None


@pytest.mark.parametrize("exchange", ccxt_async.exchanges)
async def test_fetch_markets_option_keeps_the_exchanges_own_form(exchange: str) -> None:
    """Each ccxt exchange reads `options['fetchMarkets']` in its own form (a list of types,
    a dict of types, a method name...): spot-only must be said in that form, or not at all."""
    default_client = getattr(ccxt_async, exchange)()
    client = build_client(ccxt_async, _account(exchange), timeout_s=5)
    try:
        default = default_client.options.get("fetchMarkets")
        option = client.options.get("fetchMarkets")
        assert type(option) is type(default)
        types, default_types = _market_types(option), _market_types(default)
        assert type(types) is type(default_types)
        if isinstance(default_types, list):
            assert types == ["spot"]
        elif isinstance(default_types, dict) and "spot" in default_types:
            assert {name for name, wanted in types.items() if wanted} == {"spot"}
        else:
            assert option == default
    finally:
        await _close(default_client, client)


async def test_htx_loads_spot_markets_only() -> None:
    """htx reads `types` as a dict; a list made load_markets raise AttributeError."""
    client = build_client(ccxt_async, _account("htx"), timeout_s=5)
    requested: list[tuple[str | None, str | None]] = []

    async def record(market_type: str | None, sub_type: str | None, params: Any) -> list[Any]:
        requested.append((market_type, sub_type))
        return []

    client.fetch_markets_by_type_and_sub_type = record  # ccxt's per-type download
    try:
        assert await client.fetch_markets() == []
        assert requested == [("spot", None)]
    finally:
        await _close(client)


@pytest.mark.parametrize(
    ("endpoint", "variable", "throttled"),
    [
        ("http://127.0.0.1:8080/binance", "1", False),  # the simulator, in the test suite
        ("http://127.0.0.1:8080/binance", None, True),  # the simulator, for a user (the demo)
        ("https://keydeck-relay.example/binance", "1", True),  # anything else, always
        (None, "1", True),  # the exchange itself, always
    ],
)
async def test_only_a_loopback_endpoint_can_go_unthrottled(
    monkeypatch: pytest.MonkeyPatch, endpoint: str | None, variable: str | None, throttled: bool
) -> None:
    if variable is None:
        monkeypatch.delenv(UNTHROTTLED_LOOPBACK_ENV, raising=False)
    else:
        monkeypatch.setenv(UNTHROTTLED_LOOPBACK_ENV, variable)
    account = Account(
        exchange="binance", credentials={"apiKey": "k", "secret": "s"}, endpoint=endpoint
    )
    client = build_client(await load_ccxt(), account, timeout_s=7)
    try:
        assert bool(client.enableRateLimit) is throttled
    finally:
        await close_client(client)
