"""A key's balances with USD values: the balance call (its answer's shape checked) and the
tickers that price it. A ticker that fails only leaves a price unknown."""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import datetime
from typing import Any

from tui.connect.ccxt_hooks import throttle_waits_s
from tui.connect.clock import elapsed_ms
from tui.connect.exchanges import balance_shape
from tui.connect.models import Balances
from tui.connect.shapes import require_json, require_shape
from tui.connect.valuation import STABLECOINS, held_assets, plan_prices, usd_prices, value_balances

log = logging.getLogger(__name__)


def checked_balance(raw: Any, exchange_id: str) -> Any:
    """ccxt's fetch_balance result, once its raw answer (`info`) has the exchange's shape."""
    answer = raw.get("info") if isinstance(raw, dict) else raw
    require_json(answer, "balance")
    require_shape(answer, balance_shape(exchange_id), exchange_id, "balance")
    return raw


async def fetch_balances(
    client: Any, exchange_id: str, fetched_at: datetime
) -> tuple[Balances, float]:
    """Free / in orders / total per held asset, valued in USD, and the balance call's round
    trip in ms without ccxt's rate-limiter waits (a round that does not read the clock shows
    it as the key's latency). The
    client has its markets. Raises on failure (the caller turns that into a Problem)."""
    started, waited_s = time.perf_counter(), throttle_waits_s(client)
    raw = checked_balance(await client.fetch_balance(), exchange_id)
    paced_ms = (throttle_waits_s(client) - waited_s) * 1000  # ccxt's own pacing, not the trip
    latency_ms = round(max(0.0, elapsed_ms(started) - paced_ms), 1)
    held = held_assets(raw)
    plan = plan_prices((a for a in held if a not in STABLECOINS), client.markets or {})
    tickers = await _tickers(client, exchange_id, plan.symbols)
    return value_balances(held, usd_prices(plan, tickers), fetched_at), latency_ms


async def _tickers(client: Any, exchange_id: str, symbols: list[str]) -> dict[str, Any]:
    """Tickers for `symbols`; a failure only leaves prices unknown, never fails balances."""
    if not symbols:
        return {}
    if client.has.get("fetchTickers"):
        try:
            return dict(await client.fetch_tickers(symbols))
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.info("%s: fetch_tickers failed (%s); trying one by one", exchange_id, exc)
    results = await asyncio.gather(
        *(client.fetch_ticker(symbol) for symbol in symbols), return_exceptions=True
    )
    tickers: dict[str, Any] = {}
    for symbol, result in zip(symbols, results, strict=True):
        if isinstance(result, BaseException):
            if isinstance(result, asyncio.CancelledError):
                raise result
            log.info("%s: no ticker for %s (%s)", exchange_id, symbol, result)
        else:
            tickers[symbol] = result
    return tickers
