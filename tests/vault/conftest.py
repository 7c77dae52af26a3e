"""Shared fixtures for the keyfile tests: cheap KDF parameters, demo accounts, real files."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tui.base.redact import forget_all
from tui.vault import Account, KdfParams, Vault
from tui.vault.container import derive_key, parse_header, seal

CHEAP = KdfParams.insecure_fast()
PASSWORD = "test-master-password-42"

# Obviously fake credentials; tests assert none of them ever leaks.
BINANCE_KEY = "demo-key-binance-7f3a9c"
BINANCE_SECRET = "demo-secret-binance-51e0d2"
OKX_KEY = "demo-key-okx-c4b812"
OKX_SECRET = "demo-secret-okx-9a7e33"
OKX_PASSPHRASE = "demo-passphrase-okx-66d1"
SECOND_KEY = "demo-key-second-3d90e1"
SECOND_SECRET = "demo-secret-second-a4c7f0"
ALL_SECRETS = (
    PASSWORD,
    BINANCE_KEY,
    BINANCE_SECRET,
    OKX_KEY,
    OKX_SECRET,
    OKX_PASSPHRASE,
    SECOND_KEY,
    SECOND_SECRET,
)


def binance_account() -> Account:
    return Account(
        exchange="binance",
        label="main",
        credentials={"apiKey": BINANCE_KEY, "secret": BINANCE_SECRET},
    )


def okx_account() -> Account:
    return Account(
        exchange="okx",
        label="bot",
        credentials={"apiKey": OKX_KEY, "secret": OKX_SECRET, "password": OKX_PASSPHRASE},
        sandbox=True,
        endpoint="http://127.0.0.1:8999/okx",
        acknowledged={"trade-enabled"},
        notes={"purpose": "grid bot"},
    )


def another_key(account: Account, label: str) -> Account:
    """A new account of the same exchange under `label` holding a different key."""
    return Account(
        exchange=account.exchange,
        label=label,
        credentials={"apiKey": SECOND_KEY, "secret": SECOND_SECRET},
    )


@dataclass(frozen=True)
class FileState:
    """What a file looks like on disk: to prove an operation left it untouched."""

    digest: str
    mtime_ns: int
    mode: int

    @classmethod
    def of(cls, path: Path) -> FileState:
        status = os.stat(path)
        return cls(
            hashlib.sha256(path.read_bytes()).hexdigest(), status.st_mtime_ns, status.st_mode
        )


def reseal(path: Path, document: bytes, generation: int = 9) -> None:
    """Replace the payload of the keyfile at `path`, properly encrypted under `PASSWORD`.

    How tests make authenticated-but-unusual content (newer schema, malformed records).
    """
    header = parse_header(path.read_bytes())
    key = derive_key(header.kdf, header.salt, PASSWORD)
    path.write_bytes(seal(document, key, header.kdf, header.salt, generation))


@pytest.fixture(autouse=True)
def _forget_registered_secrets() -> Iterator[None]:
    yield
    forget_all()


@pytest.fixture
def keyfile(tmp_path: Path) -> Path:
    """A keyfile path in a directory that does not exist yet."""
    return tmp_path / "config" / "keys.kdk"


@pytest.fixture
def populated(keyfile: Path) -> Path:
    """A saved, closed keyfile holding the binance and okx demo accounts."""
    with Vault.create(keyfile, PASSWORD, kdf=CHEAP) as vault:
        vault.add(binance_account())
        vault.add(okx_account())
        vault.save()
    return keyfile


@pytest.fixture
def populated_bytes(populated: Path) -> bytes:
    return populated.read_bytes()
