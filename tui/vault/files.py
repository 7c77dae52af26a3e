"""Safe file handling for the keyfile: checks on open, reading, locking (saves: saving.py).

- Opening refuses (ssh-style) a symlink, a non-regular file, a file owned by someone else,
  or one with any group/other permission bits. It opens with O_NOFOLLOW and checks the
  opened descriptor, so the file cannot be swapped between check and read.
- A separate lock file (`keys.kdk.lock`) is held while a vault is open: locking the data
  file itself would protect nothing once `os.replace` puts a new inode at the path.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from filelock import FileLock, Timeout

from tui.vault.container import MAXIMUM_SIZE
from tui.vault.errors import (
    KeyfileCorrupt,
    KeyfileLocked,
    KeyfileNotFound,
    KeyfileWriteError,
    UnsafePermissions,
    VaultError,
)

FILE_MODE = 0o600
DIR_MODE = 0o700
LOCK_SUFFIX = ".lock"
BACKUP_SUFFIX = ".bak"
TEMP_SUFFIX = ".tmp"
# Waits before reading again when a lock-free read meets a file that is missing or fails its
# checks (about 0.35 s in all): a save by another process may have been mid-flight.
READ_RETRY_DELAYS_S = (0.01, 0.03, 0.1, 0.2)
_POSIX = os.name == "posix"
_READ_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_CLOEXEC", 0)
)


@dataclass(frozen=True)
class Snapshot:
    """A keyfile's bytes and identity as read: used to detect a change made by someone else."""

    data: bytes
    device: int
    inode: int
    size: int
    mtime_ns: int
    digest: bytes

    def differs_from(self, other: Snapshot) -> str | None:
        """Why `other` is not the same file content as this one, or None."""
        if (self.device, self.inode) != (other.device, other.inode):
            return "the file was replaced"
        if self.size != other.size or self.digest != other.digest:
            return "its content differs"
        if self.mtime_ns != other.mtime_ns:
            return "its modification time differs"
        return None

    def __repr__(self) -> str:
        return f"Snapshot(size={self.size}, inode={self.inode})"


def backup_path(path: Path) -> Path:
    return path.with_name(path.name + BACKUP_SUFFIX)


def lock_path(path: Path) -> Path:
    return path.with_name(path.name + LOCK_SUFFIX)


def read_keyfile(path: Path, *, check_permissions: bool = True) -> Snapshot:
    """Read the keyfile after the ssh-style safety checks.

    Before a save, `check_permissions=False` reads the file only to compare it with what was
    loaded (a symlink or non-regular file is still refused: it means the file was replaced).
    """
    try:
        link_status = os.lstat(path)
    except FileNotFoundError:
        raise KeyfileNotFound(path=path) from None
    except OSError as error:
        raise VaultError(f"Cannot read the keyfile {path}: {error.strerror}.", path=path) from None
    check_file_status(link_status, path, check_permissions=check_permissions)
    if check_permissions:
        check_directory(path)
    try:
        descriptor = os.open(path, _READ_FLAGS)
    except FileNotFoundError:
        raise KeyfileNotFound(path=path) from None
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise UnsafePermissions(_SYMLINK, path=path, fix=_SYMLINK_FIX) from None
        raise VaultError(f"Cannot read the keyfile {path}: {error.strerror}.", path=path) from None
    with os.fdopen(descriptor, "rb") as handle:
        status = os.fstat(handle.fileno())
        check_file_status(status, path, check_permissions=check_permissions)
        if status.st_size > MAXIMUM_SIZE:
            raise KeyfileCorrupt("it is far larger than any keyfile", path=path)
        data = handle.read(MAXIMUM_SIZE + 1)
    return snapshot_of(data, status)


T = TypeVar("T")


def read_whole_version(path: Path, check: Callable[[bytes], T]) -> tuple[Snapshot, T]:
    """Read the keyfile without the lock: one whole saved version, and `check` of its bytes.

    Saves replace the file atomically, so one read normally gives a whole version. If the
    file is missing or `check` raises `KeyfileCorrupt` (a replace that is not atomic on some
    platform, a writer that is not Keydeck), wait and read again a few times, then raise.
    """
    for delay in (*READ_RETRY_DELAYS_S, None):
        try:
            snapshot = read_keyfile(path)
            return snapshot, check(snapshot.data)
        except (KeyfileNotFound, KeyfileCorrupt):
            if delay is None:
                raise
            time.sleep(delay)
    raise AssertionError("unreachable")


def snapshot_of(data: bytes, status: os.stat_result) -> Snapshot:
    return Snapshot(
        data=data,
        device=status.st_dev,
        inode=status.st_ino,
        size=len(data),
        mtime_ns=status.st_mtime_ns,
        digest=hashlib.sha256(data).digest(),
    )


_SYMLINK = (
    "it is a symbolic link. Keydeck opens only a regular file, so that a link cannot "
    "redirect your keys"
)
_SYMLINK_FIX = "replace the link PATH with the file it points to (mv TARGET PATH)"


def check_file_status(
    status: os.stat_result, path: Path, *, check_permissions: bool = True
) -> None:
    """Raise `UnsafePermissions` unless `status` is a private regular file of ours."""
    mode = status.st_mode
    if stat.S_ISLNK(mode):
        raise UnsafePermissions(_SYMLINK, path=path, fix=_SYMLINK_FIX)
    if not stat.S_ISREG(mode):
        raise UnsafePermissions(
            f"it is not a regular file (it is {_kind(mode)})",
            path=path,
            fix="move it away and point Keydeck at the keyfile itself",
        )
    if not _POSIX or not check_permissions:
        return
    if status.st_uid != os.geteuid():
        raise UnsafePermissions(
            f"it belongs to user id {status.st_uid}, not to you (user id {os.geteuid()}), so "
            "someone else could read or replace it",
            path=path,
            fix="sudo chown $(id -u) PATH  (only if the file is really yours)",
        )
    if mode & 0o077:
        raise UnsafePermissions(
            f"its permissions {stat.S_IMODE(mode):04o} are too open: other users can "
            "access your exchange keys",
            path=path,
            fix="chmod 600 PATH",
        )
    if status.st_nlink > 1:
        raise UnsafePermissions(
            f"it has {status.st_nlink} hard links: another name for it would keep the old "
            "keys (and the old password) after a password change or a key removal",
            path=path,
            fix="find PATH's other names with `find ~ -samefile PATH` and delete them (they "
            "hold the same keys)",
        )


def check_directory(path: Path) -> None:
    """Raise `UnsafePermissions` when the keyfile's directory (or what a symlink there points
    at) can be written by other users or belongs to someone else: they could swap the
    keyfile for an older one, or for theirs."""
    if not _POSIX:
        return
    directory = path.parent
    try:
        status = os.stat(directory)
    except OSError:
        return  # reading the keyfile says what is wrong
    if status.st_uid not in (os.geteuid(), 0):
        raise UnsafePermissions(
            f"its directory {directory} belongs to user id {status.st_uid}, not to you",
            path=path,
            fix="keep the keyfile in a directory of yours: mkdir -m 700 DIR, then move it",
        )
    if status.st_mode & 0o022:
        raise UnsafePermissions(
            f"its directory {directory} can be written by other users "
            f"({stat.S_IMODE(status.st_mode):04o}), who could replace the keyfile",
            path=path,
            fix=f"chmod 700 {directory}",
        )


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a plain file"


def make_private_dirs(directory: Path) -> None:
    """Create missing directories with mode 0700 set explicitly (umask filters mkdir's mode).

    Existing directories are left alone: a keyfile may live in a directory of the user's.
    """
    missing: list[Path] = []
    current = directory
    while not current.exists():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=DIR_MODE)
        except FileExistsError:
            continue
        except OSError as error:
            raise KeyfileWriteError(
                f"cannot create the directory {folder} ({error.strerror})", path=directory
            ) from None
        os.chmod(folder, DIR_MODE)


class KeyfileLock:
    """The cross-process lock beside the keyfile. A second holder gets `KeyfileLocked`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = FileLock(str(lock_path(path)), timeout=0, mode=FILE_MODE, thread_local=False)

    def acquire(self) -> None:
        try:
            self._lock.acquire()
        except Timeout:
            raise KeyfileLocked(path=self.path) from None
        except OSError as error:
            raise VaultError(
                f"Cannot lock the keyfile {self.path}: creating {lock_path(self.path)} failed "
                f"({error.strerror}). Check that you can write to its directory.",
                path=self.path,
            ) from None

    def release(self) -> None:
        if self._lock.is_locked:
            self._lock.release(force=True)

    @property
    def held(self) -> bool:
        return self._lock.is_locked
