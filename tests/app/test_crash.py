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


def test_the_textual_code_the_crash_hook_replaces_is_unchanged() -> None:
    """tui/crash.py overrides Textual's private `App._handle_exception` (no public hook
    exists) and mirrors what it does minus the locals traceback. If Textual changes that
    method, this fails: re-read it and update tui/crash.py, then this digest."""
    import hashlib
    import inspect

    from textual.app import App

    source = inspect.getsource(App._handle_exception)
    assert hashlib.sha256(source.encode()).hexdigest() == TEXTUAL_HANDLE_EXCEPTION_SHA256
    for name in ("_return_code", "_exception", "_exception_event", "panic"):
        assert hasattr(App, name) or name in source, name


TEXTUAL_HANDLE_EXCEPTION_SHA256 = (
    "baea2e7f88e7ac52e1f66886fe613f74b201a8857a670fc06306dded15d37bee"  # textual 8.2
)
