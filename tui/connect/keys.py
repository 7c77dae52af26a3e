"""What the connector needs of an account: `tui.vault.Account` fits, and so does any object
with these fields (a script's own record), so the connector never imports the keyfile."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol


class ExchangeKey(Protocol):
    """One API key of one exchange. Credential values are `Secret` or plain `str`, under
    ccxt's names; an object with `ccxt_config()` (an Account) is asked for them that way."""

    @property
    def id(self) -> str: ...

    @property
    def exchange(self) -> str: ...

    @property
    def label(self) -> str: ...

    @property
    def credentials(self) -> Mapping[str, object]: ...

    @property
    def sandbox(self) -> bool: ...

    @property
    def endpoint(self) -> str | None: ...
