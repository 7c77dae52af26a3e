"""The committed v1 keyfiles: every future Keydeck must open them and find exactly this."""

from __future__ import annotations

import os
import shutil
import unicodedata
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.vault.conftest import CHEAP, FileState
from tui.vault import Argon2idParams, ScryptParams, Vault, WrongPassword, argon2_available
from tui.vault.container import parse_header

DATA = Path(__file__).resolve().parents[1] / "data"
GOLDEN_PASSWORD = "golden-Pässwort-v1"
EXPECTED_KDF = {
    "keyfile-v1-argon2id.kdk": Argon2idParams(time_cost=1, memory_kib=64, lanes=1),
    "keyfile-v1-scrypt.kdk": ScryptParams(log_n=4, r=1, p=1),
}


@pytest.fixture(params=sorted(EXPECTED_KDF))
def golden(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    name: str = request.param
    if name.endswith("argon2id.kdk") and not argon2_available():
        pytest.skip("OpenSSL without Argon2id")
    copy = tmp_path / "keys.kdk"
    shutil.copyfile(DATA / name, copy)
    os.chmod(copy, 0o600)  # git checks files out 0644, which Keydeck rightly refuses
    return copy


def test_golden_header(golden: Path, request: pytest.FixtureRequest) -> None:
    name = request.node.callspec.params["golden"]
    header = parse_header(golden.read_bytes())
    assert header.version == 1 and header.generation == 2
    assert header.kdf == EXPECTED_KDF[name]
    assert golden.stat().st_size == 4208


def test_golden_contents(golden: Path) -> None:
    before = FileState.of(golden)
    with Vault.open(golden, GOLDEN_PASSWORD, kdf=CHEAP) as vault:
        binance, okx = vault.accounts
        assert vault.generation == 2
    assert FileState.of(golden) == before  # opening with matching params writes nothing

    assert binance.id == "golden000001"
    assert (binance.exchange, binance.label) == ("binance", "main")
    assert binance.ccxt_config() == {
        "apiKey": "demo-key-golden-binance-0001",
        "secret": "demo-secret-golden-binance-0001",
    }
    assert binance.sandbox is False and binance.endpoint is None
    assert binance.created_at == binance.updated_at == datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert binance.verified_at == datetime(2025, 1, 3, tzinfo=UTC)
    assert binance.acknowledged == frozenset() and dict(binance.notes) == {}

    assert okx.id == "golden000002"
    assert (okx.exchange, okx.label) == ("okx", "bot ✓")
    assert okx.ccxt_config() == {
        "apiKey": "demo-key-golden-okx-0002",
        "secret": "demo-secret-golden-okx-0002",
        "password": "demo-passphrase-golden-okx",
    }
    assert okx.sandbox is True and okx.endpoint == "http://127.0.0.1:8999/okx"
    assert okx.updated_at == datetime(2025, 1, 4, 5, 6, 7, tzinfo=UTC)
    assert okx.verified_at is None
    assert okx.acknowledged == {"trade-enabled"} and dict(okx.notes) == {"purpose": "golden file"}


def test_golden_opens_with_the_password_typed_decomposed(golden: Path) -> None:
    decomposed = unicodedata.normalize("NFD", GOLDEN_PASSWORD)
    assert decomposed != GOLDEN_PASSWORD
    with Vault.open(golden, decomposed, kdf=CHEAP) as vault:
        assert len(vault.accounts) == 2
    with pytest.raises(WrongPassword):
        Vault.open(golden, "golden-Passwort-v1", kdf=CHEAP)


def test_golden_survives_a_save_by_this_version(golden: Path) -> None:
    with Vault.open(golden, GOLDEN_PASSWORD, kdf=CHEAP) as vault:
        before = vault.accounts
        vault.save()
    with Vault.open(golden, GOLDEN_PASSWORD, kdf=CHEAP) as vault:
        assert vault.accounts == before and vault.generation == 3
