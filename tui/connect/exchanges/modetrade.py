"""ModeTrade (ccxt `modetrade`): another broker on Orderly Network, at the same API host
(api-evm.orderly.org) with the same Orderly keys, `GET /v1/client/key_info`, signing and error
codes as `woofipro`; only the name and key page differ."""

from __future__ import annotations

from dataclasses import replace

from tui.connect.exchanges import woofipro
from tui.connect.exchanges.base import alias_of

MODULE = replace(
    alias_of(woofipro.MODULE, "modetrade", "ModeTrade"), key_page="https://trade.mode.network"
)
