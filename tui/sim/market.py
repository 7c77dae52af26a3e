"""Reference market data shared by every simulated exchange: a few spot pairs and prices.

Each exchange renders these in its own symbol format. NOPX is deliberately held in the
default balances but has no market at all, so clients can test "price unknown".
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal

UNPRICED_ASSET = "NOPX"


@dataclass
class SpotMarket:
    base: str
    quote: str
    price: Decimal
    price_step: Decimal
    amount_step: Decimal
    volume_24h: Decimal
    open_24h: Decimal = field(init=False)

    def __post_init__(self) -> None:
        self.open_24h = (self.price * Decimal("0.98")).quantize(self.price_step)

    @property
    def symbol(self) -> str:
        return f"{self.base}/{self.quote}"

    def quote_volume(self) -> Decimal:
        return (self.volume_24h * self.price).quantize(Decimal("0.01"))

    def bid(self) -> Decimal:
        return self.price - self.price_step

    def ask(self) -> Decimal:
        return self.price + self.price_step

    def high(self) -> Decimal:
        return max(self.price, self.open_24h) * Decimal("1.01")

    def low(self) -> Decimal:
        return min(self.price, self.open_24h) * Decimal("0.99")

    def change_pct(self) -> Decimal:
        return ((self.price - self.open_24h) / self.open_24h * 100).quantize(Decimal("0.01"))


def default_markets() -> list[SpotMarket]:
    d = Decimal
    return [
        SpotMarket("BTC", "USDT", d("65000.10"), d("0.01"), d("0.00001"), d("1520.5")),
        SpotMarket("ETH", "USDT", d("3200.45"), d("0.01"), d("0.0001"), d("22000.25")),
        SpotMarket("SOL", "USDT", d("150.123"), d("0.001"), d("0.001"), d("310000")),
        SpotMarket("XRP", "USDT", d("0.5234"), d("0.0001"), d("0.1"), d("51000000")),
        SpotMarket("ETH", "BTC", d("0.04924"), d("0.00001"), d("0.0001"), d("4100")),
        SpotMarket("USDC", "USDT", d("1.0001"), d("0.0001"), d("0.01"), d("90000000")),
    ]


class MarketBook:
    """The prices all exchanges quote; `drift` moves them a little, like a live market."""

    def __init__(self, markets: list[SpotMarket] | None = None) -> None:
        self.markets = markets if markets is not None else default_markets()

    def get(self, base: str, quote: str) -> SpotMarket | None:
        for market in self.markets:
            if market.base == base and market.quote == quote:
                return market
        return None

    def assets(self) -> list[str]:
        seen: dict[str, None] = {}
        for market in self.markets:
            seen.setdefault(market.base)
            seen.setdefault(market.quote)
        return list(seen)

    def drift(self, rate: float, rng: random.Random) -> None:
        for market in self.markets:
            factor = Decimal(str(1 + rng.uniform(-rate, rate)))
            moved = (market.price * factor).quantize(market.price_step, rounding=ROUND_HALF_EVEN)
            if moved > 0:
                market.price = moved
