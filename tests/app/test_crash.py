"""A crash while the keyfile is unlocked prints no secret, no password and no locals."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.app.conftest import PASSWORD, make_keyfile
from tui.paths import Locations

CREDENTIALS = {
    "apiKey": "crash-test-api-key-7f3a9c",
    "secret": "crash-test-secret-b81d44e0",
    "password": "crash-test-passphrase-551",
}


def test_crash_report_has_no_secrets_and_no_locals(
    locations: Locations, fast_kdf: dict[str, Any]
) -> None:
    from tui.vault import Account

    account = Account(
        exchange="okx", label="main", credentials=CREDENTIALS, endpoint="http://127.0.0.1:9"
    )
    make_keyfile(locations, fast_kdf, [account])
    script = Path(__file__).with_name("crash_app.py")
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, str(script), str(locations.config_dir), PASSWORD],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
    )
    output = result.stdout + result.stderr
    assert result.returncode == 1, output[-2000:]
    assert "Keydeck stopped on an unexpected error" in output
    assert "RuntimeError: forced crash with" in output
    assert "action_crash" in output  # a real traceback...
    assert "locals" not in output  # ...without the local-variables panels
    assert PASSWORD not in output
    for value in CREDENTIALS.values():
        assert value not in output
    log = locations.log_dir / "keydeck.log"
    if log.exists():
        text = log.read_text()
        assert PASSWORD not in text
        assert all(value not in text for value in CREDENTIALS.values())
