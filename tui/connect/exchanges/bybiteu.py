"""Bybit EU (ccxt `bybiteu`): Bybit's V5 API on api.bybit.eu, for EEA users (Bybit's
"Integration Guidance", https://bybit-exchange.github.io/docs/v5/guide, lists the host and
notes that the EU site's API supports only "Connect to Third-Party Applications" keys of API
broker users: whatever key an EEA user holds, query-api answers for it as on bybit.com). The
key's rights come from the same `GET /v5/user/query-api`, signed and refused the same way, so
everything but the name and key page is `bybit`'s. The key page is bybit.com's path on
bybit.eu (by analogy; Bybit EU's help pages were not read)."""

from __future__ import annotations

from dataclasses import replace

from tui.connect.exchanges import bybit
from tui.connect.exchanges.base import alias_of

MODULE = replace(
    alias_of(bybit.MODULE, "bybiteu", "Bybit EU"),
    key_page="https://www.bybit.eu/app/user/api-management",
)
