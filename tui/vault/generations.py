"""Rollback detection: the highest keyfile generation seen on this machine, per keyfile.

The header's generation (authenticated by AES-GCM) goes up by one on every save. Someone
who can write the keyfile can still put an older copy back (`keys.kdk.bak`, a backup): it
decrypts fine. So each open and save records the generation in a small JSON file in a state
directory, and an open that finds a lower one raises `KeyfileRolledBack`.

    {"format": 1, "keyfiles": {"<64 hex>": {"generation": 7}}}

A keyfile is known by hashes of its identities, never by the identities themselves:
- its `keyfile_id` (random, in the encrypted payload since this version; it survives
  password changes, so a backup from before a password change is still recognised);
- its salt (for files written before `keyfile_id` existed; changes with the password).
An open compares with the highest generation recorded for any of its identities; a save
records the new generation for all of them. Nothing secret is stored, and the file says
nothing about the keyfile's content beyond how many times it was saved.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import secrets
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from tui.vault.errors import KeyfileRolledBack, VaultError
from tui.vault.files import make_private_dirs

log = logging.getLogger(__name__)

STATE_NAME = "generations.json"
STATE_FORMAT = 1
KEYFILE_ID = "keyfile_id"  # top-level payload key
_DOMAIN = b"keydeck keyfile identity v1\x00"
_LOCK_TIMEOUT_S = 5.0


def new_keyfile_id() -> str:
    return secrets.token_hex(16)


def identities(salt: bytes, extra: Mapping[str, Any]) -> tuple[str, ...]:
    """The hashed identities of a keyfile with this salt and payload extras."""
    found = [hashlib.sha256(_DOMAIN + b"salt\x00" + salt).hexdigest()]
    keyfile_id = extra.get(KEYFILE_ID)
    if isinstance(keyfile_id, str) and keyfile_id:
        found.append(hashlib.sha256(_DOMAIN + b"id\x00" + keyfile_id.encode()).hexdigest())
    return tuple(found)


class GenerationLog:
    """The state file. Reading never writes; `record` writes atomically under a lock."""

    def __init__(self, state_dir: Path) -> None:
        self.path = Path(state_dir) / STATE_NAME

    def highest(self, keys: Iterable[str]) -> int | None:
        """The highest generation recorded for any of `keys`, or None if none is known."""
        known = self._load()
        values = [known[k] for k in keys if k in known]
        return max(values) if values else None

    def check(self, keys: Iterable[str], found: int, *, accept_rollback: bool) -> None:
        """Raise `KeyfileRolledBack` when `found` is below the highest generation seen."""
        seen = self.highest(keys)
        if seen is not None and found < seen and not accept_rollback:
            raise KeyfileRolledBack(seen=seen, found=found)

    def record(self, keys: Iterable[str], generation: int, *, lower: bool = False) -> None:
        """Remember `generation` for `keys` (kept at the highest unless `lower`).

        A state directory that cannot be written is logged, not raised: it must not keep
        the user from their keys, it only weakens the rollback check.
        """
        try:
            make_private_dirs(self.path.parent)
            with FileLock(str(self.path) + ".lock", timeout=_LOCK_TIMEOUT_S, mode=0o600):
                known = self._load()
                for key in keys:
                    previous = known.get(key)
                    if lower or previous is None or generation > previous:
                        known[key] = generation
                self._store(known)
        except (OSError, Timeout, VaultError) as error:
            log.warning("could not record the keyfile generation in %s: %s", self.path, error)

    def _load(self) -> dict[str, int]:
        try:
            document = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as error:
            log.warning("ignoring the unreadable generation record %s: %s", self.path, error)
            return {}
        keyfiles = document.get("keyfiles") if isinstance(document, dict) else None
        if not isinstance(keyfiles, dict):
            log.warning("ignoring the generation record %s: unexpected content", self.path)
            return {}
        known: dict[str, int] = {}
        for key, entry in keyfiles.items():
            value = entry.get("generation") if isinstance(entry, dict) else None
            if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
                known[key] = value
        return known

    def _store(self, known: Mapping[str, int]) -> None:
        document = {
            "format": STATE_FORMAT,
            "keyfiles": {key: {"generation": value} for key, value in sorted(known.items())},
        }
        descriptor, name = tempfile.mkstemp(
            prefix=f".{STATE_NAME}.", suffix=".tmp", dir=self.path.parent
        )
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                json.dump(document, handle, indent=1)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(name, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(name)
            raise
