"""The v1 format: round trips, nonces, salts, padding, and what a reader refuses."""

from __future__ import annotations

import hashlib
import json
import struct
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.vault.conftest import (
    BINANCE_SECRET,
    CHEAP,
    OKX_PASSPHRASE,
    PASSWORD,
    FileState,
    binance_account,
    okx_account,
    reseal,
)
from tui.vault import (
    Account,
    Argon2idParams,
    KeyfileCorrupt,
    KeyfileExists,
    KeyfileTooNew,
    KeyfileUnsupported,
    ScryptParams,
    Vault,
    WrongPassword,
)
from tui.vault.container import (
    HEADER,
    HEADER_SIZE,
    MAGIC,
    TRAILER_SIZE,
    derive_key,
    parse_header,
    trailer,
    unlock,
)
from tui.vault.payload import PAD_MINIMUM


def rechecksum(data: bytes | bytearray) -> bytes:
    """Recompute the keyless trailer, as a deliberate attacker (not an accident) would."""
    body = bytes(data[:-TRAILER_SIZE])
    return body + trailer(body)


def with_header_field(data: bytes, index: int, value: int) -> bytes:
    fields = list(HEADER.unpack_from(data))
    fields[index] = value
    return rechecksum(HEADER.pack(*fields) + data[HEADER_SIZE:])


def test_round_trip_keeps_every_field(keyfile: Path) -> None:
    verified = datetime(2025, 3, 1, 12, 30, tzinfo=UTC)
    with Vault.create(keyfile, PASSWORD, kdf=CHEAP) as vault:
        first = vault.add(binance_account().replace(verified_at=verified))
        second = vault.add(okx_account())
        vault.save()
    with Vault.open(keyfile, PASSWORD, kdf=CHEAP) as vault:
        assert vault.accounts == (first, second)
        okx = vault.get("okx")
        assert okx is not None
        assert okx.ccxt_config() == {
            "apiKey": "demo-key-okx-c4b812",
            "secret": "demo-secret-okx-9a7e33",
            "password": OKX_PASSPHRASE,
        }
        assert okx.sandbox and okx.endpoint == "http://127.0.0.1:8999/okx"
        assert okx.acknowledged == {"trade-enabled"} and okx.notes == {"purpose": "grid bot"}
        assert vault.get("binance", "main").verified_at == verified


def test_every_save_uses_a_fresh_nonce_and_counts_generations(keyfile: Path) -> None:
    nonces, salts, generations = set(), set(), []
    with Vault.create(keyfile, PASSWORD, kdf=CHEAP) as vault:
        for _ in range(5):
            vault.save()
            header = parse_header(keyfile.read_bytes())
            nonces.add(header.nonce)
            salts.add(header.salt)
            generations.append(header.generation)
        assert vault.generation == generations[-1]
    assert len(nonces) == 5
    assert len(salts) == 1  # the key is derived once per unlock, so the salt stays
    assert generations == [2, 3, 4, 5, 6]


def test_password_change_uses_a_new_salt_and_the_old_password_fails(keyfile: Path) -> None:
    with Vault.create(keyfile, PASSWORD, kdf=CHEAP) as vault:
        vault.add(binance_account())
        vault.save()
        old_salt = parse_header(keyfile.read_bytes()).salt
        with pytest.raises(WrongPassword):
            vault.change_password("not the password", "new password 1", kdf=CHEAP)
        vault.change_password(PASSWORD, "new password 1", kdf=CHEAP)
        assert parse_header(keyfile.read_bytes()).salt != old_salt
        assert vault.check_password("new password 1")
        assert not vault.check_password(PASSWORD)
    with pytest.raises(WrongPassword):
        Vault.open(keyfile, PASSWORD, kdf=CHEAP)
    with Vault.open(keyfile, "new password 1", kdf=CHEAP) as vault:
        assert vault.get("binance") is not None
    # The backup is the previous version: it still opens with the old password.
    backup = keyfile.with_name("keys.kdk.bak")
    assert unlock(backup.read_bytes(), PASSWORD).accounts[0].exchange == "binance"


def test_password_change_can_move_to_scrypt(keyfile: Path) -> None:
    scrypt = ScryptParams(log_n=4, r=1, p=1)
    with Vault.create(keyfile, PASSWORD, kdf=CHEAP) as vault:
        vault.change_password(PASSWORD, "other password", kdf=scrypt)
        assert vault.kdf == scrypt
    assert parse_header(keyfile.read_bytes()).kdf == scrypt


def test_padding_hides_the_number_of_accounts(keyfile: Path) -> None:
    with Vault.create(keyfile, PASSWORD, kdf=CHEAP) as vault:
        empty = keyfile.stat().st_size
        for number in range(8):
            vault.add(
                Account(
                    exchange="kraken",
                    label=f"key {number}",
                    credentials={"apiKey": f"demo-key-{number:04}", "secret": "demo-" + "s" * 88},
                )
            )
        vault.save()
        assert keyfile.stat().st_size == empty == HEADER_SIZE + PAD_MINIMUM + 16 + TRAILER_SIZE


def test_unknown_fields_from_a_newer_writer_are_kept(keyfile: Path) -> None:
    with Vault.create(keyfile, PASSWORD, kdf=CHEAP) as vault:
        vault.add(binance_account())
        vault.save()
    unlocked = unlock(keyfile.read_bytes(), PASSWORD)
    document = {
        "schema": 1,
        "future_setting": {"theme": "dark"},
        "accounts": [
            {
                "id": unlocked.accounts[0].id,
                "exchange": "binance",
                "label": "main",
                "credentials": {"apiKey": "demo-key-x", "secret": "demo-secret-x"},
                "created_at": "2025-01-01T00:00:00+00:00",
                "updated_at": "2025-01-01T00:00:00+00:00",
                "future_field": [1, 2, 3],
            }
        ],
    }
    reseal(keyfile, json.dumps(document).encode())
    with Vault.open(keyfile, PASSWORD, kdf=CHEAP) as vault:
        vault.add(okx_account())
        vault.save()
    plain = json.loads(_decrypt_payload(keyfile.read_bytes(), PASSWORD))
    assert plain["future_setting"] == {"theme": "dark"}
    assert plain["accounts"][0]["future_field"] == [1, 2, 3]
    assert len(plain["accounts"]) == 2


def _decrypt_payload(data: bytes, password: str) -> bytes:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    header = parse_header(data)
    key = derive_key(header.kdf, header.salt, password)
    return AESGCM(bytes(key)).decrypt(header.nonce, data[HEADER_SIZE:-TRAILER_SIZE], data[:64])


def test_wrong_password_leaves_the_file_byte_identical(populated: Path) -> None:
    before = FileState.of(populated)
    listing = sorted(p.name for p in populated.parent.iterdir())
    with pytest.raises(WrongPassword) as caught:
        Vault.open(populated, "wrong password", kdf=CHEAP)
    assert FileState.of(populated) == before
    assert sorted(p.name for p in populated.parent.iterdir()) == listing
    assert str(populated) in str(caught.value)
    # ... and the file is not left locked.
    Vault.open(populated, PASSWORD, kdf=CHEAP).close()


def test_empty_and_case_changed_passwords_are_wrong(populated: Path) -> None:
    for attempt in ("", PASSWORD.upper(), PASSWORD + " "):
        with pytest.raises(WrongPassword):
            Vault.open(populated, attempt, kdf=CHEAP)


@pytest.mark.parametrize(
    ("index", "value"),
    [
        (2, 7),  # KDF id: the key derivation changes
        (4, 2),  # Argon2id t (or scrypt log N)
        (7, b"\x00" * 16),  # salt
        (8, b"\x01" * 12),  # nonce
        (9, 12345),  # generation
    ],
)
def test_editing_a_header_field_with_a_fixed_checksum_fails_authentication(
    populated_bytes: bytes, index: int, value: int | bytes
) -> None:
    forged = with_header_field(populated_bytes, index, value)  # type: ignore[arg-type]
    with pytest.raises((WrongPassword, KeyfileUnsupported)):
        unlock(forged, PASSWORD)


def test_newer_format_is_refused_and_left_untouched(populated: Path) -> None:
    populated.write_bytes(with_header_field(populated.read_bytes(), 1, 2))
    before = FileState.of(populated)
    backup = FileState.of(populated.with_name("keys.kdk.bak"))
    with pytest.raises(KeyfileTooNew) as caught:
        Vault.open(populated, PASSWORD, kdf=CHEAP)
    assert "newer version of Keydeck" in str(caught.value)
    with pytest.raises(KeyfileExists):
        Vault.create(populated, PASSWORD, kdf=CHEAP)
    assert FileState.of(populated) == before
    assert FileState.of(populated.with_name("keys.kdk.bak")) == backup


def test_newer_payload_schema_is_refused_and_left_untouched(keyfile: Path) -> None:
    Vault.create(keyfile, PASSWORD, kdf=CHEAP).close()
    reseal(keyfile, json.dumps({"schema": 2, "accounts": []}).encode())
    before = FileState.of(keyfile)
    with pytest.raises(KeyfileTooNew, match="schema 2"):
        Vault.open(keyfile, PASSWORD, kdf=CHEAP)
    assert FileState.of(keyfile) == before


@pytest.mark.parametrize(
    "document",
    [
        b"not json",
        b"[]",
        b'{"accounts": []}',
        b'{"schema": "1", "accounts": []}',
        b'{"schema": 1}',
        b'{"schema": 1, "accounts": [{"id": "x"}]}',
        b'{"schema": 1, "accounts": [1]}',
        b"\xff\xfe",
        b"[" * 100_000,
    ],
)
def test_authenticated_but_malformed_payload_is_corrupt(keyfile: Path, document: bytes) -> None:
    Vault.create(keyfile, PASSWORD, kdf=CHEAP).close()
    reseal(keyfile, document)
    with pytest.raises(KeyfileCorrupt):
        Vault.open(keyfile, PASSWORD, kdf=CHEAP)


def test_unknown_cipher_is_unsupported(populated_bytes: bytes) -> None:
    with pytest.raises(KeyfileUnsupported, match="cipher"):
        unlock(with_header_field(populated_bytes, 3, 9), PASSWORD)


@pytest.mark.parametrize(
    ("kdf_id", "first", "second", "third"),
    [
        (1, 1, (1 << 32) - 1, 1),
        (1, (1 << 32) - 1, 1 << 20, 16),
        (1, 1, 1 << 20, 0),
        (1, 0, 64, 1),
        (2, 0, 8, 1),
        (2, 60, 8, 1),
        (2, 31, (1 << 32) - 1, (1 << 32) - 1),
        (2, 20, 8, 0),
    ],
)
def test_absurd_kdf_parameters_are_rejected_in_milliseconds(
    populated_bytes: bytes, kdf_id: int, first: int, second: int, third: int
) -> None:
    fields = list(HEADER.unpack_from(populated_bytes))
    fields[2:7] = [kdf_id, 1, first, second, third]
    forged = rechecksum(HEADER.pack(*fields) + populated_bytes[HEADER_SIZE:])
    start = time.perf_counter()
    with pytest.raises(KeyfileCorrupt, match="out of range"):
        unlock(forged, PASSWORD)
    assert time.perf_counter() - start < 0.5  # loose: it must not have run the KDF


def test_format_constants_are_what_the_document_says() -> None:
    assert MAGIC == b"\x89KDK\r\n\x1a\n"
    assert HEADER_SIZE == 64 and TRAILER_SIZE == 32


def test_header_fields_are_at_the_documented_offsets(populated_bytes: bytes) -> None:
    data = populated_bytes
    header = parse_header(data)
    assert struct.unpack(">H", data[8:10]) == (1,)
    assert data[10] == header.kdf.kdf_id and data[11] == 1
    assert struct.unpack(">3I", data[12:24]) == header.kdf.fields()
    assert data[24:40] == header.salt and data[40:52] == header.nonce
    assert struct.unpack(">Q", data[52:60]) == (header.generation,)
    assert struct.unpack(">I", data[60:64]) == (len(data) - 96,)
    assert data[-32:] == hashlib.sha256(data[:-32]).digest()


def test_secrets_are_not_in_the_file_in_clear(populated_bytes: bytes) -> None:
    assert BINANCE_SECRET.encode() not in populated_bytes
    assert b"binance" not in populated_bytes


def test_opening_with_defaults_raises_weak_parameters_once(populated: Path) -> None:
    if not Argon2idParams().available:
        pytest.skip("no Argon2id")
    with Vault.open(populated, PASSWORD) as vault:  # default target: re-keys (~0.35 s)
        assert vault.kdf == Argon2idParams()
        assert vault.get("binance") is not None
    assert parse_header(populated.read_bytes()).kdf == Argon2idParams()
    assert parse_header(populated.with_name("keys.kdk.bak").read_bytes()).kdf == CHEAP
