"""`kill PID` and a closed terminal (SIGTERM, SIGHUP) end `keydeck --demo` as ctrl+q does: in a
real pty, the terminal gets the sequences that leave the alternate screen, turn mouse
tracking off and show the cursor; the process exits with 128 + the signal; the demo's
directory is gone. Demo directories a crashed demo left are removed at the next start, and
only those (tui/demo_dirs.py)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.hardening.ptysession import PtySession
from tui.demo import DEMO_PASSWORD
from tui.demo_dirs import MARKER, PREFIX, mark, process_start, remove_stale_demo_dirs

ROOT = Path(__file__).resolve().parents[2]
LEAVE_ALTERNATE_SCREEN = b"\x1b[?1049l"
MOUSE_OFF = (b"\x1b[?1000l", b"\x1b[?1003l", b"\x1b[?1006l")
SHOW_CURSOR = b"\x1b[?25h"


def _start_demo(tmp_path: Path) -> PtySession:
    """`keydeck --demo` in a pty; its temp dir and the user's dirs are under `tmp_path`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KEYDECK_")}
    env.pop("COLUMNS", None)
    env.pop("LINES", None)
    env.update(
        PYTHONPATH=str(ROOT),
        TMPDIR=str(tmp_path / "tmp"),
        KEYDECK_CONFIG_DIR=str(tmp_path / "user"),
    )
    (tmp_path / "tmp").mkdir(exist_ok=True)
    return PtySession([sys.executable, "-m", "tui", "--demo"], env=env, cwd=str(ROOT))


def _demo_dirs(tmp_path: Path) -> set[str]:
    return {p.name for p in (tmp_path / "tmp").glob(f"{PREFIX}*")}


def _end_with(terminal: PtySession, signum: int) -> tuple[int, bytes]:
    """Send `signum`; the exit code and what the terminal got from then on."""
    before = len(terminal.output)
    terminal.process.send_signal(signum)
    deadline = time.monotonic() + 60
    while terminal.process.poll() is None and time.monotonic() < deadline:
        terminal.pump(0.2)
    exited = terminal.process.poll() is not None
    code = terminal.close()  # reads the rest (ctrl+q and a kill only for one still running)
    assert exited, "still running 60 s after the signal"
    return code, bytes(terminal.output[before:])


def _assert_terminal_restored(written: bytes) -> None:
    assert LEAVE_ALTERNATE_SCREEN in written
    assert all(sequence in written for sequence in MOUSE_OFF)
    assert SHOW_CURSOR in written[written.rindex(LEAVE_ALTERNATE_SCREEN) :]
    assert b"Traceback" not in written


def _plant(tmp_path: Path, name: str, pid: int | None, started: str | None) -> Path:
    directory = tmp_path / f"{PREFIX}{name}"
    directory.mkdir(mode=0o700, parents=True)
    (directory / "keys.kdk").write_bytes(b"left behind")
    if pid is not None:
        mark(directory, pid, started)
    return directory


def _dead_process() -> tuple[int, str | None]:
    """The id and start of a process that has ended (and been reaped)."""
    child = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=-1)
    started = process_start(child.pid)
    assert child.stdin is not None
    child.stdin.close()
    child.wait()
    return child.pid, started


def test_sighup_at_the_unlock_screen_restores_the_terminal_and_removes_the_demo(
    tmp_path: Path,
) -> None:
    stale = _plant(tmp_path / "tmp", "crashed", *_dead_process())
    unmarked = _plant(tmp_path / "tmp", "unmarked", None, None)
    live = _plant(tmp_path / "tmp", "live", os.getpid(), process_start(os.getpid()))
    terminal = _start_demo(tmp_path)
    assert terminal.wait_for("Master password", 90), terminal.text()[-1000:]
    assert not stale.exists()  # removed at this start: its owner is dead
    assert unmarked.exists() and live.exists()
    ours = _demo_dirs(tmp_path) - {unmarked.name, live.name}
    assert len(ours) == 1
    code, written = _end_with(terminal, signal.SIGHUP)
    assert code == 128 + signal.SIGHUP
    _assert_terminal_restored(written)
    assert _demo_dirs(tmp_path) == {unmarked.name, live.name}


def test_sigterm_on_the_dashboard_restores_the_terminal_and_removes_the_demo(
    tmp_path: Path,
) -> None:
    terminal = _start_demo(tmp_path)
    assert terminal.wait_for("Master password", 90), terminal.text()[-1000:]
    assert len(_demo_dirs(tmp_path)) == 1
    terminal.type(DEMO_PASSWORD)
    terminal.send("\r")
    assert terminal.wait_for("failing", 90), "the dashboard never showed"
    code, written = _end_with(terminal, signal.SIGTERM)
    assert code == 128 + signal.SIGTERM
    _assert_terminal_restored(written)
    assert _demo_dirs(tmp_path) == set()


def test_sighup_after_the_terminal_is_gone_still_cleans_up(tmp_path: Path) -> None:
    """A closed terminal window: the pty is gone when SIGHUP comes (writes fail, reads end)."""
    terminal = _start_demo(tmp_path)
    assert terminal.wait_for("Master password", 90), terminal.text()[-1000:]
    assert len(_demo_dirs(tmp_path)) == 1
    os.close(terminal.master)
    terminal.process.send_signal(signal.SIGHUP)
    try:
        code = terminal.process.wait(60)
    finally:
        if terminal.process.poll() is None:
            os.killpg(terminal.process.pid, signal.SIGKILL)
            terminal.process.wait()
    assert code == 128 + signal.SIGHUP
    assert _demo_dirs(tmp_path) == set()


# ---- which leftover directories the next start removes -------------------------------------


def test_only_marked_directories_of_dead_owners_are_removed(tmp_path: Path) -> None:
    here = os.getpid()
    dead = _plant(tmp_path, "dead", *_dead_process())
    reused = _plant(tmp_path, "reused", here, "another-boot:12345")  # our id, not our start
    live = _plant(tmp_path, "live", here, process_start(here))
    unmarked = _plant(tmp_path, "unmarked", None, None)
    garbled = _plant(tmp_path, "garbled", None, None)
    (garbled / MARKER).write_text("not a marker")
    other_name = tmp_path / "someone-else"
    other_name.mkdir()
    mark(other_name, _dead_process()[0], None)
    removed = remove_stale_demo_dirs(tmp_path)
    if process_start(here) is None:  # no /proc: a live id is taken as the owner
        assert sorted(removed) == [dead]
    else:
        assert sorted(removed) == sorted([dead, reused])
    assert live.exists() and unmarked.exists() and garbled.exists() and other_name.exists()


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks")
def test_a_symlink_named_like_a_demo_directory_is_left_alone(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere"
    target.mkdir()
    mark(target, _dead_process()[0], None)
    (tmp_path / f"{PREFIX}link").symlink_to(target)
    assert remove_stale_demo_dirs(tmp_path) == []
    assert (target / MARKER).exists()
