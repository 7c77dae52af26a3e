"""OKX (US) (ccxt `okxus`): OKX's API on us.okx.com; the key's rights come from the same
`GET /api/v5/account/config`, so everything but the name and key page is `okx`'s."""

from __future__ import annotations

from dataclasses import replace

from tui.connect.exchanges import okx
from tui.connect.exchanges.base import alias_of

MODULE = replace(
    alias_of(okx.MODULE, "okxus", "OKX (US)"), key_page="https://app.okx.com/account/my-api"
)
