"""`keydeck --demo` in a real terminal (tmux): balances from five exchanges, a clean quit."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from tui.ui.demo import DEMO_PASSWORD

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]


def _capture(session: str) -> str:
    return subprocess.run(
        ["tmux", "capture-pane", "-p", "-t", session], capture_output=True, text=True, check=False
    ).stdout


def _wait_for(session: str, test: Callable[[str], bool], timeout: float = 40.0) -> str:
    deadline = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < deadline:
        screen = _capture(session)
        if test(screen):
            return screen
        time.sleep(0.3)
    raise AssertionError(f"timed out; the screen was:\n{screen}")


def test_demo_shows_five_exchanges_and_quits_cleanly(tmp_path: Path) -> None:
    session = f"keydeck-demo-{uuid.uuid4().hex[:8]}"
    done = tmp_path / "exit-code"
    # pytest exports COLUMNS=80 and LINES=24; tmux would pass them on and Textual obey them.
    clean_env = "env -u COLUMNS -u LINES TERM=xterm-256color"
    command = f"{clean_env} {sys.executable} -m tui --demo; echo $? > {done}; sleep 30"
    subprocess.run(
        ["tmux", "new-session", "-d", "-s", session, "-x", "160", "-y", "60", command], check=True
    )
    try:
        screen = _wait_for(session, lambda s: "Master password" in s)
        assert DEMO_PASSWORD in screen  # the unlock screen tells the demo password
        keyfile = re.search(r"Keyfile: (\S+)", screen)
        assert keyfile is not None
        subprocess.run(["tmux", "send-keys", "-t", session, "-l", DEMO_PASSWORD], check=True)
        subprocess.run(["tmux", "send-keys", "-t", session, "Enter"], check=True)
        _wait_for(session, lambda s: "Balances" in s and "failing" in s)
        subprocess.run(["tmux", "send-keys", "-t", session, "v"], check=True)

        def five_exchanges_with_money(s: str) -> bool:
            names = set(re.findall(r"│\s+(\w+) · \w+\s+(?:⚠ stale\s+)?\$[\d,]+\.\d\d", s))
            return len(names) >= 5

        _wait_for(session, five_exchanges_with_money)
        subprocess.run(["tmux", "send-keys", "-t", session, "C-q"], check=True)
        deadline = time.monotonic() + 20
        while not done.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert done.read_text().strip() == "0"
        after = _capture(session)
        assert "Traceback" not in after
        assert not Path(keyfile.group(1)).exists()  # the throwaway keyfile is gone
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], check=False, capture_output=True)
