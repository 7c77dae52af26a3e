"""What Keydeck knows about one exchange, in one value: `ExchangeModule`.

Each `tui.connect.exchanges.<id>` module defines `MODULE = ExchangeModule(...)`; the
package's registry finds them. Nothing here imports ccxt: the fetchers receive a ccxt async
client made elsewhere (`tui.connect.clients`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from tui.connect.models import Permissions
from tui.connect.parsing import as_list
from tui.connect.problems import ErrorRule
from tui.connect.shapes import Shape

Raw = dict[str, Any]

# Prefixes for error rules: the exchange's error code field (`"code": "50113"`,
# `retCode=10003`) and Gate's error label (`"label": "INVALID_KEY"`) in ccxt's message.
CODE = r'["\']?(?:code|retCode)["\']?\s*[:=]\s*["\']?'
LABEL = r'"label"\s*:\s*"'


def names_in(value: Any, kind: type | tuple[type, ...]) -> set[str] | None:
    """The lower-cased names of a documented list of rights (a JSON list, or a comma
    string), or None when the field is missing or not of its documented `kind`: a list
    that cannot be read says nothing, never "no right"."""
    if not isinstance(value, kind) or isinstance(value, bool):
        return None
    return {str(name).strip().lower() for name in as_list(value)}


READABLE_RIGHTS: tuple[str, ...] = (
    "withdraw",
    "transfer",
    "trade",
    "IP allowlist",
    "created",
    "expiry",
)
"""What a permission endpoint can tell, in the order docs/permissions.md shows them."""


@dataclass(frozen=True)
class PermissionReader:
    """Reads a key's permissions: `fetch` makes the raw ccxt implicit call(s) (no markets
    needed), `normalize` is pure: the payload in the exchange's documented format ->
    Permissions. `endpoint`, `doc` and `reads` (names from READABLE_RIGHTS) describe it for
    docs/permissions.md (scripts/permissions_table.py)."""

    fetch: Callable[[Any], Awaitable[Raw]]
    normalize: Callable[[Raw], Permissions]
    endpoint: str = ""
    doc: str = ""
    reads: tuple[str, ...] = ()


@dataclass(frozen=True)
class ExchangeModule:
    """One exchange as Keydeck knows it, beyond what ccxt says.

    `aliases` are other ccxt ids served by this same module. `client_options` are merged
    over the common ccxt `options` (`tui.connect.clients`); `client_config` are top-level
    ccxt settings. `pem_secret` marks a secret that is a multi-line PEM private key.

    `balance_shape` is what the balance answer always holds, as ccxt keeps it (the `info` of
    `fetch_balance`); `permission_shape` what the permission payload of `permissions.fetch`
    always holds (`tui.connect.shapes`). An answer without them never counts.

    `alias_for` is the id of the module an alias was made from (`alias_of`), else None.
    """

    id: str
    name: str
    key_page: str | None = None  # where users create and edit API keys
    aliases: tuple[str, ...] = ()
    permissions: PermissionReader | None = None
    error_rules: tuple[ErrorRule, ...] = ()  # checked top to bottom; the first match wins
    client_options: Mapping[str, Any] = field(default_factory=dict)
    client_config: Mapping[str, Any] = field(default_factory=dict)
    pem_secret: bool = False
    balance_shape: Shape | None = None
    permission_shape: Shape | None = None
    alias_for: str | None = None

    @property
    def ids(self) -> tuple[str, ...]:
        """Every ccxt id this module serves."""
        return (self.id, *self.aliases)


def alias_of(module: ExchangeModule, exchange_id: str, name: str) -> ExchangeModule:
    """Another ccxt id for the same exchange account: the same key, permission endpoint,
    error codes, key page and answer shapes as `module`, under its own id and display name.
    An alias whose ccxt client fetches balances from another API (futures) replaces
    `balance_shape`."""
    return replace(module, id=exchange_id, name=name, aliases=(), alias_for=module.id)
