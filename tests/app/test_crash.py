"""A crash in a real terminal: the terminal is restored, the first thing it then shows is that
Keydeck has exited (so nobody types the master password into the shell), then where the
report is; the report is in the state directory (the demo's outside its removed directory)
and holds no secret, no password and no locals."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import Any

from tests.app.conftest import PASSWORD, make_keyfile
from tests.hardening.ptysession import PtySession
from tui.crash import EXITED
from tui.demo import DEMO_PASSWORD
from tui.paths import Locations

CREDENTIALS = {
    "apiKey": "crash-test-api-key-7f3a9c",
    "secret": "crash-test-secret-b81d44e0",
    "password": "crash-test-passphrase-551",
}
ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("crash_app.py")
CTRL_T = b"\x14"
LEAVE_ALTERNATE_SCREEN = "\x1b[?1049l"
ESCAPES = re.compile(r"\x1b\[[0-9;?<>]*[A-Za-z]|\x07")


def _crash(args: list[str], password: str, env: dict[str, str]) -> tuple[int, str]:
    """crash_app.py in a pty: unlock, ctrl+t; its exit code and everything it wrote."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("KEYDECK_")}
    base.pop("COLUMNS", None)
    base.pop("LINES", None)
    terminal = PtySession(
        [sys.executable, str(SCRIPT), *args],
        env={**base, "PYTHONPATH": str(ROOT), **env},
        size=(220, 40),
        cwd=str(ROOT),
    )
    try:
        assert terminal.wait_for("Master password", 60), terminal.text()[-500:]
        terminal.type(password)
        terminal.send("\r")
        assert terminal.wait_for("failing", 60), "the dashboard never showed"
        terminal.send(CTRL_T)
        assert terminal.wait_for("has exited", 60), terminal.text()[-2000:]
    finally:
        code = terminal.close()
    return code, terminal.text()


def _after_the_app(output: str) -> str:
    """What the terminal shows once the app has left the alternate screen, as plain words."""
    assert LEAVE_ALTERNATE_SCREEN in output
    tail = output[output.rindex(LEAVE_ALTERNATE_SCREEN) :]
    return " ".join(ESCAPES.sub("", tail).split())


def _report_path(shown: str) -> Path:
    match = re.search(r"is in (\S+\.txt)", shown)
    assert match is not None, shown
    return Path(os.path.expanduser(match.group(1)))


def test_a_crash_says_first_that_keydeck_has_exited_and_where_the_report_is(
    locations: Locations, fast_kdf: dict[str, Any]
) -> None:
    from tui.vault import Account

    account = Account(
        exchange="okx", label="main", credentials=CREDENTIALS, endpoint="http://127.0.0.1:9"
    )
    make_keyfile(locations, fast_kdf, [account])
    code, output = _crash([str(locations.config_dir), PASSWORD], PASSWORD, {})
    assert code == 1
    shown = _after_the_app(output)
    assert shown.startswith(" ".join(EXITED.split())), shown[:300]
    assert shown.index("has exited") < shown.index("crash report") < shown.index("RuntimeError")
    report = _report_path(shown)
    assert report.parent == locations.crash_dir
    assert report.stat().st_mode & 0o077 == 0
    text = report.read_text()
    assert "RuntimeError: forced crash with" in text
    assert "action_crash" in text  # a real traceback...
    assert "locals" not in text  # ...without the local-variables panels
    assert "action_crash" not in shown  # the terminal gets the short message only
    for value in (PASSWORD, *CREDENTIALS.values()):
        assert value not in text
        assert value not in output
    log = locations.log_file
    if log.exists():
        logged = log.read_text()
        assert all(value not in logged for value in (PASSWORD, *CREDENTIALS.values()))


def test_a_demo_crash_report_outlives_the_demo_directory(tmp_path: Path) -> None:
    """The demo's directory (keyfile, log, state) is removed at the end, crash or not: the
    report goes to the user's state directory instead."""
    from tui.demo import ROLES
    from tui.sim import exchanges

    temp, state = tmp_path / "tmp", tmp_path / "user-config"
    temp.mkdir()
    env = {"TMPDIR": str(temp), "KEYDECK_CONFIG_DIR": str(state)}
    code, output = _crash(["--demo"], DEMO_PASSWORD, env)
    assert code == 1
    shown = _after_the_app(output)
    assert shown.startswith(" ".join(EXITED.split())), shown[:300]
    report = _report_path(shown)
    assert report.parent == Locations.resolve(state).crash_dir
    assert report.exists()
    assert not list(temp.glob("keydeck-demo-*"))  # the demo directory is gone
    text = report.read_text()
    assert "RuntimeError: forced crash with" in text
    demo_secrets = {
        value
        for role in ROLES
        for label in (role.label, f"{role.label}-revoked")
        for name, value in exchanges.get(role.exchange).default_credentials(label).items()
        if name != "apiKey"
    }
    assert DEMO_PASSWORD not in text
    assert not [value for value in demo_secrets if value in text]


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
