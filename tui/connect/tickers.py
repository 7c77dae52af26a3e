"""Tickers for pricing balances: all at once where the exchange allows, else one by one."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

log = logging.getLogger(__name__)


async def fetch_tickers(client: Any, exchange: str, symbols: list[str]) -> dict[str, Any]:
    """Tickers for `symbols`; a failure only leaves prices unknown, never fails balances."""
    if not symbols:
        return {}
    if client.has.get("fetchTickers"):
        try:
            return dict(await client.fetch_tickers(symbols))
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.info("%s: fetch_tickers failed (%s); trying one by one", exchange, exc)
    results = await asyncio.gather(
        *(client.fetch_ticker(symbol) for symbol in symbols), return_exceptions=True
    )
    tickers: dict[str, Any] = {}
    for symbol, result in zip(symbols, results, strict=True):
        if isinstance(result, BaseException):
            if isinstance(result, asyncio.CancelledError):
                raise result
            log.info("%s: no ticker for %s (%s)", exchange, symbol, result)
        else:
            tickers[symbol] = result
    return tickers
