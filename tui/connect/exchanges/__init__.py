"""The exchange registry: every `tui.connect.exchanges.<id>` module, found by itself.

Adding an exchange is adding one file here that defines `MODULE = ExchangeModule(...)`
(see `base.py`). Modules are imported in name order on first import of this package; none
imports ccxt, so this stays cheap.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Mapping
from types import MappingProxyType

from tui.connect.exchanges.base import ExchangeModule, PermissionReader, Raw
from tui.connect.models import Permissions
from tui.connect.names import register_names
from tui.connect.shapes import Shape

__all__ = [
    "EXCHANGES",
    "NOT_READ_REASONS",
    "ExchangeModule",
    "PermissionReader",
    "balance_shape",
    "key_page",
    "module_for",
    "normalize_permissions",
    "pem_secret",
    "permission_reader",
    "permission_shape",
    "reads_permissions",
]

# API-key pages of exchanges that have no module (yet).
_KEY_PAGES_WITHOUT_MODULE: dict[str, str] = {
    "binanceus": "https://www.binance.us/settings/api-management",
    "bitmex": "https://www.bitmex.com/app/apiKeys",
    "bitstamp": "https://www.bitstamp.net/account/security/api/",
    "cryptocom": "https://crypto.com/exchange/user/settings/api-management",
}

# Exchanges whose key rights were looked into and are not read, and why (docs/permissions.md).
NOT_READ_REASONS: dict[str, str] = {
    "binanceus": "ccxt has Binance's `sapi/v1/account/apiRestrictions` for it, but Binance.US's "
    "API docs (https://docs.binance.us/) do not document that endpoint, so Keydeck does not "
    "rely on it.",
    "bittrade": "ccxt has HTX's `GET /v2/user/api-key` for it, but BitTrade's own API docs "
    "(github.com/BitTrade-Inc/BitTrade-api-docs) do not document that endpoint.",
    "hitbtc": "ccxt lists `GET /api/3/user/api-keys`, but neither it nor its answer was found "
    "in HitBTC's API reference (https://api.hitbtc.com).",
    "bequant": "HitBTC's API (ccxt: a hitbtc subclass); as for hitbtc, no documentation of "
    "`user/api-keys` was found.",
    "fmfwio": "HitBTC's API (ccxt: a hitbtc subclass); as for hitbtc, no documentation of "
    "`user/api-keys` was found.",
    "krakenfutures": "Kraken documents `GET /api/auth/v1/api-keys/v3/check` "
    "(https://docs.kraken.com/api-reference/api-keys/check-v3-api-key), but it is no ccxt "
    "method, lies outside ccxt's derivatives path, its `permissions` object is undocumented "
    "(the example is `{}`, so withdrawals could not be told) and which path it signs could not "
    "be confirmed.",
    "lbank": "ccxt lists `POST /v2/supplement/api_Restrictions.do` and LBank's SDKs call it, "
    "but no LBank doc found gives its answer's fields (only third-party clients name them).",
    "xt": "XT documents `GET /v4/user/account/api-key` "
    "(https://doc.xt.com/docs/user-center/ApiKey/QueryUserApiKey), but not what its "
    "`roleScopes` codes mean beyond the example `QUERY_TRADE` (no withdraw code is named), and "
    "its documented answer carries every key's `secretKey`, which Keydeck will not fetch.",
    "hashkey": "ccxt lists `GET /api/v1/account/checkApiKey`; HashKey's documentation of its "
    "answer could not be found.",
    "gateeu": "ccxt points Gate's v4 API at api.gateeu.com, but no Gate EU doc was found that "
    "says that host serves `account/detail` and `account/main_keys` as gate.com does.",
    "upbit": "its rights are not read, only its expiry: Upbit documents "
    "`GET /v1/pockets/api_keys` (a key's permissions, allowed IPs, expiry), but only for keys "
    "holding the pocket-management right (which moves assets between pockets) and without an "
    "example of the permission names; `GET /v1/api_keys` gives expiry dates only.",
}

# Coinbase's other ccxt ids also take a CDP key: its secret is a multi-line PEM private key.
_PEM_SECRETS_WITHOUT_MODULE = frozenset({"coinbaseadvanced", "coinbaseinternational"})


def _discover() -> dict[str, ExchangeModule]:
    """id (and alias) -> module, from every submodule that defines MODULE, in name order."""
    found: dict[str, ExchangeModule] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda entry: entry.name):
        if info.name == "base" or info.name.startswith("_"):
            continue
        module = getattr(importlib.import_module(f"{__name__}.{info.name}"), "MODULE", None)
        if not isinstance(module, ExchangeModule):
            raise TypeError(f"{__name__}.{info.name} defines no MODULE = ExchangeModule(...)")
        for exchange_id in module.ids:
            if exchange_id in found:
                raise ValueError(f"two exchange modules claim the ccxt id {exchange_id!r}")
            found[exchange_id] = module
    return found


EXCHANGES: Mapping[str, ExchangeModule] = MappingProxyType(_discover())
register_names({exchange_id: module.name for exchange_id, module in EXCHANGES.items()})


def module_for(exchange_id: str) -> ExchangeModule | None:
    return EXCHANGES.get(exchange_id)


def permission_reader(exchange_id: str) -> PermissionReader | None:
    module = EXCHANGES.get(exchange_id)
    return module.permissions if module is not None else None


def balance_shape(exchange_id: str) -> Shape | None:
    """What the exchange's balance answer always holds; None where no module says."""
    module = EXCHANGES.get(exchange_id)
    return module.balance_shape if module is not None else None


def permission_shape(exchange_id: str) -> Shape | None:
    """What the exchange's permission answer always holds; None where no module says."""
    module = EXCHANGES.get(exchange_id)
    return module.permission_shape if module is not None else None


def reads_permissions(exchange_id: str) -> bool:
    """True when Keydeck reads the key's rights (at least whether it can withdraw); an
    exchange whose reader tells only the expiry (Upbit, Bithumb) keeps the checklist."""
    reader = permission_reader(exchange_id)
    return reader is not None and "withdraw" in reader.reads


def normalize_permissions(exchange_id: str, raw: Raw) -> Permissions:
    """The exchange's raw permission payload as Permissions; not reported without a reader."""
    reader = permission_reader(exchange_id)
    if reader is None:
        return Permissions.not_reported()
    return reader.normalize(raw)


def key_page(exchange_id: str) -> str | None:
    """Where users of this exchange create and edit API keys, when Keydeck knows it."""
    module = EXCHANGES.get(exchange_id)
    if module is not None and module.key_page:
        return module.key_page
    return _KEY_PAGES_WITHOUT_MODULE.get(exchange_id)


def pem_secret(exchange_id: str) -> bool:
    """True when the exchange's secret is a multi-line PEM private key."""
    module = EXCHANGES.get(exchange_id)
    if module is not None:
        return module.pem_secret
    return exchange_id in _PEM_SECRETS_WITHOUT_MODULE
