"""Registry of simulated exchanges, one module per ccxt id.

A module registers its `SimExchange` subclass with `@register`. `load_all()` imports every
module of this package (found with pkgutil; `base` and names starting with "_" excepted), so
adding an exchange takes one new file and nothing else. Modules that register nothing (helpers
such as `coinbase_jwt`) are imported and ignored.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from tui.sim.exchanges.base import SimExchange

FIRST_IDS: tuple[str, ...] = (
    "binance",
    "okx",
    "bybit",
    "kucoin",
    "kraken",
    "coinbase",
    "gate",
    "bitget",
)
"""The original eight come first, in this order (default balances scale with the position);
every other exchange follows, sorted by id."""

_NOT_EXCHANGES = frozenset({"base"})

_REGISTRY: dict[str, type[SimExchange]] = {}

ExchangeClass = TypeVar("ExchangeClass", bound="type[SimExchange]")


def register(cls: ExchangeClass) -> ExchangeClass:
    if not cls.id:
        raise ValueError(f"{cls.__name__} has no id")
    _REGISTRY[cls.id] = cls
    return cls


def module_names() -> list[str]:
    """Every module of this package that may define an exchange."""
    return sorted(
        info.name
        for info in pkgutil.iter_modules(__path__)
        if not info.name.startswith("_") and info.name not in _NOT_EXCHANGES
    )


def load_all() -> dict[str, type[SimExchange]]:
    """Import every exchange module; return id -> class, FIRST_IDS first, then by id."""
    for name in module_names():
        importlib.import_module(f"{__name__}.{name}")
    first = [i for i in FIRST_IDS if i in _REGISTRY]
    rest = sorted(i for i in _REGISTRY if i not in FIRST_IDS)
    return {i: _REGISTRY[i] for i in [*first, *rest]}


def get(exchange_id: str) -> type[SimExchange]:
    classes = load_all()
    if exchange_id not in classes:
        raise KeyError(f"the simulator has no exchange {exchange_id!r}")
    return classes[exchange_id]
