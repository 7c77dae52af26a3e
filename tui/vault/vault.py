"""`Vault`: an unlocked keyfile. Holds the derived key (never the password) until closed.

One KDF run per unlock; saves reuse the derived key with a fresh nonce. The keyfile stays
locked against other processes from open/create until `close()`. There is no password
recovery: a forgotten password means revoking the keys at each exchange and starting over.
"""

from __future__ import annotations

import contextlib
import hmac
import logging
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import Any

from tui import paths
from tui.vault import files
from tui.vault.account import Account, utc_now
from tui.vault.container import Unlocked, derive_key, new_salt, parse_header, seal, unlock
from tui.vault.errors import (
    KeyfileChanged,
    KeyfileExists,
    KeyfileNotFound,
    KeyfileUnsupported,
    VaultClosed,
    VaultError,
    WrongPassword,
)
from tui.vault.guard import SecretBytes, scrubbed_traceback
from tui.vault.kdf import DEFAULT_CAPS, KdfCaps, KdfParams
from tui.vault.password import PasswordLike, check_new_password
from tui.vault.payload import SCHEMA_VERSION, encode_payload

log = logging.getLogger(__name__)

PathLike = str | os.PathLike[str]


class Vault:
    """An open, unlocked keyfile. Get one from `Vault.create` or `Vault.open`."""

    def __init__(
        self,
        *,
        path: Path,
        lock: files.KeyfileLock,
        key: SecretBytes,
        kdf: KdfParams,
        salt: bytes,
        generation: int,
        accounts: list[Account],
        extra: dict[str, Any],
        snapshot: files.Snapshot | None,
    ) -> None:
        self._path = path
        self._lock = lock
        self._key = key
        self._kdf = kdf
        self._salt = salt
        self._generation = generation
        self._accounts: dict[str, Account] = {a.id: a for a in accounts}
        self._extra = extra
        self._snapshot = snapshot
        self._dirty = False
        self._closed = False
        self._mutex = threading.RLock()

    # -- opening -------------------------------------------------------------------------

    @classmethod
    @scrubbed_traceback
    def create(
        cls, path: PathLike | None, password: PasswordLike, *, kdf: KdfParams | None = None
    ) -> Vault:
        """Make a new, empty keyfile at `path` (None: the default location) and open it.

        Raises `KeyfileExists` if anything is at `path`, `PasswordRejected` for an empty
        password. `kdf` defaults to `KdfParams.default()` (~0.35 s); tests pass cheap ones.
        The password cannot be recovered: say so to the user.
        """
        check_new_password(password)
        params = _checked_kdf(kdf)
        target = _resolve(path, create_directory=True)
        lock = files.KeyfileLock(target)
        lock.acquire()
        try:
            if os.path.lexists(target):
                raise KeyfileExists(path=target)
            files.remove_stale_temps(target)
            salt = new_salt()
            vault = cls(
                path=target,
                lock=lock,
                key=derive_key(params, salt, password),
                kdf=params,
                salt=salt,
                generation=0,
                accounts=[],
                extra={},
                snapshot=None,
            )
            vault._write(create=True)
        except BaseException as error:
            lock.release()
            _attach_path(error, target)
            raise
        log.info("created keyfile %s (%s)", target, params)
        return vault

    @classmethod
    @scrubbed_traceback
    def open(
        cls,
        path: PathLike | None,
        password: PasswordLike,
        *,
        kdf: KdfParams | None = None,
        caps: KdfCaps = DEFAULT_CAPS,
    ) -> Vault:
        """Unlock the keyfile at `path` (None: the default location).

        If the file's KDF parameters are weaker than `kdf` (default: `KdfParams.default()`)
        of the same algorithm, the file is re-keyed to them right away (one more KDF run),
        keeping the previous version as the backup. `caps` bounds what a file may ask for.
        """
        target = _resolve(path, create_directory=False)
        if not os.path.lexists(target):
            raise KeyfileNotFound(path=target)
        lock = files.KeyfileLock(target)
        lock.acquire()
        try:
            removed = files.remove_stale_temps(target)
            if removed:
                log.info("removed %d temp file(s) left by an interrupted save", removed)
            snapshot = files.read_keyfile(target)
            unlocked = unlock(snapshot.data, password, caps)
            vault = cls._from_unlocked(target, lock, unlocked, snapshot)
        except BaseException as error:
            lock.release()
            _attach_path(error, target)
            raise
        log.info("opened keyfile %s (generation %d)", target, unlocked.header.generation)
        vault._upgrade(unlocked, password, kdf if kdf is not None else KdfParams.default())
        return vault

    @classmethod
    def inspect(cls, path: PathLike | None = None, *, caps: KdfCaps = DEFAULT_CAPS) -> None:
        """Every check of `open` that needs no password, so a UI can explain a missing, unsafe,
        locked, damaged, too-new or unsupported keyfile before asking for the password.

        Raises the `VaultError` that `open` would raise; returns when only the password is
        left to try. Reads the file and briefly takes the lock; never writes the keyfile.
        """
        target = _resolve(path, create_directory=False)
        if not os.path.lexists(target):
            raise KeyfileNotFound(path=target)
        try:
            parse_header(files.read_keyfile(target).data, caps)
            lock = files.KeyfileLock(target)
            lock.acquire()
            lock.release()
        except BaseException as error:
            _attach_path(error, target)
            raise

    @classmethod
    def _from_unlocked(
        cls, path: Path, lock: files.KeyfileLock, unlocked: Unlocked, snapshot: files.Snapshot
    ) -> Vault:
        return cls(
            path=path,
            lock=lock,
            key=unlocked.key,
            kdf=unlocked.header.kdf,
            salt=unlocked.header.salt,
            generation=unlocked.header.generation,
            accounts=unlocked.accounts,
            extra=unlocked.extra,
            snapshot=snapshot,
        )

    def _upgrade(self, unlocked: Unlocked, password: PasswordLike, target: KdfParams) -> None:
        """Migrate an older payload schema and raise weak KDF parameters, saving once."""
        rekey = unlocked.header.kdf.is_weaker_than(target) and target.available
        if unlocked.schema == SCHEMA_VERSION and not rekey:
            return
        try:
            if rekey:
                self._rekey(password, target)
                log.info("raised the keyfile's KDF parameters to %s", target)
            else:
                self._write()
                log.info("migrated keyfile schema %d to %d", unlocked.schema, SCHEMA_VERSION)
        except VaultError as error:
            log.warning("could not upgrade the keyfile, it stays as it was: %s", error)

    # -- accounts ------------------------------------------------------------------------

    @property
    def accounts(self) -> tuple[Account, ...]:
        """Every account, in the order they were added."""
        with self._mutex:
            self._ensure_open()
            return tuple(self._accounts.values())

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
            found = [
                a
                for a in self._accounts.values()
                if a.exchange == exchange and (label is None or a.label == label)
            ]
        if len(found) > 1:
            labels = ", ".join(repr(a.label) for a in found)
            raise ValueError(f"there are several {exchange} accounts ({labels}): pass label=")
        return found[0] if found else None

    def get_by_id(self, account_id: str) -> Account | None:
        with self._mutex:
            self._ensure_open()
            return self._accounts.get(account_id)

    @scrubbed_traceback
    def add(self, account: Account) -> Account:
        """Add a new account (not saved until `save()`). ValueError on a duplicate."""
        if not isinstance(account, Account):
            raise TypeError("add() takes an Account")
        with self._mutex:
            self._ensure_open()
            if account.id in self._accounts:
                raise ValueError(f"an account with id {account.id!r} already exists")
            self._check_unique_label(account)
            self._accounts[account.id] = account
            self._dirty = True
            return account

    @scrubbed_traceback
    def update(self, account: Account) -> Account:
        """Replace the stored account with the same id; returns what is stored.

        `updated_at` moves on when the key itself changed (exchange, label, credentials,
        sandbox, endpoint); metadata such as `verified_at` or `acknowledged` leaves it.
        """
        if not isinstance(account, Account):
            raise TypeError("update() takes an Account")
        with self._mutex:
            self._ensure_open()
            stored = self._accounts.get(account.id)
            if stored is None:
                raise KeyError(f"no account with id {account.id!r}")
            self._check_unique_label(account)
            if account.differs_in_key(stored) and account.updated_at == stored.updated_at:
                account = account.replace(updated_at=utc_now())
            self._accounts[account.id] = account
            self._dirty = True
            return account

    def remove(self, account_id: str) -> Account:
        """Remove an account (not saved until `save()`); returns it. KeyError if unknown."""
        with self._mutex:
            self._ensure_open()
            if account_id not in self._accounts:
                raise KeyError(f"no account with id {account_id!r}")
            self._dirty = True
            return self._accounts.pop(account_id)

    def _check_unique_label(self, account: Account) -> None:
        for other in self._accounts.values():
            if (
                other.id != account.id
                and other.exchange == account.exchange
                and other.label == account.label
            ):
                raise ValueError(
                    f"there is already a {account.exchange} account labelled {account.label!r}: "
                    "choose another label"
                )

    # -- saving --------------------------------------------------------------------------

    @scrubbed_traceback
    def save(self) -> None:
        """Write the keyfile atomically (previous version kept as `<keyfile>.bak`).

        Raises `KeyfileChanged` (nothing written) if another program changed the file since
        it was loaded, `KeyfileWriteError` (previous file intact) if the write fails.
        """
        with self._mutex:
            self._ensure_open()
            self._write()

    @scrubbed_traceback
    def check_password(self, password: PasswordLike) -> bool:
        """Whether `password` is this keyfile's password (one KDF run)."""
        with self._mutex:
            self._ensure_open()
            candidate = derive_key(self._kdf, self._salt, password)
            try:
                return hmac.compare_digest(candidate, self._key)
            finally:
                candidate.wipe()

    @scrubbed_traceback
    def change_password(
        self, current: PasswordLike, new: PasswordLike, *, kdf: KdfParams | None = None
    ) -> None:
        """Re-encrypt under `new` with a new salt (and `kdf`, default: the current default).

        Saved atomically at once. The backup (`backup_path`) still opens with the old
        password: offer to delete it with `remove_backup()`.
        """
        with self._mutex:
            self._ensure_open()
            if not self.check_password(current):
                raise WrongPassword(path=self._path)
            check_new_password(new)
            self._rekey(new, _checked_kdf(kdf))
        log.info("changed the password of %s", self._path)

    def _rekey(self, password: PasswordLike, params: KdfParams) -> None:
        salt = new_salt()
        key = derive_key(params, salt, password)
        old = (self._key, self._kdf, self._salt)
        self._key, self._kdf, self._salt = key, params, salt
        try:
            self._write()
        except BaseException:
            key.wipe()
            self._key, self._kdf, self._salt = old
            raise
        old[0].wipe()

    def _write(self, *, create: bool = False) -> None:
        plain = encode_payload(self._accounts.values(), self._extra)
        try:
            data = seal(plain, self._key, self._kdf, self._salt, self._generation + 1)
        finally:
            plain.wipe()
        try:
            if create:
                self._snapshot = files.write_new(self._path, data)
            else:
                previous = self._current_file()
                self._snapshot = files.write_replacing(self._path, data, previous.data)
        except VaultError as error:
            _attach_path(error, self._path)
            raise
        self._generation += 1
        self._dirty = False
        log.info("saved keyfile %s (generation %d)", self._path, self._generation)

    def _current_file(self) -> files.Snapshot:
        """The file on disk, which must be the one loaded or last saved."""
        try:
            current = files.read_keyfile(self._path, check_permissions=False)
        except KeyfileNotFound:
            raise KeyfileChanged("it was deleted or moved", path=self._path) from None
        except VaultError as error:
            raise KeyfileChanged(error.reason or "it was replaced", path=self._path) from None
        assert self._snapshot is not None
        reason = self._snapshot.differs_from(current)
        if reason is not None:
            raise KeyfileChanged(reason, path=self._path)
        return current

    # -- backup --------------------------------------------------------------------------

    @property
    def backup_path(self) -> Path:
        """Where the previous version is kept (it may not exist yet)."""
        return files.backup_path(self._path)

    def remove_backup(self) -> bool:
        """Delete the backup (after a password change it still opens with the old one)."""
        try:
            os.unlink(self.backup_path)
        except FileNotFoundError:
            return False
        return True

    # -- state ---------------------------------------------------------------------------

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
            self._accounts.clear()
            self._extra = {}
            self._lock.release()

    def _ensure_open(self) -> None:
        if self._closed:
            raise VaultClosed(path=self._path)

    def __enter__(self) -> Vault:
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
        state = "locked" if self._closed else f"unlocked, {len(self._accounts)} accounts"
        return f"Vault({str(self._path)!r}, {state})"

    __str__ = __repr__

    def __reduce__(self) -> object:
        raise TypeError("a Vault holds secrets and cannot be pickled")


def _resolve(path: PathLike | None, *, create_directory: bool) -> Path:
    if path is None:
        target = paths.default_keyfile()
        if create_directory:
            paths.ensure_private_dir(target.parent)
        return target
    target = Path(path).expanduser().absolute()
    if create_directory:
        files.make_private_dirs(target.parent)
    return target


def _checked_kdf(kdf: KdfParams | None) -> KdfParams:
    params = kdf if kdf is not None else KdfParams.default()
    if not isinstance(params, KdfParams):
        raise TypeError("kdf must be KdfParams")
    problem = params.problem(DEFAULT_CAPS)
    if problem is not None:
        raise ValueError(f"invalid KDF parameters: {problem}")
    if not params.available:
        raise KeyfileUnsupported(f"{params} is not available on this system")
    return params


def _attach_path(error: BaseException, path: Path) -> None:
    if isinstance(error, VaultError) and error.path is None:
        error.path = path
