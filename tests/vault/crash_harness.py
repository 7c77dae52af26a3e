"""The kill -9 harness: a writer saves (or changes the password) in a loop until it is killed,
then the keyfile must open with the old or the new password and hold one whole version.

Content is a function of the generation (1 to 4 accounts, every field naming it), so any
mix of two versions is caught. Writers run in a forked child (`kill_during`) or in a
separate interpreter: `python -m tests.vault.crash_harness KEYFILE` (from the repository
root) writes b"r" to stdout once open, then saves until killed.
"""

from __future__ import annotations

import os
import random
import select
import signal
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

from tui.vault import Account, KdfParams, Vault, WrongPassword
from tui.vault.container import unlock

CHEAP = KdfParams.insecure_fast()
OLD_PASSWORD = "crash-old-password-1"
NEW_PASSWORD = "crash-new-password-2"
READY_TIMEOUT_S = 30.0  # upper bound for the child to report; never an assertion on time

Content = list[tuple[str, str, str, dict[str, str], dict[str, str]]]


def accounts_for(generation: int) -> list[Account]:
    """What a save of `generation` writes: 1 to 4 accounts, every field naming it."""
    return [
        Account(
            id=f"account-{index}",
            exchange=("binance", "okx", "kraken", "gate")[index],
            label=f"gen-{generation}",
            credentials={"apiKey": f"key-{generation}-{index}", "secret": f"sec-{generation}"},
            notes={"generation": str(generation)},
        )
        for index in range(1 + generation % 4)
    ]


def content(accounts: Iterable[Account]) -> Content:
    return sorted(
        (a.id, a.exchange, a.label, dict(a.ccxt_config()), dict(a.notes)) for a in accounts
    )


def replace_content(vault: Vault, generation: int) -> None:
    for account in vault.accounts:
        vault.remove(account.id)
    for account in accounts_for(generation):
        vault.add(account)


def create_keyfile(path: Path) -> None:
    """Two saves after the create, so the backup too holds accounts of its generation."""
    with Vault.create(path, OLD_PASSWORD, kdf=CHEAP) as vault:
        for _ in range(2):
            replace_content(vault, vault.generation + 1)
            vault.save()


def open_either(path: Path) -> tuple[Vault, str]:
    """The keyfile opened with whichever of the two passwords it has."""
    for password in (OLD_PASSWORD, NEW_PASSWORD):
        try:
            return Vault.open(path, password, kdf=CHEAP), password
        except WrongPassword:
            continue
    raise AssertionError("the keyfile opens with neither the old nor the new password")


def leftovers(path: Path) -> list[str]:
    return [p.name for p in path.parent.iterdir() if p.name.endswith(".tmp")]


def check_saved(path: Path) -> int:
    """After a kill during saves: whole content for its generation, a whole backup one
    generation back (or the same), the password unchanged, nothing left behind. The
    generation."""
    vault, password = open_either(path)
    with vault:
        assert password == OLD_PASSWORD  # saves never change the password
        assert content(vault.accounts) == content(accounts_for(vault.generation))
        generation = vault.generation
    backup = unlock(path.with_name(path.name + ".bak").read_bytes(), OLD_PASSWORD)
    assert backup.header.generation in (generation - 1, generation)
    assert content(backup.accounts) == content(accounts_for(backup.header.generation))
    assert leftovers(path) == []  # opening cleaned what the killed save left
    return generation


# --- writers: each reports b"r" once open and b"s" after its first completed operation ----


def save_forever(path: Path, ready: int) -> None:
    vault, _ = open_either(path)
    os.write(ready, b"r")
    first = True
    while True:
        replace_content(vault, vault.generation + 1)
        vault.save()
        if first:
            os.write(ready, b"s")  # the kill lands among saves, not before them
            first = False


def change_password_forever(path: Path, ready: int) -> None:
    vault, password = open_either(path)
    os.write(ready, b"r")
    first = True
    while True:
        other = NEW_PASSWORD if password == OLD_PASSWORD else OLD_PASSWORD
        vault.change_password(password, other, kdf=CHEAP)
        password = other
        if first:
            os.write(ready, b"s")
            first = False


def kill_during(path: Path, work: Callable[[Path, int], None], delay: float) -> None:
    """Fork a child running `work`, wait for its first completed operation, then `delay`
    seconds, then kill -9 it."""
    ready_read, ready_write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover (child)
        try:
            os.close(ready_read)
            work(path, ready_write)
        finally:
            os._exit(1)
    os.close(ready_write)
    try:
        for expected in (b"r", b"s"):
            readable, _, _ = select.select([ready_read], [], [], READY_TIMEOUT_S)
            assert readable and os.read(ready_read, 1) == expected
    finally:
        os.close(ready_read)
    select.select([], [], [], delay)
    os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL


def random_delay(rng: random.Random, longest: float) -> float:
    """Anywhere in a save (write, fsync, either replace, the directory fsync), sometimes
    straight after the first one."""
    return 0.0 if rng.random() < 0.1 else rng.uniform(0, longest)


if __name__ == "__main__":  # the separate-interpreter writer
    save_forever(Path(sys.argv[1]), sys.stdout.fileno())
