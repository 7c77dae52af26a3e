"""The connector's ccxt clients: one per account, made on first use, kept until the account
is closed, and rebuilt when its key changes (new credentials, endpoint or sandbox)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tui.connect.ccxt_hooks import close_client
from tui.connect.clients import build_client, config_fingerprint, load_ccxt
from tui.connect.keys import ExchangeKey

log = logging.getLogger(__name__)


@dataclass
class _ClientEntry:
    client: Any
    fingerprint: str


class ClientPool:
    """`await pool.client(account)`. `on_new_key(account_id)` is told when an account's key
    changed under its client (the connector forgets that account's back-off)."""

    def __init__(
        self, timeout_s: float, use_system_proxy: bool, on_new_key: Callable[[str], None]
    ) -> None:
        self.timeout_s = timeout_s
        self.use_system_proxy = use_system_proxy
        self._on_new_key = on_new_key
        self._clients: dict[str, _ClientEntry] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def client(self, account: ExchangeKey) -> Any:
        lock = self._locks.setdefault(account.id, asyncio.Lock())
        async with lock:
            fingerprint = config_fingerprint(account)
            entry = self._clients.get(account.id)
            if entry is not None and entry.fingerprint == fingerprint:
                return entry.client
            if entry is not None:  # edited key: new client, and a clean slate for back-off
                self._clients.pop(account.id, None)
                self._on_new_key(account.id)
                await close_quietly(entry.client)
            ccxt_async = await load_ccxt()
            client = build_client(
                ccxt_async, account, self.timeout_s, use_system_proxy=self.use_system_proxy
            )
            self._clients[account.id] = _ClientEntry(client, fingerprint)
            return client

    def key_changed(self, account: ExchangeKey) -> bool:
        """The account has a client, made for another key than the account's now."""
        entry = self._clients.get(account.id)
        return entry is not None and entry.fingerprint != config_fingerprint(account)

    async def close(self, account_id: str) -> None:
        """Close and forget this account's client, waiting for one being made."""
        lock = self._locks.setdefault(account_id, asyncio.Lock())
        async with lock:
            entry = self._clients.pop(account_id, None)
        if entry is not None:
            await close_quietly(entry.client)

    async def close_now(self, account_id: str) -> None:
        """Close and forget this account's client without waiting (edit, removal, lock)."""
        entry = self._clients.pop(account_id, None)
        if entry is not None:
            await close_quietly(entry.client)

    async def close_all(self) -> None:
        entries = list(self._clients.values())
        self._clients.clear()
        await asyncio.gather(*(close_quietly(e.client) for e in entries))


async def close_quietly(client: Any) -> None:
    try:
        await close_client(client)
    except Exception:  # closing must never raise into lock/exit paths
        log.warning("closing a ccxt client failed", exc_info=True)
