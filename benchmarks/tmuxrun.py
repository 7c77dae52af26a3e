"""A program in its own tmux server (a private socket), at a fixed size, driven like a user.

Keys go in through one tmux control-mode client (no process spawned per key); what the
program writes to its terminal comes back through `pipe-pane -o` into a FIFO, so a
benchmark can time a key press to the moment a given text reaches the terminal. The
program's pid is the pane's (the command is exec'd), so its CPU can be read from /proc.
"""

from __future__ import annotations

import contextlib
import os
import select
import shlex
import subprocess
import tempfile
import time
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path

SIZE = (160, 48)
_TICKS = os.sysconf("SC_CLK_TCK")


class TmuxApp:
    """`command` running in a detached tmux session of `size` columns x rows."""

    def __init__(
        self,
        command: Sequence[str],
        *,
        env: Mapping[str, str] | None = None,
        size: tuple[int, int] = SIZE,
    ) -> None:
        self.socket = f"keydeck-bench-{uuid.uuid4().hex[:10]}"
        self._folder = tempfile.TemporaryDirectory(prefix="keydeck-bench-tmux-")
        fifo = Path(self._folder.name) / "out"
        os.mkfifo(fifo)
        self._reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
        assigned = " ".join(f"{k}={shlex.quote(v)}" for k, v in (env or {}).items())
        line = f"exec env -u COLUMNS -u LINES TERM=xterm-256color {assigned} " + " ".join(
            shlex.quote(part) for part in command
        )
        width, height = size
        self._tmux("new-session", "-d", "-s", "main", "-x", str(width), "-y", str(height), line)
        self._tmux("pipe-pane", "-o", "-t", "main", f"cat >> {shlex.quote(str(fifo))}")
        self.pid = int(self._tmux("display-message", "-p", "-t", "main", "#{pane_pid}"))
        self._control = subprocess.Popen(
            ["tmux", "-L", self.socket, "-C", "attach-session", "-t", "main"],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        self._command("refresh-client -f no-output")
        self.seen = bytearray()

    def _tmux(self, *args: str) -> str:
        done = subprocess.run(
            ["tmux", "-L", self.socket, "-f", "/dev/null", *args],
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout.strip()

    def _command(self, line: str) -> None:
        assert self._control.stdin is not None
        self._control.stdin.write(line + "\n")
        self._control.stdin.flush()

    # --- input -----------------------------------------------------------------------------

    def key(self, key: str) -> float:
        """Press `key` (a tmux key name); the perf_counter time it was handed to tmux."""
        started = time.perf_counter()
        self._command(f"send-keys -t main {key}")
        return started

    def text(self, text: str) -> None:
        self._command(f"send-keys -t main -l {shlex.quote(text)}")

    # --- output ----------------------------------------------------------------------------

    def drain(self) -> None:
        """Forget what the program wrote so far."""
        with contextlib.suppress(BlockingIOError):
            while os.read(self._reader, 1 << 16):
                pass
        self.seen.clear()

    def wait_bytes(self, marker: bytes, timeout_s: float = 10.0) -> float:
        """The perf_counter time `marker` is first seen in the output since the last drain."""
        deadline = time.perf_counter() + timeout_s
        while True:
            if marker in self.seen:
                return time.perf_counter()
            left = deadline - time.perf_counter()
            if left <= 0:
                raise TimeoutError(f"{marker!r} never reached the terminal")
            ready, _, _ = select.select([self._reader], [], [], min(left, 0.5))
            if ready:
                with contextlib.suppress(BlockingIOError):
                    chunk = os.read(self._reader, 1 << 16)
                    self.seen.extend(chunk)
                    # Keep the tail only: a marker can straddle two reads.
                    if len(self.seen) > 1 << 20:
                        del self.seen[: -(1 << 12)]

    def screen(self) -> str:
        return self._tmux("capture-pane", "-p", "-t", "main")

    def wait_screen(self, text: str, timeout_s: float = 60.0) -> str:
        deadline = time.monotonic() + timeout_s
        while True:
            shown = self.screen()
            if text in shown:
                return shown
            if time.monotonic() > deadline:
                raise TimeoutError(f"{text!r} never appeared; the screen shows:\n{shown}")
            self.drain()
            time.sleep(0.2)

    # --- cost ------------------------------------------------------------------------------

    def cpu_s(self) -> float:
        return process_cpu_s(self.pid)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._control.stdin.close()  # type: ignore[union-attr]
        with contextlib.suppress(Exception):
            self._tmux("kill-server")
        with contextlib.suppress(Exception):
            self._control.wait(5)
        os.close(self._reader)
        self._folder.cleanup()

    def __enter__(self) -> TmuxApp:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def process_cpu_s(pid: int) -> float:
    """User + system CPU seconds of a live process (all its threads), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS


def load_average() -> str:
    with contextlib.suppress(OSError):
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    return "?"
