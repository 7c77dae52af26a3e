"""KuCoin Futures (ccxt `kucoinfutures`): a KuCoin key; its rights are read from KuCoin's
`GET /api/v1/user/api-key` on the spot host. ccxt's kucoinfutures inherits the spot
`private_get_user_api_key` and keeps `urls['api']['private']` on api.kucoin.com, so the call
goes there; everything but the name and the balance answer is `kucoin`'s. ccxt fetches this
id's balances from `GET /api/v1/account-overview` (`{"code", "data": {"accountEquity", ...,
"currency"}}`, one currency), or on a unified (UTA) account as `kucoin` does."""

from __future__ import annotations

from dataclasses import replace

from tui.connect.exchanges import kucoin
from tui.connect.exchanges.base import alias_of
from tui.connect.shapes import Shape

MODULE = replace(
    alias_of(kucoin.MODULE, "kucoinfutures", "KuCoin Futures"),
    balance_shape=Shape(
        fields={"code": str}, one_of=({"data.currency": str}, {"data.accounts": list})
    ),
)
