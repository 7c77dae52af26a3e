"""MyOKX (EEA) (ccxt `myokx`): OKX's API on eea.okx.com; the key's rights come from the same
`GET /api/v5/account/config`, so everything but the name and key page is `okx`'s."""

from __future__ import annotations

from dataclasses import replace

from tui.connect.exchanges import okx
from tui.connect.exchanges.base import alias_of

MODULE = replace(
    alias_of(okx.MODULE, "myokx", "MyOKX (EEA)"), key_page="https://my.okx.com/account/my-api"
)
