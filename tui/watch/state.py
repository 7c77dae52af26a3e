"""The watch's last-known states on disk, so a restart does not alert again.

One file per keyfile in the state directory (`watch-<hash of the keyfile path>.kdw`):
account ids, exchange ids and labels, failing flags, finding codes and titles, the expiry
threshold alerted and USD bases, encrypted like the history (AES-256-GCM under
`vault.derive_subkey(b"watch-state")`), since labels, findings and values say what the user
holds and where. Without a key (a keyfile that cannot derive one) nothing is kept on disk.
Written atomically (0600 temp file, fsync, replace); an unreadable file is logged and
treated as empty (the watch then alerts what is wrong now, once). A plain-text state of
an older Keydeck (`.json`) is deleted once the encrypted one is written.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import struct
import zlib
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from tui.vault import files, saving
from tui.vault.errors import VaultError
from tui.vault.guard import SecretBytes
from tui.watch.events import AccountState, KnownFinding, WatchState

log = logging.getLogger(__name__)

STATE_FORMAT = 1
PURPOSE = b"watch-state"
MAGIC = b"\x89KDW\r\n\x1a\n"
HEADER = struct.Struct(">8sH12s")
MAX_STATE_BYTES = 8 * 1024 * 1024


def state_path(state_dir: Path, keyfile: Path) -> Path:
    digest = hashlib.sha256(str(Path(keyfile).absolute()).encode()).hexdigest()[:16]
    return Path(state_dir) / f"watch-{digest}.kdw"


def _seal(document: dict[str, Any], key: bytes | bytearray) -> bytes:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    plain = zlib.compress(json.dumps(document, sort_keys=True).encode(), 6)
    nonce = os.urandom(12)
    header = HEADER.pack(MAGIC, STATE_FORMAT, nonce)
    return header + AESGCM(bytes(key)).encrypt(nonce, plain, header)


def _unseal(data: bytes, key: bytes | bytearray) -> Any:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    if len(data) < HEADER.size + 16 or data[:8] != MAGIC:
        raise ValueError("not an encrypted watch state")
    _, version, nonce = HEADER.unpack_from(data)
    if version != STATE_FORMAT:
        raise ValueError(f"watch state format {version} is not supported")
    try:
        compressed = AESGCM(bytes(key)).decrypt(nonce, data[HEADER.size :], data[: HEADER.size])
        inflater = zlib.decompressobj()
        plain = inflater.decompress(compressed, MAX_STATE_BYTES)
    except InvalidTag:
        raise ValueError("damaged, or written for another keyfile") from None
    except zlib.error as error:
        raise ValueError(f"damaged ({error})") from None
    if inflater.unconsumed_tail:
        raise ValueError("implausibly large")
    return json.loads(plain)


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
    """Load and save one keyfile's watch state, encrypted under `key` (see the module doc).

    `key`: `vault.derive_subkey(PURPOSE)` (copied; wipe yours); None keeps nothing on disk.
    """

    def __init__(self, path: Path, key: bytes | bytearray | None) -> None:
        self.path = Path(path)
        self._key = SecretBytes(key) if key is not None else None
        self._last_saved: dict[str, Any] | None = None

    @classmethod
    def for_vault(cls, path: Path, vault: Any) -> StateStore:
        try:
            key = vault.derive_subkey(PURPOSE)
        except VaultError as error:
            log.warning("the watch state is kept in memory only: %s", error)
            return cls(path, None)
        try:
            return cls(path, key)
        finally:
            key.wipe()

    def load(self) -> WatchState:
        if self._key is None:
            return WatchState()
        try:
            with open(self.path, "rb", opener=_no_follow) as handle:
                data = handle.read(MAX_STATE_BYTES + 1)
        except FileNotFoundError:
            return WatchState()
        except OSError as error:
            log.warning("cannot read the watch state %s: %s", self.path, error.strerror)
            return WatchState()
        try:
            state = from_document(_unseal(data, self._key))
        except ValueError as error:
            log.warning("ignoring the watch state %s: %s", self.path, error)
            return WatchState()
        self._last_saved = to_document(state)
        return state

    def save(self, state: WatchState) -> bool:
        """Write if changed; False (logged) if it could not be written."""
        document = to_document(state)
        if document == self._last_saved or self._key is None:
            return True
        try:
            files.make_private_dirs(self.path.parent)
            saving.write_atomic(self.path, _seal(document, self._key))
            legacy = self.path.with_suffix(".json")  # an older Keydeck's plain-text state
            if legacy != self.path and os.path.lexists(legacy):
                os.unlink(legacy)
        except (OSError, VaultError) as error:
            log.warning("cannot write the watch state %s: %s", self.path, error)
            return False
        self._last_saved = document
        return True


def _no_follow(path: str, flags: int) -> int:
    """Open without following a symlink and without blocking on a FIFO."""
    return os.open(path, flags | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
