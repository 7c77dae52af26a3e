"""The watch's last-known states on disk, so a restart does not alert again.

One JSON file per keyfile in the state directory (`watch-<hash of the keyfile path>.json`):
account ids, exchange ids and labels, failing flags, finding codes and titles, the expiry
threshold alerted and USD bases. No credentials, nothing from the keyfile's secrets.
Written atomically (0600 temp file, fsync, replace); an unreadable file is logged and
treated as empty (the watch then alerts what is wrong now, once).
"""

from __future__ import annotations

import hashlib
import json
import logging
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from tui.vault import files
from tui.vault.errors import VaultError
from tui.watch.events import AccountState, KnownFinding, WatchState

log = logging.getLogger(__name__)

STATE_FORMAT = 1


def state_path(state_dir: Path, keyfile: Path) -> Path:
    digest = hashlib.sha256(str(Path(keyfile).absolute()).encode()).hexdigest()[:16]
    return Path(state_dir) / f"watch-{digest}.json"


def _decimal(value: Any) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def to_document(state: WatchState) -> dict[str, Any]:
    return {
        "format": STATE_FORMAT,
        "total_base_usd": None if state.total_base_usd is None else str(state.total_base_usd),
        "total_base_accounts": sorted(state.total_base_accounts),
        "accounts": {
            account_id: {
                "exchange": known.exchange,
                "label": known.label,
                "failing": known.failing,
                "findings": {
                    code: {"severity": f.severity, "title": f.title, "alerted": f.alerted}
                    for code, f in sorted(known.findings.items())
                },
                "expiry_alerted_days": known.expiry_alerted_days,
                "usd_base": None if known.usd_base is None else str(known.usd_base),
            }
            for account_id, known in sorted(state.accounts.items())
        },
    }


def from_document(document: Any) -> WatchState:
    """The state in a document; raises ValueError if it is not one of ours."""
    if not isinstance(document, dict) or document.get("format") != STATE_FORMAT:
        raise ValueError("not a watch state of a known format")
    try:
        accounts = {
            str(account_id): AccountState(
                exchange=str(raw["exchange"]),
                label=str(raw["label"]),
                failing=bool(raw["failing"]),
                findings={
                    str(code): KnownFinding(str(f["severity"]), str(f["title"]), bool(f["alerted"]))
                    for code, f in dict(raw["findings"]).items()
                },
                expiry_alerted_days=(
                    int(raw["expiry_alerted_days"])
                    if raw.get("expiry_alerted_days") is not None
                    else None
                ),
                usd_base=_decimal(raw.get("usd_base")),
            )
            for account_id, raw in dict(document["accounts"]).items()
        }
        return WatchState(
            accounts=accounts,
            total_base_usd=_decimal(document.get("total_base_usd")),
            total_base_accounts=frozenset(map(str, document.get("total_base_accounts", []))),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise ValueError(f"malformed watch state: {error!r}") from None


class StateStore:
    """Load and save one keyfile's watch state."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._last_saved: dict[str, Any] | None = None

    def load(self) -> WatchState:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return WatchState()
        except OSError as error:
            log.warning("cannot read the watch state %s: %s", self.path, error.strerror)
            return WatchState()
        try:
            state = from_document(json.loads(text))
        except ValueError as error:
            log.warning("ignoring the watch state %s: %s", self.path, error)
            return WatchState()
        self._last_saved = to_document(state)
        return state

    def save(self, state: WatchState) -> bool:
        """Write if changed; False (logged) if it could not be written."""
        document = to_document(state)
        if document == self._last_saved:
            return True
        try:
            files.make_private_dirs(self.path.parent)
            data = json.dumps(document, indent=1, sort_keys=True).encode()
            files.write_atomic(self.path, data)
        except (OSError, VaultError) as error:
            log.warning("cannot write the watch state %s: %s", self.path, error)
            return False
        self._last_saved = document
        return True
