"""Building ccxt clients for accounts, and the on-disk cache of their markets.

ccxt is imported on first use, in a worker thread (`load_ccxt`), so neither importing
`tui.connect` nor the app's first frame pays its ~0.8 s import.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import hashlib
import importlib
import json
import logging
import os
import tempfile
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tui.base.paths import ensure_private_dir
from tui.connect.catalog import ccxt_version
from tui.connect.ccxt_hooks import install_strict_json, meter_throttle, session_config
from tui.connect.endpoint import EndpointError, apply_endpoint, is_loopback, normalize_endpoint
from tui.connect.exchanges import module_for
from tui.connect.keys import ExchangeKey
from tui.connect.names import remember_display_name
from tui.connect.problems import Problem, ProblemKind, make_problem
from tui.connect.rate_limit import install_paced_limiter
from tui.connect.shared_tls import share_tls_context

log = logging.getLogger(__name__)

DEFAULT_MARKETS_TTL_S = 6 * 3600

# Keep load_markets to one public call per exchange where ccxt allows it: no currency
# lists, no margin pairs; and only spot markets (see `spot_markets_only`), since Keydeck
# prices spot balances only.
_COMMON_OPTIONS: dict[str, Any] = {
    "fetchCurrencies": False,
    "fetchMargins": False,
}

UNTHROTTLED_LOOPBACK_ENV = "KEYDECK_UNTHROTTLED_LOOPBACK"
"""Set to 1 (the test suite does), clients of a loopback endpoint (the simulator) skip ccxt's
client-side rate limiting: a MEXC check otherwise waits 5 s after `contract/detail` (cost
100), a Kraken one 3 s. Never for any other endpoint, whatever the variable says."""

_ccxt_lock = threading.Lock()
_ccxt_module: Any = None


class ClientSetupError(Exception):
    """The account cannot get a client at all; carries the Problem to show."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.title)
        self.problem = problem


def _import_ccxt() -> Any:
    global _ccxt_module
    with _ccxt_lock:
        if _ccxt_module is None:
            _ccxt_module = importlib.import_module("ccxt.async_support")
        return _ccxt_module


async def load_ccxt() -> Any:
    """`ccxt.async_support`, imported once in a worker thread so the event loop stays free."""
    if _ccxt_module is not None:
        return _ccxt_module
    return await asyncio.to_thread(_import_ccxt)


def _plain(value: Any) -> Any:
    """Credentials may be `tui.base.redact.Secret`s; ccxt needs the plain strings."""
    reveal = getattr(value, "reveal", None)
    return reveal() if callable(reveal) else value


def credentials_of(account: ExchangeKey) -> dict[str, Any]:
    """ccxt credential fields from a vault Account (prefers its `ccxt_config()`)."""
    make_config = getattr(account, "ccxt_config", None)
    raw: Mapping[str, Any] = make_config() if callable(make_config) else account.credentials
    return {name: _plain(value) for name, value in raw.items() if value not in (None, "")}


def config_fingerprint(account: ExchangeKey) -> str:
    """Changes whenever the client must be rebuilt (new credentials, endpoint, sandbox)."""
    digest = hashlib.sha256()
    creds = credentials_of(account)
    for part in (
        account.exchange,
        str(bool(account.sandbox)),
        str(account.endpoint or ""),
        json.dumps(creds, sort_keys=True, default=str),
    ):
        digest.update(part.encode())
        digest.update(b"\0")
    return digest.hexdigest()


def build_client(
    ccxt_async: Any, account: ExchangeKey, timeout_s: float, *, use_system_proxy: bool = False
) -> Any:
    """One ccxt client for one account: rate limiting on (Keydeck's paced limiter, see
    `tui.connect.rate_limit`; off only as `UNTHROTTLED_LOOPBACK_ENV` says),
    timeout, sandbox, endpoint, and Keydeck's own HTTP session (no redirects, bounded
    answers; `tui.connect.transport`).

    Call inside a running event loop; close the client with `ccxt_hooks.close_client`.
    `use_system_proxy` honours HTTPS_PROXY/NO_PROXY, never for a loopback endpoint.
    """
    exchange_cls = getattr(ccxt_async, account.exchange, None)
    if exchange_cls is None:
        raise ClientSetupError(
            make_problem(
                ProblemKind.unsupported,
                account.exchange,
                detail=f"ccxt {ccxt_version()} has no exchange {account.exchange!r}",
                title="Keydeck does not know the exchange {name}.",
            )
        )
    endpoint = _checked_endpoint(account)
    loopback = endpoint is not None and is_loopback(_host_of(endpoint))
    module = module_for(account.exchange)
    own_options = dict(module.client_options) if module is not None else {}
    own_config = dict(module.client_config) if module is not None else {}
    config: dict[str, Any] = {
        **credentials_of(account),
        "enableRateLimit": not (loopback and os.environ.get(UNTHROTTLED_LOOPBACK_ENV) == "1"),
        "timeout": int(timeout_s * 1000),
        "options": copy.deepcopy({**_COMMON_OPTIONS, **own_options}),
        **copy.deepcopy(own_config),
    }
    from tui.connect.transport import open_session  # aiohttp: loaded with ccxt, not before

    session = open_session(trust_env=use_system_proxy and not loopback)
    try:
        client = exchange_cls({**config, **session_config(session)})
        _configure(client, account, own_options, endpoint)
        share_tls_context(client)  # ccxt's own context (WebSocket) shared too, as the REST one
    except BaseException:
        _close_session_soon(session)
        raise
    return client


def _configure(
    client: Any, account: ExchangeKey, own_options: dict[str, Any], endpoint: str | None
) -> None:
    if "fetchMarkets" not in own_options:
        default = client.options.get("fetchMarkets")
        narrowed = spot_markets_only(default)
        if narrowed is not default:
            client.options["fetchMarkets"] = narrowed
    remember_display_name(account.exchange, str(client.name or ""))
    client.has["fetchCurrencies"] = False
    install_strict_json(client)
    install_paced_limiter(client)  # before the meter, which wraps the limiter it finds
    meter_throttle(client)
    if account.sandbox:
        if not client.urls.get("test"):
            raise ClientSetupError(
                make_problem(
                    ProblemKind.unsupported,
                    account.exchange,
                    detail="urls['test'] is missing",
                    title="{name} has no testnet (sandbox) in Keydeck.",
                )
            )
        client.set_sandbox_mode(True)
    if endpoint is not None:
        apply_endpoint(client, endpoint)
        if endpoint.startswith("http://"):
            # ccxt waits 250 ms on close so TLS connections can shut down; plain HTTP
            # (a local simulator or proxy) has nothing to wait for.
            client.timeout_on_exit = 0


def _host_of(endpoint: str) -> str:
    return urlsplit(endpoint).hostname or ""


def _checked_endpoint(account: ExchangeKey) -> str | None:
    """The account's endpoint, re-checked now: a keyfile written before the rules (or by
    hand) may hold `http://` to a remote host. Refused before any connection is made."""
    if not account.endpoint:
        return None
    try:
        return normalize_endpoint(account.endpoint)
    except EndpointError as error:
        kind = (
            ProblemKind.insecure_endpoint
            if account.endpoint.strip().lower().startswith("http://")
            else ProblemKind.unsupported
        )
        title = (
            None
            if kind is ProblemKind.insecure_endpoint
            else f"This account's endpoint is not usable: {error}"
        )
        raise ClientSetupError(
            make_problem(kind, account.exchange, detail=f"endpoint refused: {error}", title=title)
        ) from None


def _close_session_soon(session: Any) -> None:
    """Close a session whose client could not be built (we are in a running loop)."""
    task = asyncio.get_running_loop().create_task(session.close())
    _PENDING_CLOSES.add(task)
    task.add_done_callback(_PENDING_CLOSES.discard)


_PENDING_CLOSES: set[asyncio.Task[Any]] = set()


def spot_markets_only(default: Any) -> Any:
    """The exchange's own `options['fetchMarkets']`, narrowed to spot markets in its form.

    ccxt's exchanges read the market types from `{"types": [...]}` (binance, okx, bybit,
    kucoin, gate, bitget, ...) or `{"types": {"spot": True, ...}}` (htx; mexc keeps that
    form but loads every type anyway). Where the default names no types (coinbase's is a
    method name, gemini's web-scraping settings) it is left as it is.
    """
    if not isinstance(default, dict):
        return default
    types = default.get("types")
    if isinstance(types, list | tuple):
        return {**default, "types": ["spot"]}
    if isinstance(types, dict) and "spot" in types:
        return {**default, "types": {name: name == "spot" for name in types}}
    return default


class MarketsCache:
    """Markets per exchange/endpoint as JSON files in the cache dir, with an expiry."""

    def __init__(self, cache_dir: Path | None, ttl_s: float = DEFAULT_MARKETS_TTL_S) -> None:
        self.directory = cache_dir / "markets" if cache_dir is not None else None
        self.ttl_s = ttl_s

    def _path(self, account: ExchangeKey) -> Path | None:
        if self.directory is None:
            return None
        where = f"{account.endpoint or ''}|{bool(account.sandbox)}|{ccxt_version()}"
        tag = hashlib.sha256(where.encode()).hexdigest()[:12]
        return self.directory / f"{account.exchange}-{tag}.json"

    def load(self, account: ExchangeKey, now: float | None = None) -> list[dict[str, Any]] | None:
        path = self._path(account)
        if path is None:
            return None
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError):
            log.warning("markets cache: ignoring unreadable %s", path.name)
            return None
        age = (now if now is not None else time.time()) - float(document.get("saved_at", 0))
        markets = document.get("markets")
        if age > self.ttl_s or age < 0 or not isinstance(markets, list) or not markets:
            return None
        return markets

    def save(
        self, account: ExchangeKey, markets: Mapping[str, Any], now: float | None = None
    ) -> None:
        path = self._path(account)
        if path is None or not markets:
            return
        document = {
            "saved_at": now if now is not None else time.time(),
            "exchange": account.exchange,
            "markets": list(markets.values()),
        }
        temporary: str | None = None
        try:
            # 0700: the cache's file names say which exchanges the user has keys on.
            ensure_private_dir(path.parent.parent)
            ensure_private_dir(path.parent)
            text = json.dumps(document, default=str)
            # A unique temp file per write: two accounts of one exchange save concurrently.
            handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
            with os.fdopen(handle, "w", encoding="utf-8") as file:
                file.write(text)
            os.replace(temporary, path)
            temporary = None
        except (OSError, TypeError, ValueError):
            log.warning("markets cache: could not write %s", path.name, exc_info=True)
        finally:
            if temporary is not None:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)


async def ensure_markets(client: Any, account: ExchangeKey, cache: MarketsCache) -> None:
    """Markets from the cache when fresh, else loaded from the exchange and cached."""
    if client.markets:
        return
    if client.safe_list(client.options, "marketHelperProps"):
        # Loading markets also fills helper tables (Hyperliquid's HIP-3 tokens) that the
        # cache does not hold: such an exchange loads its markets from the exchange.
        await client.load_markets()
        return
    cached = await asyncio.to_thread(cache.load, account)  # files can be megabytes
    if cached:
        client.set_markets(cached)
        return
    markets = await client.load_markets()
    await asyncio.to_thread(cache.save, account, dict(markets))
