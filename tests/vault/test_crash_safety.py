"""kill -9 a process while it saves, again and again: the keyfile always opens, wholly old
or wholly new, and the generation never goes back."""

from __future__ import annotations

import os
import random
import select
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.vault.conftest import CHEAP, PASSWORD
from tui.vault import Account, Vault
from tui.vault.container import unlock

KILLS = 60


def state_for(generation: int) -> Account:
    """The one account a save of `generation` writes: every field names the generation."""
    return Account(
        id="crash-account",
        exchange="binance",
        label=f"gen-{generation}",
        credentials={"apiKey": f"demo-key-{generation}", "secret": f"demo-secret-{generation}"},
        notes={"generation": str(generation)},
    )


def check_consistent(generation: int, accounts: tuple[Account, ...] | list[Account]) -> None:
    (account,) = accounts
    assert account.label == f"gen-{generation}"
    assert account.ccxt_config() == {
        "apiKey": f"demo-key-{generation}",
        "secret": f"demo-secret-{generation}",
    }
    assert account.notes == {"generation": str(generation)}


def save_forever(path: Path, ready: int) -> None:
    """The writer: runs in a forked child until it is killed."""
    vault = Vault.open(path, PASSWORD, kdf=CHEAP)
    os.write(ready, b"r")
    vault.update(state_for(vault.generation + 1))
    vault.save()
    os.write(ready, b"s")  # one save done: the kill below lands among saves, not before them
    while True:
        vault.update(state_for(vault.generation + 1))
        vault.save()


@pytest.fixture
def crash_keyfile(keyfile: Path) -> Path:
    with Vault.create(keyfile, PASSWORD, kdf=CHEAP) as vault:
        vault.add(state_for(2))
        vault.save()
        vault.update(state_for(3))
        vault.save()  # now the backup too holds an account
    return keyfile


def open_and_check(path: Path) -> int:
    with Vault.open(path, PASSWORD, kdf=CHEAP) as vault:
        check_consistent(vault.generation, vault.accounts)
        generation = vault.generation
    backup = unlock(path.with_name("keys.kdk.bak").read_bytes(), PASSWORD)
    assert backup.header.generation in (generation - 1, generation)
    check_consistent(backup.header.generation, backup.accounts)
    leftovers = [p.name for p in path.parent.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []  # opening cleaned what the killed save left
    return generation


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_kill_9_during_saves_never_leaves_a_broken_keyfile(crash_keyfile: Path) -> None:
    rng = random.Random(20250101)
    generation = open_and_check(crash_keyfile)
    saves_seen = torn_writes = 0
    for _ in range(KILLS):
        ready_read, ready_write = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover (child)
            try:
                os.close(ready_read)
                save_forever(crash_keyfile, ready_write)
            finally:
                os._exit(1)
        os.close(ready_write)
        try:
            for expected in (b"r", b"s"):
                readable, _, _ = select.select([ready_read], [], [], 20)
                assert readable and os.read(ready_read, 1) == expected
        finally:
            os.close(ready_read)
        # Kill anywhere in a save: inside write, fsync, either replace or the directory fsync.
        delay = 0.0 if rng.random() < 0.1 else rng.uniform(0, 0.02)
        select.select([], [], [], delay)
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
        torn_writes += any(p.suffix == ".tmp" for p in crash_keyfile.parent.iterdir())
        latest = open_and_check(crash_keyfile)
        assert latest >= generation
        saves_seen += latest - generation
        generation = latest
    # The kills really landed among saves, and at least one halfway through writing a file
    # (how many depends on the machine's load, so only one is required).
    assert saves_seen >= KILLS and torn_writes >= 1, (saves_seen, torn_writes)


_WRITER = """
import os, sys
from tui.vault import Account, KdfParams, Vault
vault = Vault.open(sys.argv[1], sys.argv[2], kdf=KdfParams.insecure_fast())
os.write(1, b"r")
while True:
    n = vault.generation + 1
    vault.update(Account(id="crash-account", exchange="binance", label=f"gen-{n}",
        credentials={"apiKey": f"demo-key-{n}", "secret": f"demo-secret-{n}"},
        notes={"generation": str(n)}))
    vault.save()
"""


@pytest.mark.slow
def test_kill_9_of_a_separate_writer_process(crash_keyfile: Path) -> None:
    rng = random.Random(7)
    generation = first = open_and_check(crash_keyfile)
    for _ in range(4):
        writer = subprocess.Popen(
            [sys.executable, "-c", _WRITER, str(crash_keyfile), PASSWORD],
            stdout=subprocess.PIPE,
        )
        assert writer.stdout is not None and writer.stdout.read(1) == b"r"
        select.select([], [], [], rng.uniform(0.005, 0.05))
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=30)
        writer.stdout.close()
        latest = open_and_check(crash_keyfile)
        assert latest >= generation
        generation = latest
    assert generation > first
