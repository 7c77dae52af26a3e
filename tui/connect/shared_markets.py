"""One markets table per exchange and endpoint, shared by every client that needs it.

Each account has its own ccxt client, and each client held its own copy of its exchange's
markets: ~0.9 MB per client, most of the memory growth with many accounts of one exchange
(docs/benchmarks.md, memory). The first client of an exchange loads the markets (from the
cache file or the exchange, `ensure_markets`); the others, including those that asked while
it was loading, get the same tables through ccxt's `set_markets_from_exchange`, which
shares them rather than copying. Keydeck never reloads markets on a live client, so the
tables are never changed under another client.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Awaitable, Callable
from typing import Any

from tui.connect.keys import ExchangeKey

MarketsKey = tuple[str, str, bool]

Loader = Callable[[Any, ExchangeKey], Awaitable[None]]
"""Loads markets into a client for an account: `ensure_markets` bound to a cache."""


def markets_key(account: ExchangeKey) -> MarketsKey:
    """Clients that can share markets: same exchange, same endpoint, same sandbox flag."""
    return (account.exchange, account.endpoint or "", bool(account.sandbox))


class SharedMarkets:
    """`await shared.ensure(client, account)`: the client has markets, loaded once per key."""

    def __init__(self, load: Loader) -> None:
        self._load = load
        self._sources: dict[MarketsKey, weakref.ref[Any]] = {}
        self._loading: dict[MarketsKey, asyncio.Future[None]] = {}

    async def ensure(self, client: Any, account: ExchangeKey) -> None:
        if client.markets:
            return
        key = markets_key(account)
        pending = self._loading.get(key)
        if pending is not None:
            await asyncio.shield(pending)  # another client is loading them: wait, then share
        if self._share(client, key):
            return
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._loading[key] = done
        try:
            await self._load(client, account)
            if client.markets:
                self._sources[key] = weakref.ref(client)
        finally:
            if self._loading.get(key) is done:
                del self._loading[key]
            done.set_result(None)  # waiters share, or load themselves if this one failed

    def _share(self, client: Any, key: MarketsKey) -> bool:
        reference = self._sources.get(key)
        source = reference() if reference is not None else None
        if source is None or source is client or not source.markets:
            return False
        helpers = source.options.get("marketHelperProps") or ()
        if any(helper not in source.options for helper in helpers):
            return False  # ccxt would raise KeyError copying a helper never filled (Hyperliquid)
        client.set_markets_from_exchange(source)
        return True
