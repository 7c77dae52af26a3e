"""Registry of simulated exchanges, one module per ccxt id.

A module registers its `SimExchange` subclass with `@register`. `load_all()` imports every
module listed in `EXCHANGE_IDS` that exists, so an exchange is available as soon as its module
is in the tree.
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from tui.sim.exchanges.base import SimExchange

EXCHANGE_IDS: tuple[str, ...] = (
    "binance",
    "okx",
    "bybit",
    "kucoin",
    "kraken",
    "coinbase",
    "gate",
    "bitget",
)

_REGISTRY: dict[str, type[SimExchange]] = {}

ExchangeClass = TypeVar("ExchangeClass", bound="type[SimExchange]")


def register(cls: ExchangeClass) -> ExchangeClass:
    if not cls.id:
        raise ValueError(f"{cls.__name__} has no id")
    _REGISTRY[cls.id] = cls
    return cls


def load_all() -> dict[str, type[SimExchange]]:
    """Import every exchange module present; return id -> class in EXCHANGE_IDS order."""
    for exchange_id in EXCHANGE_IDS:
        module_name = f"{__name__}.{exchange_id}"
        if exchange_id not in _REGISTRY and importlib.util.find_spec(module_name) is not None:
            importlib.import_module(module_name)
    return {i: _REGISTRY[i] for i in EXCHANGE_IDS if i in _REGISTRY} | {
        i: c for i, c in _REGISTRY.items() if i not in EXCHANGE_IDS
    }


def get(exchange_id: str) -> type[SimExchange]:
    classes = load_all()
    if exchange_id not in classes:
        raise KeyError(f"the simulator has no exchange {exchange_id!r}")
    return classes[exchange_id]
