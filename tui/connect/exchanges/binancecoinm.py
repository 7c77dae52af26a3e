"""Binance COIN-M futures (ccxt `binancecoinm`): a Binance key; its rights are read from
Binance's `GET /sapi/v1/account/apiRestrictions` (ccxt keeps `urls['api']['sapi']` on
api.binance.com for this id), so everything but the name and the balance answer is
`binance`'s. ccxt fetches this id's balances from the COIN-M futures account,
`GET /dapi/v1/account`: `{"assets": [...], "positions": [...], ...}`."""

from __future__ import annotations

from dataclasses import replace

from tui.connect.exchanges import binance
from tui.connect.exchanges.base import alias_of
from tui.connect.shapes import Shape

MODULE = replace(
    alias_of(binance.MODULE, "binancecoinm", "Binance COIN-M"),
    balance_shape=Shape(fields={"assets": list, "positions": list}),
)
