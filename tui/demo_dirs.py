"""The demo's throwaway directories: each carries a marker naming its owner, so the ones a
crash left behind can be removed at the next demo start, and nothing else ever is.

The marker holds the owning process id and that process's start (Linux: the boot id and the
start time in /proc, so a process id reused after the owner died does not count as the
owner). A directory is removed only when it is ours (same user, not a symlink), carries a
marker that reads as one, and no live process owns it. Unmarked directories are left alone.
No Textual here.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import stat
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)

PREFIX = "keydeck-demo-"
MARKER = ".keydeck-demo-owner"


def make_demo_dir() -> Path:
    """A new private temporary directory (0700) with this process's marker in it."""
    directory = Path(tempfile.mkdtemp(prefix=PREFIX))
    mark(directory, os.getpid(), process_start(os.getpid()))
    return directory


def remove_demo_dir(directory: Path) -> None:
    shutil.rmtree(directory, ignore_errors=True)


def mark(directory: Path, pid: int, started: str | None) -> None:
    """Write the owner marker (atomically: a half-written marker would read as none)."""
    temp = directory / f"{MARKER}.new"
    temp.write_text(json.dumps({"pid": pid, "started": started}), encoding="utf-8")
    os.replace(temp, directory / MARKER)


def process_start(pid: int) -> str | None:
    """Something that tells process `pid` apart from a later one with the same id (Linux:
    boot id and start time), or None where that cannot be read."""
    try:
        boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        return f"{boot}:{fields[19]}"  # field 22, starttime (field 3 is fields[0])
    except (OSError, IndexError):
        return None


def owner_alive(pid: int, started: str | None) -> bool:
    """Whether the process that wrote a marker still runs. When in doubt: yes."""
    if os.name != "posix":  # os.kill(pid, 0) would end the process on Windows
        return True
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # PermissionError: someone's process has this id; compare the starts
        pass
    if started is None:
        return True
    now = process_start(pid)
    return now is None or now == started


def remove_stale_demo_dirs(parent: Path | None = None) -> list[Path]:
    """Remove the demo directories in `parent` (default: the temp dir) that a crashed demo
    left; returns them."""
    parent = Path(parent if parent is not None else tempfile.gettempdir())
    removed = []
    with contextlib.suppress(OSError):
        for entry in os.scandir(parent):
            if entry.name.startswith(PREFIX) and _stale(Path(entry.path)):
                remove_demo_dir(Path(entry.path))
                removed.append(Path(entry.path))
                log.info("removed %s, left by a demo that did not end", entry.path)
    return removed


def _stale(directory: Path) -> bool:
    try:
        status = os.lstat(directory)
        if not stat.S_ISDIR(status.st_mode) or not _mine(status):
            return False
        marker = directory / MARKER
        marker_status = os.lstat(marker)
        if not stat.S_ISREG(marker_status.st_mode) or not _mine(marker_status):
            return False
        owner = json.loads(marker.read_text(encoding="utf-8"))
        pid, started = owner["pid"], owner["started"]
    except (OSError, ValueError, KeyError, TypeError):
        return False  # not a marker we wrote: not ours to remove
    if not isinstance(pid, int) or not (started is None or isinstance(started, str)):
        return False
    return not owner_alive(pid, started)


def _mine(status: os.stat_result) -> bool:
    geteuid = getattr(os, "geteuid", None)
    return geteuid is None or status.st_uid == geteuid()
