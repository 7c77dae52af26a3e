"""Exchange display names ("OKX", not "okx"), known without loading ccxt or the catalog.

A leaf module, so anything (a Problem's text, a finding, the JSON export) can name an
exchange. Names come, best first, from: the exchange registry (`tui.connect.exchanges`
registers its modules' names when imported, which importing `tui.connect` does) and the
small table below, the loaded catalog, names learnt from ccxt clients, and last a tidy form
of the id. Known names come first so a message names an exchange the same way whether or
not the catalog is loaded (ccxt says "MEXC Global" where the exchange and Keydeck say
"MEXC"); the exchange list keeps ccxt's names, which tell apart its several Coinbases.
"""

from __future__ import annotations

from collections.abc import Mapping

# Exchanges without a module of their own whose ccxt id is not their name.
_NAMES_WITHOUT_MODULE: dict[str, str] = {
    "htx": "HTX",
    "mexc": "MEXC",
    "bitfinex": "Bitfinex",
}

_registered: dict[str, str] = dict(_NAMES_WITHOUT_MODULE)
_learnt: dict[str, str] = {}
_catalog: Mapping[str, str] | None = None


def register_names(names: Mapping[str, str]) -> None:
    """Names Keydeck knows for certain (from the exchange modules)."""
    _registered.update(names)


def remember_display_name(exchange_id: str, name: str) -> None:
    """Record a name learnt from a ccxt client, so no catalog is needed to show it."""
    if name and exchange_id not in _registered:
        _learnt[exchange_id] = name


def use_catalog_names(names: Mapping[str, str] | None) -> None:
    """The loaded catalog's names (id -> name), or None when the catalog is dropped."""
    global _catalog
    _catalog = names


def display_name(exchange_id: str) -> str:
    """Display name without ever loading anything: a known name, else the catalog's if it is
    loaded, else a fallback."""
    known = _registered.get(exchange_id)
    if known:
        return known
    catalog = _catalog
    if catalog is not None and exchange_id in catalog:
        return catalog[exchange_id]
    return _learnt.get(exchange_id) or exchange_id.capitalize()
