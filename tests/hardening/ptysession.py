"""Drive a terminal program in a real pseudo-terminal and keep every byte it writes."""

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

CTRL_Q = b"\x11"


class PtySession:
    """`command` running on a pty of `size` (columns, rows); `output` is all it wrote."""

    def __init__(
        self,
        command: Sequence[str],
        *,
        env: Mapping[str, str] | None = None,
        size: tuple[int, int] = (120, 36),
        cwd: str | None = None,
    ) -> None:
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
        self.output = bytearray()
        self.process = subprocess.Popen(
            list(command),
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env={**os.environ, "TERM": "xterm-256color", **(env or {})},
            cwd=cwd,
            start_new_session=True,
            close_fds=True,
        )
        os.close(slave)

    def pump(self, seconds: float) -> None:
        """Read whatever arrives for `seconds`."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and self._read_once(deadline - time.monotonic()):
            pass

    def wait_for(self, marker: str, timeout: float = 30.0) -> bool:
        """Read until `marker` has been written (True) or `timeout` passes (False)."""
        needle = marker.encode()
        start = len(self.output)
        deadline = time.monotonic() + timeout
        while needle not in self.output[max(0, start - len(needle)) :]:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not self._read_once(remaining):
                return False
        return True

    def send(self, data: bytes | str) -> None:
        os.write(self.master, data.encode() if isinstance(data, str) else data)

    def type(self, text: str, gap: float = 0.01) -> None:
        """Type `text` one key at a time, as a user would."""
        for ch in text:
            self.send(ch)
            self.pump(gap)

    def close(self, timeout: float = 10.0) -> int:
        """Ask the program to quit (ctrl+q), read what it prints, kill it if it does not."""
        with contextlib.suppress(OSError):
            self.send(CTRL_Q)
        deadline = time.monotonic() + timeout
        while self.process.poll() is None and time.monotonic() < deadline:
            self._read_once(0.1)
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        code = self.process.wait()
        while self._read_once(0.05):
            pass
        os.close(self.master)
        return code

    def text(self) -> str:
        return self.output.decode("utf-8", errors="replace")

    def _read_once(self, wait: float) -> bool:
        ready, _, _ = select.select([self.master], [], [], max(0.0, min(wait, 0.2)))
        if not ready:
            return self.process.poll() is None
        try:
            chunk = os.read(self.master, 65536)
        except OSError:
            return False
        self.output.extend(chunk)
        return bool(chunk)
