"""The keyfile errors. Every message says what happened and what to do, and never holds a secret.

Low-level code raises these without a path (it only sees bytes); `Vault` fills in `path`
before the error reaches the caller, and the message is rendered from the fields on demand.
"""

from __future__ import annotations

import contextlib
import shlex
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol


class StoredAccount(Protocol):
    """What an error needs of an account (errors sit below tui.vault.account)."""

    id: str
    exchange: str
    label: str


class VaultError(Exception):
    """Base class: anything that stops the keyfile from being opened or saved."""

    def __init__(self, reason: str = "", *, path: Path | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.path = path

    @property
    def where(self) -> str:
        return f"the keyfile {self.path}" if self.path is not None else "the keyfile"

    def message(self) -> str:
        return self.reason

    def __str__(self) -> str:
        return self.message()


class WrongPassword(VaultError):
    """The file is intact (its checksum matches) but the password does not decrypt it."""

    def message(self) -> str:
        return (
            f"Wrong password for {self.where}. Nothing was changed; try again (passwords "
            "are case-sensitive). A forgotten password cannot be recovered."
        )


class KeyfileCorrupt(VaultError):
    """The file is damaged, truncated, or not a Keydeck keyfile. It is never overwritten."""

    def message(self) -> str:
        backup = f" ({self.path}.bak, if it exists)" if self.path is not None else ""
        return (
            f"Keydeck cannot read {self.where}: {self.reason}. It will not be changed or "
            f"overwritten. Restore it from a backup{backup}; if there is none, revoke these "
            "API keys at each exchange and create a new keyfile."
        )


class KeyfileTooNew(VaultError):
    """Written by a newer Keydeck (newer format or payload schema). Never overwritten."""

    def message(self) -> str:
        return (
            f"{self.where[0].upper()}{self.where[1:]} was written by a newer version of Keydeck "
            f"({self.reason}). Upgrade Keydeck to open it; this version will not change it."
        )


class KeyfileUnsupported(VaultError):
    """The file asks for an algorithm this installation cannot run (e.g. Argon2id missing)."""

    def message(self) -> str:
        return (
            f"Keydeck cannot open {self.where} on this system: {self.reason}. The file was not "
            "changed. Open it where the algorithm is available, or upgrade the 'cryptography' "
            "package (Argon2id needs OpenSSL 3.2 or later)."
        )


class UnsafePermissions(VaultError):
    """ssh-style refusal: the keyfile is reachable by others or is not a plain file of ours."""

    def __init__(self, reason: str = "", *, path: Path | None = None, fix: str = "") -> None:
        super().__init__(reason, path=path)
        self.fix = fix

    def message(self) -> str:
        text = f"Refusing to use {self.where}: {self.reason}."
        if self.fix:
            text += f" Fix it with: {self.fix.replace('PATH', _quoted(self.path))}"
        return text


class KeyfileLocked(VaultError):
    """Another process (the app, `keydeck import` or `rotate`, a script) holds the keyfile.

    `keydeck check`, `watch`, `history`, `backup` and `exec` open it read-only and never lock.
    """

    def message(self) -> str:
        return (
            f"Another Keydeck is using this keyfile ({self.path or 'keyfile'}). Close the other "
            "Keydeck window, or wait for the `keydeck import` or `keydeck rotate` run or the "
            "script using it to finish, then try again."
        )


class KeyfileExists(VaultError):
    """`Vault.create` never replaces an existing file."""

    def message(self) -> str:
        return (
            f"A keyfile already exists at {self.path}. Open it with its password, or move it "
            "elsewhere first if you want to start a new one; Keydeck never replaces a keyfile."
        )


class KeyfileNotFound(VaultError, FileNotFoundError):
    """`Vault.open` on a path with no file."""

    def message(self) -> str:
        return (
            f"There is no keyfile at {self.path}. Create one first, or point Keydeck at the "
            "right place with --config-dir or KEYDECK_CONFIG_DIR."
        )


class KeyfileChanged(VaultError):
    """The file on disk is not the one that was loaded: someone else wrote it. Not clobbered."""

    def message(self) -> str:
        return (
            f"{self.where[0].upper()}{self.where[1:]} was changed by another program since "
            f"Keydeck opened it ({self.reason}). Keydeck did not save, so that change is not "
            "overwritten. Close and reopen the keyfile to see its current content, then redo "
            "your changes."
        )


class KeyfileWriteError(VaultError):
    """Saving failed (disk full, read-only, I/O error). The previous file is intact."""

    def message(self) -> str:
        return (
            f"Could not save {self.where}: {self.reason}. The previous version is intact; free "
            "some space or fix the directory's permissions, then save again."
        )


class PasswordRejected(VaultError, ValueError):
    """A new password that the rules refuse (today: the empty password)."""

    def message(self) -> str:
        return self.reason or "The password is empty. Choose a password."


class PasswordNotUtf8(VaultError, ValueError):
    """The password holds bytes that are not UTF-8 (another encoding, or a binary string)."""

    def message(self) -> str:
        return self.reason or (
            "The password is not valid UTF-8 text, so it cannot be this keyfile's password "
            "(Keydeck passwords are UTF-8). Nothing was changed. Give it as UTF-8: check the "
            "terminal's or the script's encoding (for example LC_ALL=C.UTF-8)."
        )


class VaultClosed(VaultError):
    """The vault was closed (locked): its derived key and decrypted accounts are gone."""

    def message(self) -> str:
        return self.reason or "The keyfile is locked. Unlock it again with its password first."


class KeyfileReadOnly(VaultError):
    """A write on a vault opened with `read_only=True`. Nothing was written."""

    def __init__(self, action: str = "change it", *, path: Path | None = None) -> None:
        super().__init__(action, path=path)
        self.action = action

    def message(self) -> str:
        return (
            f"This keyfile was opened read-only (keydeck check/watch), so Keydeck cannot "
            f"{self.action}. Nothing was written to {self.path or 'the keyfile'}; open it "
            "normally (the Keydeck app) to make changes."
        )


class DuplicateAccount(VaultError, ValueError):
    """This exchange key is already stored under another account (`existing`).

    Also a ValueError, as the other refusals of `add`/`update` (repeated id or label) are.
    """

    def __init__(
        self, existing: StoredAccount, credential: str, *, path: Path | None = None
    ) -> None:
        super().__init__(credential, path=path)
        self.existing = existing
        self.credential = credential

    def message(self) -> str:
        return (
            f"This {self.existing.exchange} key (same {self.credential}) is already stored as "
            f"{self.existing.label!r} (account {self.existing.id}). Replace that account "
            "instead of adding the same key twice."
        )


class KeyfileRolledBack(VaultError):
    """The keyfile's generation is below the highest seen here: an older copy was put back."""

    def __init__(self, *, seen: int, found: int, path: Path | None = None) -> None:
        super().__init__(f"generation {found}, last seen {seen}", path=path)
        self.seen = seen
        self.found = found

    def message(self) -> str:
        where = f" ({self.path})" if self.path is not None else ""
        return (
            f"this keyfile is older than the one last opened here (generation {self.found}, "
            f"last seen {self.seen}): restored from a backup?{where} Keydeck did not open it. "
            "If you put this older copy back yourself, accept it to continue; otherwise "
            "someone replaced your keyfile with an older version."
        )


class KeyfileRekeyed(VaultError):
    """On reload: another Keydeck re-encrypted the file (new password or KDF settings)."""

    def message(self) -> str:
        return (
            f"{self.where[0].upper()}{self.where[1:]} was re-encrypted since it was opened "
            "here (its password or key settings changed). Open it again with its current "
            "password."
        )


def attach_path(error: BaseException, path: Path) -> None:
    """Fill in the keyfile's path on a `VaultError` raised by code that only saw bytes."""
    if isinstance(error, VaultError) and error.path is None:
        error.path = path


@contextlib.contextmanager
def naming(path: Path) -> Iterator[None]:
    """`attach_path` on any `VaultError` raised inside the block."""
    try:
        yield
    except VaultError as error:
        attach_path(error, path)
        raise


def _quoted(path: Path | None) -> str:
    return shlex.quote(str(path)) if path is not None else "PATH"
