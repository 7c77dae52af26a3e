"""Every exchange ccxt supports, described cheaply for the exchange list and the key form.

Building the catalog needs ccxt (about 0.8 s to import) and one instance per exchange, so
`load_catalog` is blocking and meant for a thread worker. The result is cached as JSON in
the cache directory, keyed by the ccxt version, so later starts read one small file.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from tui.base.paths import ensure_private_dir
from tui.connect.exchanges import EXCHANGES, key_page, pem_secret, reads_permissions
from tui.connect.names import display_name, use_catalog_names

log = logging.getLogger(__name__)

CATALOG_FORMAT = 1


def _registry_tag() -> str:
    """Changes when the exchange modules change what a catalog entry holds (which ids read
    key rights, their key pages), so a cached catalog never hides a newly supported one."""
    facts = sorted((i, m.permissions is not None, m.key_page or "") for i, m in EXCHANGES.items())
    return hashlib.sha256(json.dumps(facts).encode()).hexdigest()[:8]


@dataclass(frozen=True)
class CredentialField:
    name: str  # ccxt's credential name: apiKey, secret, password, uid, ...
    label: str  # what the form shows
    secret: bool
    multiline: bool = False


@dataclass(frozen=True)
class ExchangeInfo:
    id: str
    name: str
    credentials: tuple[CredentialField, ...]
    has_testnet: bool
    reads_permissions: bool
    website: str | None
    api_docs_url: str | None
    api_keys_help: str | None  # a URL of the exchange's API-key page, or a short text


_CREDENTIAL_LABELS: dict[str, tuple[str, bool]] = {
    "apiKey": ("API key", False),
    "secret": ("Secret", True),
    "password": ("Passphrase", True),
    "uid": ("User ID", False),
    "accountId": ("Account ID", False),
    "login": ("Login", False),
    "twofa": ("2FA secret", True),
    "privateKey": ("Private key", True),
    "walletAddress": ("Wallet address", False),
    "token": ("Token", True),
}

_lock = threading.Lock()
_catalog: dict[str, ExchangeInfo] | None = None


def ccxt_version() -> str:
    """The installed ccxt version, read from package metadata without importing ccxt."""
    from importlib import metadata  # deferred: importlib.metadata costs ~30 ms

    try:
        return metadata.version("ccxt")
    except metadata.PackageNotFoundError:  # pragma: no cover - ccxt is a dependency
        return "unknown"


def _first_url(value: Any) -> str | None:
    if isinstance(value, str):
        return value or None
    if isinstance(value, list | tuple):
        for item in value:
            found = _first_url(item)
            if found:
                return found
    if isinstance(value, dict):
        for item in value.values():
            found = _first_url(item)
            if found:
                return found
    return None


def credential_fields(exchange_id: str, required: dict[str, Any]) -> tuple[CredentialField, ...]:
    """Map ccxt's `requiredCredentials` onto form fields, in ccxt's order."""
    fields: list[CredentialField] = []
    for name, needed in required.items():
        if not needed:
            continue
        label, secret = _CREDENTIAL_LABELS.get(name, (name, True))
        multiline = False
        if name == "secret" and pem_secret(exchange_id):
            label, multiline = "Private key (PEM)", True
        if name == "privateKey":
            multiline = True
        fields.append(CredentialField(name=name, label=label, secret=secret, multiline=multiline))
    return tuple(fields)


def describe_exchange(exchange_id: str, client: Any) -> ExchangeInfo:
    """Build one catalog entry from a ccxt exchange instance (no network)."""
    urls = client.urls or {}
    api_docs = _first_url(urls.get("doc"))
    api_keys_help = key_page(exchange_id) or _first_url(urls.get("api_management")) or api_docs
    return ExchangeInfo(
        id=exchange_id,
        name=str(client.name or exchange_id),
        credentials=credential_fields(exchange_id, dict(client.requiredCredentials or {})),
        has_testnet=bool(urls.get("test")),
        reads_permissions=reads_permissions(exchange_id),
        website=_first_url(urls.get("www")),
        api_docs_url=api_docs,
        api_keys_help=api_keys_help,
    )


def _build_from_ccxt() -> list[ExchangeInfo]:
    import ccxt.async_support as ccxt_async

    infos: list[ExchangeInfo] = []
    for exchange_id in ccxt_async.exchanges:
        try:
            client = getattr(ccxt_async, exchange_id)()
            infos.append(describe_exchange(exchange_id, client))
        except Exception:  # one broken exchange class must not hide the others
            log.warning("catalog: could not describe %s", exchange_id, exc_info=True)
    return infos


def _cache_file(cache_dir: Path) -> Path:
    return cache_dir / f"catalog-ccxt-{ccxt_version()}-v{CATALOG_FORMAT}-{_registry_tag()}.json"


def _to_json(infos: list[ExchangeInfo]) -> str:
    return json.dumps([asdict(info) for info in infos], indent=0, sort_keys=True)


def _from_json(text: str) -> list[ExchangeInfo]:
    rows = json.loads(text)
    infos = []
    for row in rows:
        row["credentials"] = tuple(CredentialField(**field) for field in row["credentials"])
        infos.append(ExchangeInfo(**row))
    return infos


def _read_cache(path: Path) -> list[ExchangeInfo] | None:
    try:
        return _from_json(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, TypeError, KeyError):
        log.warning("catalog: ignoring an unreadable cache file %s", path)
        return None


def _write_cache(path: Path, infos: list[ExchangeInfo]) -> None:
    try:
        ensure_private_dir(path.parent)  # 0700: its file names say where the user has keys
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_text(_to_json(infos), encoding="utf-8")
        os.replace(temporary, path)
    except OSError:
        log.warning("catalog: could not write the cache file %s", path, exc_info=True)


def load_catalog(cache_dir: Path | None = None) -> list[ExchangeInfo]:
    """All exchanges, sorted by display name. Blocking: call it from a worker thread."""
    global _catalog
    with _lock:
        if _catalog is not None:
            return sorted(_catalog.values(), key=lambda info: info.name.lower())
        infos = _read_cache(_cache_file(cache_dir)) if cache_dir is not None else None
        if infos is None:
            infos = _build_from_ccxt()
            if cache_dir is not None:
                _write_cache(_cache_file(cache_dir), infos)
        _catalog = {info.id: info for info in infos}
        use_catalog_names({info.id: info.name for info in infos})
        return sorted(infos, key=lambda info: info.name.lower())


def forget_catalog() -> None:
    """Drop the in-memory catalog (the next `load_catalog` reads the cache file again)."""
    global _catalog
    with _lock:
        _catalog = None
        use_catalog_names(None)


def get_exchange_info(exchange_id: str, cache_dir: Path | None = None) -> ExchangeInfo | None:
    """One exchange's entry (loads the catalog on first use), None if ccxt lacks it."""
    if _catalog is None:
        load_catalog(cache_dir)
    assert _catalog is not None
    return _catalog.get(exchange_id)


def cached_display_name(exchange_id: str) -> str:
    """`tui.connect.names.display_name`, under the name its first callers used."""
    return display_name(exchange_id)


def api_keys_page(exchange_id: str) -> str | None:
    """The exchange's API-key management page, without loading the catalog if we know it."""
    known = key_page(exchange_id)
    if known is not None:
        return known
    catalog = _catalog
    if catalog is not None and exchange_id in catalog:
        return catalog[exchange_id].api_keys_help
    return None
