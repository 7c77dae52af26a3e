"""kill -9 a writer again and again, in the middle of saves and password changes: the keyfile
always opens, with the old or the new password, wholly old or wholly new content, and the
generation never goes back. The harness is tests/vault/crash_harness.py."""

from __future__ import annotations

import os
import random
import select
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.vault.crash_harness import (
    NEW_PASSWORD,
    OLD_PASSWORD,
    change_password_forever,
    check_saved,
    content,
    create_keyfile,
    kill_during,
    leftovers,
    open_either,
    random_delay,
    save_forever,
)

pytestmark = pytest.mark.slow

needs_fork = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
REPOSITORY = Path(__file__).resolve().parents[2]


@pytest.fixture
def crash_keyfile(keyfile: Path) -> Path:
    create_keyfile(keyfile)
    return keyfile


@needs_fork
def test_kill_9_during_saves_never_leaves_a_broken_keyfile(crash_keyfile: Path) -> None:
    rng = random.Random(20250101)
    kills = 60
    generation = check_saved(crash_keyfile)
    saves_seen = torn_writes = 0
    for _ in range(kills):
        kill_during(crash_keyfile, save_forever, random_delay(rng, 0.02))
        torn_writes += bool(leftovers(crash_keyfile))
        latest = check_saved(crash_keyfile)
        assert latest > generation  # the child finished a save before the kill
        saves_seen += latest - generation
        generation = latest
    # The kills really landed among saves, and at least one halfway through writing a file
    # (how many depends on the machine's load, so only one is required).
    assert saves_seen >= kills and torn_writes >= 1, (saves_seen, torn_writes)


@needs_fork
def test_kill_9_during_password_changes(crash_keyfile: Path) -> None:
    rng = random.Random(12)
    with open_either(crash_keyfile)[0] as vault:
        before = content(vault.accounts)
        generation = vault.generation
    seen: set[str] = set()
    for _ in range(24):
        kill_during(crash_keyfile, change_password_forever, rng.uniform(0, 0.015))
        vault, password = open_either(crash_keyfile)
        seen.add(password)
        with vault:
            assert content(vault.accounts) == before  # a password change never touches content
            assert vault.generation > generation
            generation = vault.generation
            # The password it opened with really is the file's: it changes back and forth.
            assert vault.check_password(password)
        assert leftovers(crash_keyfile) == []
    # Both passwords turned up: the kills landed on either side of a change.
    assert seen == {OLD_PASSWORD, NEW_PASSWORD}, seen


def test_kill_9_of_a_separate_writer_process(crash_keyfile: Path) -> None:
    """The same writer in its own interpreter (no fork: what a second program does)."""
    rng = random.Random(7)
    generation = first = check_saved(crash_keyfile)
    for _ in range(4):
        writer = subprocess.Popen(
            [sys.executable, "-m", "tests.vault.crash_harness", str(crash_keyfile)],
            stdout=subprocess.PIPE,
            cwd=REPOSITORY,
        )
        assert writer.stdout is not None and writer.stdout.read(1) == b"r"
        select.select([], [], [], rng.uniform(0.005, 0.05))
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=30)
        writer.stdout.close()
        latest = check_saved(crash_keyfile)
        assert latest >= generation
        generation = latest
    assert generation > first
