"""Bybit Indonesia (ccxt `bybitid`): Bybit's V5 API on api.bybit.id, for Indonesian users (Bybit's
"Integration Guidance", https://bybit-exchange.github.io/docs/v5/guide, lists the host). The
key's rights come from the same `GET /v5/user/query-api`, signed and refused the same way, so
everything but the name and key page is `bybit`'s. The key page is bybit.com's path on
bybit.id (by analogy; Bybit Indonesia's help pages were not read)."""

from __future__ import annotations

from dataclasses import replace

from tui.connect.exchanges import bybit
from tui.connect.exchanges.base import alias_of

MODULE = replace(
    alias_of(bybit.MODULE, "bybitid", "Bybit Indonesia"),
    key_page="https://www.bybit.id/app/user/api-management",
)
