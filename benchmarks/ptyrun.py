"""Run a terminal program in a real pseudo-terminal and time when text appears on screen."""

from __future__ import annotations

import contextlib
import fcntl
import os
import select
import signal
import struct
import subprocess
import termios
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from benchmarks.core import as_installed

_CTRL_Q = b"\x11"


@dataclass(frozen=True)
class FrameTiming:
    seconds: float
    output_bytes: int


def _set_size(fd: int, columns: int, rows: int) -> None:
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))


def time_to_text(
    command: Sequence[str],
    marker: str,
    *,
    env: Mapping[str, str] | None = None,
    size: tuple[int, int] = (120, 36),
    timeout_s: float = 30.0,
) -> FrameTiming:
    """Seconds from spawning `command` in a pty until `marker` is written to the terminal.

    The program is then asked to quit with ctrl+q and killed if it does not. It may write
    bytecode caches, as a user's installed copy has them.
    """
    master, slave = os.openpty()
    _set_size(slave, *size)
    full_env = as_installed(
        {**os.environ, "TERM": "xterm-256color", "COLUMNS": str(size[0]), **(env or {})}
    )  # else every run compiles Keydeck's sources again (~20 ms of a first frame)
    started = time.perf_counter()
    process = subprocess.Popen(
        list(command),
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=full_env,
        start_new_session=True,
        close_fds=True,
    )
    os.close(slave)
    seen = bytearray()
    needle = marker.encode()
    elapsed: float | None = None
    try:
        deadline = started + timeout_s
        while time.perf_counter() < deadline:
            ready, _, _ = select.select([master], [], [], 0.05)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                seen.extend(chunk)
                if needle in seen:
                    elapsed = time.perf_counter() - started
                    break
        if elapsed is None:
            tail = bytes(seen[-400:]).decode(errors="replace")
            raise TimeoutError(f"{marker!r} never appeared; last output: {tail!r}")
        return FrameTiming(elapsed, len(seen))
    finally:
        _stop(process, master)


def _stop(process: subprocess.Popen[bytes], master: int) -> None:
    with contextlib.suppress(OSError):
        os.write(master, _CTRL_Q)
    deadline = time.perf_counter() + 5
    while process.poll() is None and time.perf_counter() < deadline:
        ready, _, _ = select.select([master], [], [], 0.05)
        if ready:
            try:
                os.read(master, 65536)
            except OSError:
                break
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    os.close(master)
