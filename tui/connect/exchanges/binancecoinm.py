"""Binance COIN-M futures (ccxt `binancecoinm`): a Binance key; its rights are read from
Binance's `GET /sapi/v1/account/apiRestrictions` (ccxt keeps `urls['api']['sapi']` on
api.binance.com for this id), so everything but the name is `binance`'s."""

from __future__ import annotations

from tui.connect.exchanges import binance
from tui.connect.exchanges.base import alias_of

MODULE = alias_of(binance.MODULE, "binancecoinm", "Binance COIN-M")
