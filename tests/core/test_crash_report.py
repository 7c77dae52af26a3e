"""tui/crash.py's report file and terminal message, on real files: the message says first that
Keydeck has exited; the report is a private file; when it cannot be written the terminal
gets the whole (scrubbed) report instead; old reports are pruned."""

from __future__ import annotations

import os
from pathlib import Path

from tui.crash import EXITED, KEEP_REPORTS, crash_message, crash_report, write_crash_report

SECRET = "crash-unit-secret-5e1f0a"


def _report() -> str:
    try:
        raise ValueError(f"broke while holding {SECRET}")
    except ValueError as error:
        return crash_report(error, lambda: [SECRET])


def test_the_report_goes_to_a_private_file_and_the_message_says_exited_first(
    tmp_path: Path,
) -> None:
    report = _report()
    assert SECRET not in report and "ValueError: broke while holding" in report
    message = crash_message(report, tmp_path / "state" / "crashes")
    assert message.startswith(EXITED)
    files = list((tmp_path / "state" / "crashes").iterdir())
    assert len(files) == 1
    assert str(files[0].name) in message
    assert message.rstrip().endswith(report.strip().splitlines()[-1])
    assert os.stat(files[0].parent).st_mode & 0o777 == 0o700
    assert os.stat(files[0]).st_mode & 0o777 == 0o600
    text = files[0].read_text()
    assert text.startswith("Keydeck ") and report in text and SECRET not in text


def test_a_report_that_cannot_be_written_is_shown_whole(tmp_path: Path) -> None:
    blocked = tmp_path / "crashes"
    blocked.write_text("a file where the directory should be")
    report = _report()
    message = crash_message(report, blocked)
    assert message.startswith(EXITED)
    assert "could not be written" in message and report in message


def test_only_the_latest_reports_are_kept(tmp_path: Path) -> None:
    for number in range(KEEP_REPORTS + 3):
        old = tmp_path / f"crash-2020010{number:02d}.txt"
        old.write_text("old")
        os.utime(old, (1_600_000_000 + number, 1_600_000_000 + number))
    newest = write_crash_report(tmp_path, "the newest")
    kept = sorted(p.name for p in tmp_path.glob("crash-*.txt"))
    assert len(kept) == KEEP_REPORTS
    assert newest.name in kept and "crash-202001000.txt" not in kept
