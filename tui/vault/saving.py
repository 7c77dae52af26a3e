"""Saving files safely: the keyfile, its backup, and the companion files (the history, the
watch state) written the same way.

A save writes a temp file in the same directory (0600), fsyncs it, copies the previous version
to `keys.kdk.bak` the same way, `os.replace`s, and fsyncs the directory. A kill at any moment
leaves either the old or the new file at the path, whole.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from tui.vault.errors import KeyfileExists, KeyfileWriteError
from tui.vault.files import FILE_MODE, TEMP_SUFFIX, Snapshot, backup_path, snapshot_of

_POSIX = os.name == "posix"


def write_new(path: Path, data: bytes) -> Snapshot:
    """Create the keyfile; never replaces an existing file (`KeyfileExists`)."""
    temp, status = _write_temp(path, data)
    try:
        try:
            os.link(temp, path)
        except FileExistsError:
            raise KeyfileExists(path=path) from None
        except OSError:  # a filesystem without hard links; we hold the lock
            if os.path.lexists(path):
                raise KeyfileExists(path=path) from None
            os.replace(temp, path)
        _fsync_directory(path.parent)
    except OSError as error:
        raise KeyfileWriteError(_describe(error), path=path) from None
    finally:
        _unlink_quietly(temp)
    return snapshot_of(data, status)


def write_replacing(path: Path, data: bytes, previous: bytes) -> Snapshot:
    """Atomically replace the keyfile with `data`, keeping `previous` as the backup."""
    temps: list[Path] = []
    try:
        backup, _ = _write_temp(path, previous)
        temps.append(backup)
        os.replace(backup, backup_path(path))
        temp, status = _write_temp(path, data)
        temps.append(temp)
        os.replace(temp, path)
        _fsync_directory(path.parent)
    except OSError as error:
        raise KeyfileWriteError(_describe(error), path=path) from None
    finally:
        for leftover in temps:
            _unlink_quietly(leftover)
    return snapshot_of(data, status)


def write_atomic(path: Path, data: bytes) -> None:
    """Replace the file at `path` with `data` as saves do (0600 temp beside it, fsync,
    `os.replace`, fsync the directory), with no backup: for companion files (the history)."""
    temp, _ = _write_temp(path, data)
    try:
        os.replace(temp, path)
        _fsync_directory(path.parent)
    except OSError as error:
        raise KeyfileWriteError(_describe(error), path=path) from None
    finally:
        _unlink_quietly(temp)


def _write_temp(path: Path, data: bytes) -> tuple[Path, os.stat_result]:
    """A fsynced 0600 temp file beside `path` holding `data`, and its status."""
    try:
        descriptor, name = tempfile.mkstemp(
            prefix=_temp_prefix(path), suffix=TEMP_SUFFIX, dir=path.parent
        )
    except OSError as error:
        raise KeyfileWriteError(_describe(error), path=path) from None
    temp = Path(name)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            if _POSIX:
                os.fchmod(handle.fileno(), FILE_MODE)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
            status = os.fstat(handle.fileno())
    except BaseException as error:
        _unlink_quietly(temp)
        if isinstance(error, OSError):
            raise KeyfileWriteError(_describe(error), path=path) from None
        raise
    return temp, status


def _temp_prefix(path: Path) -> str:
    return f".{path.name}."


def remove_stale_temps(path: Path) -> int:
    """Delete temp files a killed save left behind (call with the lock held)."""
    prefix = _temp_prefix(path)
    removed = 0
    try:
        entries = list(os.scandir(path.parent))
    except OSError:
        return 0
    for entry in entries:
        if not (entry.name.startswith(prefix) and entry.name.endswith(TEMP_SUFFIX)):
            continue
        with contextlib.suppress(OSError):
            status = entry.stat(follow_symlinks=False)
            if stat.S_ISREG(status.st_mode) and (not _POSIX or status.st_uid == os.geteuid()):
                os.unlink(entry.path)
                removed += 1
    return removed


def move_aside(path: Path) -> Path:
    """Rename an unreadable keyfile out of the way (never deletes it); returns the new path."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    for attempt in range(100):
        suffix = f".unreadable-{stamp}" + (f"-{attempt}" if attempt else "")
        target = path.with_name(path.name + suffix)
        if os.path.lexists(target):
            continue
        try:
            os.link(path, target)
        except FileExistsError:
            continue
        except OSError:
            os.rename(path, target)
            return target
        os.unlink(path)
        _fsync_directory(path.parent)
        return target
    raise KeyfileWriteError("too many files already moved aside", path=path)


def _fsync_directory(directory: Path) -> None:
    if not _POSIX:
        return
    descriptor = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        with contextlib.suppress(OSError):  # some filesystems cannot fsync a directory
            os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _unlink_quietly(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)


def _describe(error: OSError) -> str:
    return error.strerror or type(error).__name__
