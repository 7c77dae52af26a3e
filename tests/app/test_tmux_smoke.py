"""In a real terminal (tmux): `keydeck` starts, creates a keyfile, adds a simulator account,
quits, and leaves the terminal as it found it."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.app.conftest import PASSWORD

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]

ROOT = Path(__file__).resolve().parents[2]
KEYDECK = Path(sys.executable).with_name("keydeck")


@pytest.fixture
def simulator() -> Iterator[dict[str, Any]]:
    process = subprocess.Popen(
        [sys.executable, "-m", "tui.sim", "--json"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        yield json.loads(process.stdout.readline())
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()


class Tmux:
    def __init__(self, command: str, size: tuple[int, int] = (110, 40)) -> None:
        self.name = f"keydeck-smoke-{uuid.uuid4().hex[:8]}"
        width, height = size
        subprocess.run(
            [
                "tmux",
                "new-session",
                "-d",
                "-s",
                self.name,
                "-x",
                str(width),
                "-y",
                str(height),
                # Without -u, pytest's COLUMNS=80 / LINES=24 would reach the app via tmux.
                f"env -u COLUMNS -u LINES TERM=xterm-256color {command}; "
                "echo KEYDECK-EXITED $?; sleep 60",
            ],
            check=True,
        )

    def screen(self) -> str:
        return subprocess.run(
            ["tmux", "capture-pane", "-p", "-t", self.name],
            capture_output=True,
            text=True,
            check=True,
        ).stdout

    def flag(self, name: str) -> str:
        return subprocess.run(
            ["tmux", "display-message", "-p", "-t", self.name, f"#{{{name}}}"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()

    def keys(self, *keys: str) -> None:
        for key in keys:
            if key.startswith("text:"):
                subprocess.run(["tmux", "send-keys", "-t", self.name, "-l", key[5:]], check=True)
            else:
                subprocess.run(["tmux", "send-keys", "-t", self.name, key], check=True)
            time.sleep(0.3)

    def wait_for(self, text: str, limit: float = 30.0) -> str:
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.25)
        raise AssertionError(f"{text!r} never appeared; the screen shows:\n{self.screen()}")

    def close(self) -> None:
        subprocess.run(["tmux", "kill-session", "-t", self.name], capture_output=True)


def test_keydeck_in_tmux(
    tmp_path: Path, simulator: dict[str, Any], fast_kdf: dict[str, Any]
) -> None:
    binance = next(
        a for a in simulator["accounts"] if a["exchange"] == "binance" and a["label"] == "main"
    )
    config = tmp_path / "keydeck"
    terminal = Tmux(f"{KEYDECK} --config-dir {config}")
    try:
        terminal.wait_for("Welcome to Keydeck")
        terminal.keys(f"text:{PASSWORD}", "Enter", f"text:{PASSWORD}", "Enter")
        terminal.wait_for("Type to filter")
        terminal.wait_for("exchanges ·")  # the catalog is loaded
        terminal.keys("text:binance", "Enter")
        terminal.wait_for("Connect Binance")
        time.sleep(0.5)
        terminal.keys(
            f"text:{binance['credentials']['apiKey']}",
            "Tab",
            f"text:{binance['credentials']['secret']}",
        )
        # testnet switch, then the Advanced section: open it and give the simulator's endpoint
        terminal.keys("Tab", "Tab", "Enter", "Tab", f"text:{binance['endpoint']}", "C-s")
        screen = terminal.wait_for("key verified and saved")
        assert binance["credentials"]["secret"] not in screen
        terminal.keys("Enter")
        time.sleep(1)
        terminal.keys("C-q")
        screen = terminal.wait_for("KEYDECK-EXITED 0", limit=20)
        # the terminal is back: primary screen, cursor shown, no mouse reporting, no UI left
        assert terminal.flag("alternate_on") == "0"
        assert terminal.flag("cursor_flag") == "1"
        assert terminal.flag("mouse_any_flag") == "0"
        assert "Keydeck" not in screen and "Traceback" not in screen
    finally:
        terminal.close()

    from tui.vault import Vault

    with Vault.open(config / "keys.kdk", PASSWORD, **fast_kdf) as vault:
        [account] = vault.accounts
    assert account.exchange == "binance" and account.verified_at is not None
