"""Binance USDⓈ-M futures (ccxt `binanceusdm`): a Binance key; its rights are read from
Binance's `GET /sapi/v1/account/apiRestrictions` (ccxt keeps `urls['api']['sapi']` on
api.binance.com for this id), so everything but the name and the balance answer is
`binance`'s. ccxt fetches this id's balances from the USDⓈ-M futures account,
`GET /fapi/v3/account` (v2 in older ccxt): `{"assets": [...], "positions": [...], ...}`."""

from __future__ import annotations

from dataclasses import replace

from tui.connect.exchanges import binance
from tui.connect.exchanges.base import alias_of
from tui.connect.shapes import Shape

MODULE = replace(
    alias_of(binance.MODULE, "binanceusdm", "Binance USDⓈ-M"),
    balance_shape=Shape(fields={"assets": list, "positions": list}),
)
