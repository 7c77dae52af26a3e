"""USD value of balances from the exchange's own tickers.

Stablecoins and USD count at 1. Other assets are priced through a market quoted in a USD
stablecoin on the same exchange, else through BTC or ETH. An asset with no usable price
gets `usd=None` ("unknown"), is listed in `unpriced_assets`, and is never counted as $0.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from tui.connect.models import AssetBalance, Balances

STABLECOINS = frozenset(
    {"USD", "USDT", "USDC", "BUSD", "FDUSD", "TUSD", "USDP", "DAI", "PYUSD", "USDD", "USD1"}
)
USD_QUOTES = ("USDT", "USDC", "USD", "FDUSD", "BUSD", "DAI")
BRIDGES = ("BTC", "ETH")
ZERO = Decimal(0)


def to_decimal(value: Any) -> Decimal | None:
    """A float/str/int from ccxt -> Decimal (via str, so 0.1 stays 0.1); None if unusable."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


@dataclass(frozen=True)
class PricePlan:
    """Which market symbols to fetch tickers for, and how each asset's price is made."""

    direct: dict[str, str]  # asset -> "ASSET/USDT"
    bridged: dict[str, tuple[str, str]]  # asset -> ("ASSET/BTC", "BTC/USDT")

    @property
    def symbols(self) -> list[str]:
        wanted = set(self.direct.values())
        for pair in self.bridged.values():
            wanted.update(pair)
        return sorted(wanted)


def _usable(markets: Mapping[str, Any], symbol: str) -> bool:
    market = markets.get(symbol)
    if not isinstance(market, dict):
        return False
    return market.get("active") is not False and market.get("spot", True) is not False


def _direct_symbol(asset: str, markets: Mapping[str, Any]) -> str | None:
    for quote in USD_QUOTES:
        symbol = f"{asset}/{quote}"
        if quote != asset and _usable(markets, symbol):
            return symbol
    return None


def plan_prices(assets: Iterable[str], markets: Mapping[str, Any]) -> PricePlan:
    direct: dict[str, str] = {}
    bridged: dict[str, tuple[str, str]] = {}
    for asset in assets:
        if asset in STABLECOINS:
            continue
        symbol = _direct_symbol(asset, markets)
        if symbol:
            direct[asset] = symbol
            continue
        for bridge in BRIDGES:
            leg = f"{asset}/{bridge}"
            bridge_symbol = _direct_symbol(bridge, markets)
            if bridge != asset and bridge_symbol and _usable(markets, leg):
                bridged[asset] = (leg, bridge_symbol)
                break
    return PricePlan(direct=direct, bridged=bridged)


def ticker_price(ticker: Mapping[str, Any] | None) -> Decimal | None:
    """Last trade price, else the bid/ask midpoint; None when the ticker has neither."""
    if not ticker:
        return None
    for key in ("last", "close"):
        price = to_decimal(ticker.get(key))
        if price is not None and price > 0:
            return price
    bid, ask = to_decimal(ticker.get("bid")), to_decimal(ticker.get("ask"))
    if bid and ask and bid > 0 and ask > 0:
        return (bid + ask) / 2
    return None


def usd_prices(plan: PricePlan, tickers: Mapping[str, Any]) -> dict[str, Decimal]:
    prices: dict[str, Decimal] = {}
    for asset, symbol in plan.direct.items():
        price = ticker_price(tickers.get(symbol))
        if price is not None:
            prices[asset] = price
    for asset, (leg, bridge_symbol) in plan.bridged.items():
        leg_price = ticker_price(tickers.get(leg))
        bridge_price = ticker_price(tickers.get(bridge_symbol))
        if leg_price is not None and bridge_price is not None:
            prices[asset] = leg_price * bridge_price
    return prices


def held_assets(raw_balance: Mapping[str, Any]) -> dict[str, tuple[Decimal, Decimal, Decimal]]:
    """ccxt's unified balance -> {asset: (free, used, total)}, zero balances dropped."""
    totals = raw_balance.get("total") or {}
    frees = raw_balance.get("free") or {}
    useds = raw_balance.get("used") or {}
    held: dict[str, tuple[Decimal, Decimal, Decimal]] = {}
    for asset in sorted(set(totals) | set(frees) | set(useds)):
        free = to_decimal(frees.get(asset)) or ZERO
        used = to_decimal(useds.get(asset)) or ZERO
        total = to_decimal(totals.get(asset))
        if total is None:
            total = free + used
        if total == 0 and free == 0 and used == 0:
            continue
        held[str(asset)] = (free, used, total)
    return held


def value_balances(
    held: Mapping[str, tuple[Decimal, Decimal, Decimal]],
    prices: Mapping[str, Decimal],
    fetched_at: datetime | None = None,
) -> Balances:
    rows: list[AssetBalance] = []
    unpriced: list[str] = []
    total_usd = ZERO
    for asset, (free, used, total) in held.items():
        price = Decimal(1) if asset in STABLECOINS else prices.get(asset)
        usd = None if price is None else (total * price).quantize(Decimal("0.01"))
        if usd is None:
            unpriced.append(asset)
        else:
            total_usd += usd
        rows.append(AssetBalance(asset=asset, free=free, used=used, total=total, usd=usd))
    # Biggest USD value first; unknown prices after the priced ones, by name.
    rows.sort(key=lambda row: (row.usd is None, -(row.usd or ZERO), row.asset))
    return Balances(
        assets=tuple(rows),
        total_usd=total_usd,
        unpriced_assets=tuple(sorted(unpriced)),
        fetched_at=fetched_at or datetime.now(UTC),
    )
