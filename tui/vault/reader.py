"""The reading side of an unlocked keyfile: its accounts, re-reading it, locking it again.

`Vault` (tui/vault/vault.py) adds opening, creating and every write on top of this; a vault
opened with `read_only=True` uses only this side (its writes raise `KeyfileReadOnly`).
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import Any, NoReturn, Self

from tui.vault import files
from tui.vault.account import Account
from tui.vault.collection import AccountBook
from tui.vault.container import parse_header, read_payload
from tui.vault.errors import (
    KeyfileReadOnly,
    KeyfileRekeyed,
    KeyfileRolledBack,
    VaultClosed,
    VaultError,
    attach_path,
)
from tui.vault.generations import KEYFILE_ID, GenerationLog, identities
from tui.vault.guard import SecretBytes, scrubbed_traceback
from tui.vault.kdf import DEFAULT_CAPS, KdfCaps, KdfParams

log = logging.getLogger(__name__)


class KeyfileReader:
    """An unlocked keyfile's content and key. Get one as a `Vault` (`Vault.open`)."""

    def __init__(
        self,
        *,
        path: Path,
        lock: files.KeyfileLock | None,
        key: SecretBytes,
        kdf: KdfParams,
        salt: bytes,
        generation: int,
        accounts: list[Account],
        extra: dict[str, Any],
        snapshot: files.Snapshot | None,
        generations: GenerationLog | None = None,
        caps: KdfCaps = DEFAULT_CAPS,
    ) -> None:
        self._path = path
        self._lock = lock  # None: opened read-only
        self._key = key
        self._kdf = kdf
        self._salt = salt
        self._generation = generation
        self._book = AccountBook(accounts)
        self._extra = extra
        self._snapshot = snapshot
        self._generations = generations
        self._caps = caps
        self._dirty = False
        self._closed = False
        self._mutex = threading.RLock()

    # -- state ---------------------------------------------------------------------------

    @property
    def generation_log(self) -> GenerationLog | None:
        """Where generations seen are recorded (None: opened without a state directory);
        companion files (the history) keep theirs there too."""
        return self._generations

    @property
    def path(self) -> Path:
        return self._path

    @property
    def kdf(self) -> KdfParams:
        return self._kdf

    @property
    def generation(self) -> int:
        """Save counter stored in the header: 1 after create, +1 per save."""
        return self._generation

    @property
    def read_only(self) -> bool:
        """Opened with `read_only=True`: no lock held, every write refused."""
        return self._lock is None

    @property
    def dirty(self) -> bool:
        """Whether there are changes not yet saved."""
        return self._dirty

    @property
    def closed(self) -> bool:
        return self._closed

    def close(self) -> None:
        """Lock: zero the derived key, drop the accounts, release the file lock. Idempotent.

        Unsaved changes are discarded; call `save()` first.
        """
        with self._mutex:
            if self._closed:
                return
            self._closed = True
            self._key.wipe()
            self._book.clear()
            self._extra = {}
            if self._lock is not None:
                self._lock.release()

    def _ensure_open(self) -> None:
        if self._closed:
            raise VaultClosed(path=self._path)

    def _ensure_writable(self, action: str) -> None:
        self._ensure_open()
        if self._lock is None:
            raise KeyfileReadOnly(action, path=self._path)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def __del__(self) -> None:
        if not getattr(self, "_closed", True):
            with contextlib.suppress(Exception):
                self.close()

    def __repr__(self) -> str:
        mode = ", read-only" if self.read_only else ""
        state = "locked" if self._closed else f"unlocked{mode}, {len(self._book)} accounts"
        return f"Vault({str(self._path)!r}, {state})"

    __str__ = __repr__

    def __reduce__(self) -> NoReturn:
        raise TypeError("a Vault holds secrets and cannot be pickled")

    # -- accounts ------------------------------------------------------------------------

    @property
    def accounts(self) -> tuple[Account, ...]:
        """Every account, in the order they were added."""
        with self._mutex:
            self._ensure_open()
            return self._book.all()

    def __iter__(self) -> Iterator[Account]:
        return iter(self.accounts)

    def __len__(self) -> int:
        return len(self.accounts)

    def get(self, exchange: str, label: str | None = None) -> Account | None:
        """The account for `exchange` (and `label`), or None.

        Without `label`, the exchange's only account; ValueError if it has several.
        """
        with self._mutex:
            self._ensure_open()
            found = self._book.matching(exchange, label)
        if len(found) > 1:
            labels = ", ".join(repr(a.label) for a in found)
            raise ValueError(f"there are several {exchange} accounts ({labels}): pass label=")
        return found[0] if found else None

    def get_by_id(self, account_id: str) -> Account | None:
        with self._mutex:
            self._ensure_open()
            return self._book.by_id(account_id)

    def holding_key_of(self, account: Account) -> Account | None:
        """The stored account (other than `account` itself) with the same exchange key."""
        with self._mutex:
            self._ensure_open()
            return self._book.holding_key_of(account)

    # -- companion files -----------------------------------------------------------------

    @scrubbed_traceback
    def derive_subkey(self, purpose: bytes) -> SecretBytes:
        """A 32-byte key for a companion file of this keyfile (the history), one per `purpose`.

        HKDF-SHA256 over the keyfile's random `keyfile_id`, which exists only inside the
        encrypted payload: only someone who can unlock the keyfile can derive it, and it
        survives password changes (the password-derived key does not), so the companion file
        stays readable. A keyfile saved before `keyfile_id` existed raises `VaultError` until
        it is saved once by a writable vault.
        """
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.kdf.hkdf import HKDF

        with self._mutex:
            self._ensure_open()
            keyfile_id = self._extra.get(KEYFILE_ID)
            if not isinstance(keyfile_id, str) or not keyfile_id:
                raise VaultError(
                    "This keyfile predates companion keys: open it in Keydeck once "
                    "(any save adds them).",
                    path=self._path,
                )
            material = SecretBytes(keyfile_id.encode())
        try:
            info = b"keydeck subkey v1\x00" + bytes(purpose)
            hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info)
            return SecretBytes(hkdf.derive(bytes(material)))
        finally:
            material.wipe()

    # -- re-reading ----------------------------------------------------------------------

    def changed_on_disk(self) -> bool:
        """Whether the file at `path` is no longer the version loaded (or last saved).

        Cheap (one read of a few KiB, no KDF): a watcher polls it, then calls `reload()`.
        """
        with self._mutex:
            self._ensure_open()
            try:
                current = files.read_keyfile(self._path, check_permissions=False)
            except VaultError:
                return True
            return self._snapshot is None or self._snapshot.differs_from(current) is not None

    @scrubbed_traceback
    def reload(self, *, accept_rollback: bool = False) -> bool:
        """Re-read the keyfile with the key already derived; True if its content changed.

        For read-only vaults (a watcher noticing accounts added elsewhere); a writable vault
        may reload only without unsaved changes (ValueError). Raises `KeyfileRekeyed` if the
        password or KDF settings changed (open again with the password), `KeyfileRolledBack`
        if the file went back to an older generation (unless `accept_rollback`), and the
        errors of `open`. On an error the vault keeps the version it had.
        """
        with self._mutex:
            self._ensure_open()
            if self._dirty:
                raise ValueError("the vault has unsaved changes: save() or close() it first")
            try:
                snapshot, header = files.read_whole_version(
                    self._path, lambda data: parse_header(data, self._caps)
                )
                if self._snapshot is not None and self._snapshot.digest == snapshot.digest:
                    self._snapshot = snapshot  # touched or copied over with the same bytes
                    return False
                if header.salt != self._salt or header.kdf != self._kdf:
                    raise KeyfileRekeyed()
                accounts, extra, _ = read_payload(snapshot.data, header, self._key)
                if header.generation < self._generation and not accept_rollback:
                    raise KeyfileRolledBack(seen=self._generation, found=header.generation)
                self._check_generation(header.salt, header.generation, extra, accept_rollback)
            except VaultError as error:
                attach_path(error, self._path)
                raise
            self._book = AccountBook(accounts)
            self._extra = extra
            self._generation = header.generation
            self._snapshot = snapshot
            self._record_generation(lower=accept_rollback)
        log.info("reloaded keyfile %s (generation %d)", self._path, header.generation)
        return True

    def _check_generation(
        self, salt: bytes, generation: int, extra: dict[str, Any], accept_rollback: bool
    ) -> None:
        if self._generations is not None:
            keys = identities(salt, extra)
            self._generations.check(keys, generation, accept_rollback=accept_rollback)

    def _record_generation(self, *, lower: bool = False) -> None:
        """Remember the current generation (writable vaults only: read-only writes nothing)."""
        if self._generations is not None and not self.read_only:
            keys = identities(self._salt, self._extra)
            self._generations.record(keys, self._generation, lower=lower)
