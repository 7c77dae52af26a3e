"""Unlock (password to decrypted accounts, `Vault.open`) against the KDF alone.

The keyfile is made with the default KDF parameters (what a real user has) and 20 accounts.
The reference derives a key with the same parameters and salt through the same `KdfParams`
object `Vault.open` uses, so the ratio is the price of everything that is not the KDF:
locking, the file-safety checks, reading, AES-GCM, decoding the accounts. Runs alternate
in ABBA order (KDF, unlock, unlock, KDF, ...) so a noisy neighbour or a trend hits both alike.
"""

from __future__ import annotations

import secrets
import tempfile
from pathlib import Path

from benchmarks.core import Result, RunOptions, Target, median, timed_with_cpu

ACCOUNTS = 20
PASSWORD = "benchmark-master-password-" + "x" * 8
TARGET = Target(1.1)
MIN_PAIRS = 8


def _populate(path: Path) -> None:
    from tui.vault import Account, KdfParams, Vault

    with Vault.create(path, PASSWORD, kdf=KdfParams.default()) as vault:
        for index in range(ACCOUNTS):
            vault.add(
                Account(
                    exchange=("binance", "okx", "kraken", "coinbase")[index % 4],
                    label=f"bench-{index}",
                    credentials={
                        "apiKey": secrets.token_hex(32),
                        "secret": secrets.token_hex(48),
                        "password": secrets.token_hex(8),
                    },
                )
            )
        vault.save()


def run(options: RunOptions) -> list[Result]:
    from tui.vault import KdfParams, Vault
    from tui.vault.container import parse_header

    with tempfile.TemporaryDirectory(prefix="keydeck-bench-") as folder:
        path = Path(folder) / "config" / "keys.kdk"
        _populate(path)
        header = parse_header(path.read_bytes())
        params = header.kdf
        assert params == KdfParams.default(), "the keyfile should use the default KDF"
        password = PASSWORD.encode()

        def unlock() -> None:
            with Vault.open(path, PASSWORD) as vault:
                assert len(vault.accounts) == ACCOUNTS

        def kdf_alone() -> None:
            params.derive(password, header.salt).wipe()

        unlock()  # warm caches (imports, page cache) before timing either
        kdf_wall: list[float] = []
        kdf_cpu: list[float] = []
        unlock_wall: list[float] = []
        unlock_cpu: list[float] = []
        for index in range(max(options.repeats, MIN_PAIRS)):
            order = (kdf_alone, unlock) if index % 2 == 0 else (unlock, kdf_alone)
            for action in order:
                wall, cpu = timed_with_cpu(action)
                (kdf_wall if action is kdf_alone else unlock_wall).append(wall)
                (kdf_cpu if action is kdf_alone else unlock_cpu).append(cpu)
    note = f"{ACCOUNTS} accounts, {params}; reference: the KDF alone"
    return [
        Result(
            name="unlock (wall)",
            measured=median(unlock_wall),
            reference=median(kdf_wall),
            unit="s",
            target=TARGET,
            note=note,
            samples=tuple(unlock_wall),
            reference_samples=tuple(kdf_wall),
        ),
        Result(
            name="unlock (cpu)",
            measured=median(unlock_cpu),
            reference=median(kdf_cpu),
            unit="s",
            target=TARGET,
            note=note + "; CPU seconds of this process (all threads), less hit by neighbours",
            samples=tuple(unlock_cpu),
            reference_samples=tuple(kdf_cpu),
        ),
    ]
