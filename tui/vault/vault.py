"""`Vault`: an unlocked keyfile. Holds the derived key (never the password) until closed.

One KDF run per unlock; saves reuse the derived key with a fresh nonce. The keyfile stays
locked against other writers from open/create until `close()`; `read_only=True` opens a
snapshot without the lock (for `keydeck check` / `watch`), refuses every write, and can
`reload()`. With a `state_dir`, the highest generation seen is remembered and an older copy
put back is refused (`KeyfileRolledBack`). There is no password recovery: a forgotten
password means revoking the keys at each exchange and starting over.
"""

from __future__ import annotations

import hmac
import logging
import os
from pathlib import Path

from tui.base import paths
from tui.vault import files
from tui.vault.account import Account
from tui.vault.container import (
    Unlocked,
    derive_key,
    new_salt,
    parse_header,
    seal,
    unlock,
)
from tui.vault.errors import (
    KeyfileChanged,
    KeyfileExists,
    KeyfileNotFound,
    KeyfileUnsupported,
    VaultError,
    WrongPassword,
    attach_path,
    naming,
)
from tui.vault.generations import KEYFILE_ID, GenerationLog, new_keyfile_id
from tui.vault.guard import scrubbed_traceback
from tui.vault.kdf import DEFAULT_CAPS, KdfCaps, KdfParams
from tui.vault.password import PasswordLike, check_new_password
from tui.vault.payload import SCHEMA_VERSION, encode_payload
from tui.vault.reader import KeyfileReader

log = logging.getLogger(__name__)

PathLike = str | os.PathLike[str]


class Vault(KeyfileReader):
    """An open, unlocked keyfile. Get one from `Vault.create` or `Vault.open`."""

    # -- opening -------------------------------------------------------------------------

    @classmethod
    @scrubbed_traceback
    def create(
        cls,
        path: PathLike | None,
        password: PasswordLike,
        *,
        kdf: KdfParams | None = None,
        state_dir: PathLike | None = None,
    ) -> Vault:
        """Make a new, empty keyfile at `path` (None: the default location) and open it.

        Raises `KeyfileExists` if anything is at `path`, `PasswordRejected` for an empty
        password. `kdf` defaults to `KdfParams.default()` (~0.35 s); tests pass cheap ones.
        `state_dir`: where generations are recorded (see `open`). The password cannot be
        recovered: say so to the user.
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
                extra={KEYFILE_ID: new_keyfile_id()},
                snapshot=None,
                generations=_generation_log(state_dir),
            )
            vault._write(create=True)
        except BaseException as error:
            lock.release()
            attach_path(error, target)
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
        read_only: bool = False,
        state_dir: PathLike | None = None,
        accept_rollback: bool = False,
    ) -> Vault:
        """Unlock the keyfile at `path` (None: the default location).

        If the file's KDF parameters are weaker than `kdf` (default: `KdfParams.default()`)
        of the same algorithm, the file is re-keyed to them right away (one more KDF run),
        keeping the previous version as the backup. `caps` bounds what a file may ask for.

        `read_only=True`: no lock, nothing written anywhere (no re-key, no migration save,
        no temp cleanup, no state file); every write raises `KeyfileReadOnly`. Works while
        another process has the keyfile open, and on a read-only filesystem.

        `state_dir` (None: no tracking): where the highest generation seen per keyfile is
        recorded (`tui.base.paths.Locations.state_dir`). A file older than that raises
        `KeyfileRolledBack` unless `accept_rollback=True`, which opens it and (unless
        read-only) records its generation as the one to compare with from now on.
        """
        target = _resolve(path, create_directory=False)
        generations = _generation_log(state_dir)
        if read_only:
            return cls._open_read_only(target, password, caps, generations, accept_rollback)
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
            vault = cls._from_unlocked(target, lock, unlocked, snapshot, generations, caps)
            vault._refuse_rollback(accept_rollback)
        except BaseException as error:
            lock.release()
            attach_path(error, target)
            raise
        vault._record_generation(lower=accept_rollback)
        log.info("opened keyfile %s (generation %d)", target, unlocked.header.generation)
        vault._upgrade(unlocked, password, kdf if kdf is not None else KdfParams.default())
        return vault

    @classmethod
    def _open_read_only(
        cls,
        target: Path,
        password: PasswordLike,
        caps: KdfCaps,
        generations: GenerationLog | None,
        accept_rollback: bool,
    ) -> Vault:
        try:
            snapshot, _ = files.read_whole_version(target, lambda data: parse_header(data, caps))
            unlocked = unlock(snapshot.data, password, caps)
            vault = cls._from_unlocked(target, None, unlocked, snapshot, generations, caps)
            vault._refuse_rollback(accept_rollback)
        except BaseException as error:
            attach_path(error, target)
            raise
        log.info("opened keyfile %s read-only (generation %d)", target, vault.generation)
        return vault

    @classmethod
    def inspect(
        cls, path: PathLike | None = None, *, caps: KdfCaps = DEFAULT_CAPS, read_only: bool = False
    ) -> None:
        """Every check of `open` that needs no password, so a UI can explain a missing, unsafe,
        locked, damaged, too-new or unsupported keyfile before asking for the password.

        Raises the `VaultError` that `open` would raise; returns when only the password is
        left to try. Reads the file and briefly takes the lock (creating the lock file if
        missing); with `read_only=True` it neither locks nor writes anything, as
        `open(read_only=True)`, and retries a read that meets a save in flight.
        """
        target = _resolve(path, create_directory=False)
        try:
            if read_only:
                files.read_whole_version(target, lambda data: parse_header(data, caps))
                return
            if not os.path.lexists(target):
                raise KeyfileNotFound(path=target)
            parse_header(files.read_keyfile(target).data, caps)
            lock = files.KeyfileLock(target)
            lock.acquire()
            lock.release()
        except BaseException as error:
            attach_path(error, target)
            raise

    @classmethod
    def _from_unlocked(
        cls,
        path: Path,
        lock: files.KeyfileLock | None,
        unlocked: Unlocked,
        snapshot: files.Snapshot,
        generations: GenerationLog | None,
        caps: KdfCaps,
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
            generations=generations,
            caps=caps,
        )

    def _refuse_rollback(self, accept_rollback: bool) -> None:
        """Raise `KeyfileRolledBack` (closing this vault: key wiped) for an older copy."""
        try:
            self._check_generation(self._salt, self._generation, self._extra, accept_rollback)
        except BaseException:
            self.close()
            raise

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

    # -- changing accounts ------------------------------------------------------------

    @scrubbed_traceback
    def add(self, account: Account) -> Account:
        """Add a new account (not saved until `save()`).

        `DuplicateAccount` (with `.existing`) if its key is already stored under another
        account of the exchange; ValueError for a repeated id or label.
        """
        if not isinstance(account, Account):
            raise TypeError("add() takes an Account")
        with self._mutex:
            self._ensure_writable("add an account")
            with naming(self._path):
                self._book.add(account)
            self._dirty = True
            return account

    @scrubbed_traceback
    def update(self, account: Account) -> Account:
        """Replace the stored account with the same id; returns what is stored.

        `updated_at` moves on when the key itself changed (exchange, label, credentials,
        sandbox, endpoint); metadata such as `verified_at` or `acknowledged` leaves it.
        `DuplicateAccount` if the new key is stored under another account.
        """
        if not isinstance(account, Account):
            raise TypeError("update() takes an Account")
        with self._mutex:
            self._ensure_writable("change an account")
            with naming(self._path):
                stored = self._book.update(account)
            self._dirty = True
            return stored

    def remove(self, account_id: str) -> Account:
        """Remove an account (not saved until `save()`); returns it. KeyError if unknown."""
        with self._mutex:
            self._ensure_writable("remove an account")
            removed = self._book.remove(account_id)
            self._dirty = True
            return removed

    # -- saving --------------------------------------------------------------------------

    @scrubbed_traceback
    def save(self) -> None:
        """Write the keyfile atomically (previous version kept as `<keyfile>.bak`).

        Raises `KeyfileChanged` (nothing written) if another program changed the file since
        it was loaded, `KeyfileWriteError` (previous file intact) if the write fails.
        """
        with self._mutex:
            self._ensure_writable("save it")
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
            self._ensure_writable("change its password")
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
        self._ensure_writable("save it")
        self._extra.setdefault(KEYFILE_ID, new_keyfile_id())  # files from before it existed
        plain = encode_payload(self._book.all(), self._extra)
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
            attach_path(error, self._path)
            raise
        self._generation += 1
        self._dirty = False
        self._record_generation()
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
        self._ensure_writable("remove its backup")
        try:
            os.unlink(self.backup_path)
        except FileNotFoundError:
            return False
        return True


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


def _generation_log(state_dir: PathLike | None) -> GenerationLog | None:
    return GenerationLog(Path(state_dir).expanduser()) if state_dir is not None else None
