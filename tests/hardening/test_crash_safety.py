"""kill -9 in the middle of saves and password changes, repeatedly: the keyfile always opens
with the old or the new password and holds the old or the new content, whole.

A forked child saves (or changes the password) in a loop; the parent kills it at a random
moment after its first completed operation, then opens the keyfile. tests/vault has the
keyfile's own kill tests; these add the password change and a multi-account content check.
"""

from __future__ import annotations

import os
import random
import select
import signal
from collections.abc import Callable
from pathlib import Path

import pytest

from tui.vault import Account, KdfParams, Vault, WrongPassword

CHEAP = KdfParams.insecure_fast()
OLD_PASSWORD = "crash-old-password-1"
NEW_PASSWORD = "crash-new-password-2"
KILLS = 24

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")


def accounts_for(generation: int) -> list[Account]:
    """The content a save of `generation` writes: 1 to 4 accounts, all naming it."""
    return [
        Account(
            id=f"account-{index}",
            exchange=("binance", "okx", "kraken", "gate")[index],
            label=f"gen-{generation}",
            credentials={"apiKey": f"key-{generation}-{index}", "secret": f"sec-{generation}"},
        )
        for index in range(1 + generation % 4)
    ]


def content_of(vault: Vault) -> list[tuple[str, str, str, dict[str, str]]]:
    return sorted((a.id, a.exchange, a.label, dict(a.ccxt_config())) for a in vault.accounts)


def expected_content(generation: int) -> list[tuple[str, str, str, dict[str, str]]]:
    return sorted(
        (a.id, a.exchange, a.label, dict(a.ccxt_config())) for a in accounts_for(generation)
    )


def replace_content(vault: Vault, generation: int) -> None:
    for account in vault.accounts:
        vault.remove(account.id)
    for account in accounts_for(generation):
        vault.add(account)


def open_either(path: Path) -> tuple[Vault, str]:
    """The keyfile opened with whichever of the two passwords it has."""
    for password in (OLD_PASSWORD, NEW_PASSWORD):
        try:
            return Vault.open(path, password, kdf=CHEAP), password
        except WrongPassword:
            continue
    raise AssertionError("the keyfile opens with neither the old nor the new password")


def save_forever(path: Path, ready: int) -> None:
    vault, _ = open_either(path)
    os.write(ready, b"r")
    first = True
    while True:
        replace_content(vault, vault.generation + 1)
        vault.save()
        if first:
            os.write(ready, b"s")
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


def kill_during(path: Path, work: Callable[[Path, int], None], rng: random.Random) -> None:
    """Fork a child running `work`, wait for its first completed operation, kill -9 it."""
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
            readable, _, _ = select.select([ready_read], [], [], 30)
            assert readable and os.read(ready_read, 1) == expected
    finally:
        os.close(ready_read)
    select.select([], [], [], rng.uniform(0, 0.015))
    os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL


@pytest.fixture
def keyfile(tmp_path: Path) -> Path:
    path = tmp_path / "config" / "keys.kdk"
    with Vault.create(path, OLD_PASSWORD, kdf=CHEAP) as vault:
        replace_content(vault, 2)
        vault.save()
    return path


def test_kill_9_during_saves(keyfile: Path) -> None:
    rng = random.Random(11)
    last_generation = 0
    for _ in range(KILLS):
        kill_during(keyfile, save_forever, rng)
        vault, password = open_either(keyfile)
        with vault:
            assert password == OLD_PASSWORD  # saves never change the password
            assert content_of(vault) == expected_content(vault.generation)
            assert vault.generation > last_generation
            last_generation = vault.generation
        assert not [p for p in keyfile.parent.iterdir() if p.name.endswith(".tmp")]


def test_kill_9_during_password_changes(keyfile: Path) -> None:
    rng = random.Random(12)
    with Vault.open(keyfile, OLD_PASSWORD, kdf=CHEAP) as vault:
        content = content_of(vault)
    seen: set[str] = set()
    last_generation = 0
    for _ in range(KILLS):
        kill_during(keyfile, change_password_forever, rng)
        vault, password = open_either(keyfile)
        seen.add(password)
        with vault:
            assert content_of(vault) == content  # a password change never touches content
            assert vault.generation > last_generation
            last_generation = vault.generation
            # The password it opened with really is the file's: it changes back and forth.
            assert vault.check_password(password)
    # Both passwords turned up: the kills landed on either side of a change.
    assert seen == {OLD_PASSWORD, NEW_PASSWORD}, seen
