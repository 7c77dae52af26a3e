"""KuCoin Futures (ccxt `kucoinfutures`): a KuCoin key; its rights are read from KuCoin's
`GET /api/v1/user/api-key` on the spot host. ccxt's kucoinfutures inherits the spot
`private_get_user_api_key` and keeps `urls['api']['private']` on api.kucoin.com, so the call
goes there; everything but the name is `kucoin`'s."""

from __future__ import annotations

from tui.connect.exchanges import kucoin
from tui.connect.exchanges.base import alias_of

MODULE = alias_of(kucoin.MODULE, "kucoinfutures", "KuCoin Futures")
