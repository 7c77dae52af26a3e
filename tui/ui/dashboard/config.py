"""The dashboard's settings, and where acknowledged risks are remembered."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol

from tui.base.paths import ensure_private_dir

log = logging.getLogger(__name__)

DEFAULT_REFRESH_S = 15


@dataclass(frozen=True)
class DashboardSettings:
    refresh_interval_s: float = DEFAULT_REFRESH_S
    """Automatic refresh period; 0 turns automatic refresh off (the refresh key still works)."""
    hide_small_balances: bool = True
    small_balance_usd: Decimal = Decimal(1)
    """Balances worth less than this (in USD) are hidden while `hide_small_balances` is on."""
    balance_sort: str = "value"
    balance_view: str = "all accounts"
    allocation_by: str = "exchange"
    """View choices (values of SortKey, BalanceView, AllocationBy), kept in the settings."""

    @classmethod
    def from_app_settings(cls, settings: Any) -> DashboardSettings:
        """Take what the app's settings object offers; defaults for what it lacks."""
        defaults = cls()
        threshold = getattr(settings, "small_balance_usd", defaults.small_balance_usd)
        return cls(
            refresh_interval_s=getattr(settings, "refresh_interval_s", defaults.refresh_interval_s),
            hide_small_balances=bool(
                getattr(settings, "hide_small_balances", defaults.hide_small_balances)
            ),
            small_balance_usd=Decimal(str(threshold)),
            balance_sort=str(getattr(settings, "balance_sort", defaults.balance_sort)),
            balance_view=str(getattr(settings, "balance_view", defaults.balance_view)),
            allocation_by=str(getattr(settings, "allocation_by", defaults.allocation_by)),
        )

    def with_changes(self, **changes: Any) -> DashboardSettings:
        return replace(self, **changes)


class Acknowledgements(Protocol):
    """Which critical findings the user chose to live with, per account and finding code.

    `acknowledge` and `unacknowledge` write at once (the Session writes the keyfile: they
    block, so the screen calls them from a thread worker).
    """

    def is_acknowledged(self, account_id: str, code: str) -> bool: ...

    def acknowledge(self, account_id: str, code: str) -> None: ...

    def unacknowledge(self, account_id: str, code: str) -> None: ...


class MemoryAcknowledgements:
    """Acknowledgements for this session only (tests, and when nothing can be written)."""

    def __init__(self, entries: dict[str, set[str]] | None = None) -> None:
        self.entries: dict[str, set[str]] = entries if entries is not None else {}

    def is_acknowledged(self, account_id: str, code: str) -> bool:
        return code in self.entries.get(account_id, ())

    def codes(self, account_id: str) -> frozenset[str]:
        return frozenset(self.entries.get(account_id, ()))

    def acknowledge(self, account_id: str, code: str) -> None:
        self.entries.setdefault(account_id, set()).add(code)
        self.save()

    def unacknowledge(self, account_id: str, code: str) -> None:
        codes = self.entries.get(account_id)
        if codes is not None and code in codes:
            codes.discard(code)
            if not codes:
                del self.entries[account_id]
        self.save()

    def save(self) -> None:
        """Nothing to write."""


class FileAcknowledgements(MemoryAcknowledgements):
    """Acknowledgements in a small JSON file, keyed by account id (a dashboard without a
    keyfile: tests and scripted sources).

    Only random account ids and finding codes are written, never a key or a label. A damaged
    file is ignored (the banners come back, which is the safe side).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        super().__init__(self._load(path))

    @staticmethod
    def _load(path: Path) -> dict[str, set[str]]:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            entries = data["acknowledged"]
            return {str(k): {str(c) for c in v} for k, v in entries.items()}
        except FileNotFoundError:
            return {}
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
            log.warning("ignoring unreadable acknowledgements file %s: %s", path, error)
            return {}

    def save(self) -> None:
        ensure_private_dir(self.path.parent)
        data = {"acknowledged": {k: sorted(v) for k, v in sorted(self.entries.items())}}
        fd, temp_name = tempfile.mkstemp(prefix=".ack-", suffix=".tmp", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle, indent=1)
                handle.write("\n")
            os.replace(temp_name, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temp_name)
            raise
