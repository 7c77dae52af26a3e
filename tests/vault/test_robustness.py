"""Damaged and hostile keyfiles: every bit flip, every truncation, garbage, fuzzing.

Whatever the bytes, reading raises a `VaultError` subclass: never returns wrong data, never
raises anything else, never takes long.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.vault.conftest import CHEAP, PASSWORD, FileState
from tui.vault import (
    KdfCaps,
    KeyfileCorrupt,
    KeyfileTooNew,
    Vault,
    VaultError,
)
from tui.vault.container import HEADER, HEADER_SIZE, MAGIC, TRAILER_SIZE, trailer, unlock
from tui.vault.payload import decode_payload

# Tight caps for tests that recompute the trailer: a forged header may then ask for up to
# 4 MiB, not the 1 GiB real files may, so thousands of attempts stay fast.
TIGHT = KdfCaps(
    max_memory_kib=4096,
    max_work_kib=8192,
    max_time_cost=4,
    max_scrypt_log_n=12,
    max_scrypt_work_kib=8192,
)
FUZZ = settings(
    max_examples=300,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def rechecksum(data: bytes | bytearray) -> bytes:
    body = bytes(data[:-TRAILER_SIZE])
    return body + trailer(body)


def flipped(data: bytes, bit: int) -> bytes:
    damaged = bytearray(data)
    damaged[bit // 8] ^= 1 << (bit % 8)
    return bytes(damaged)


def error_of(data: bytes, caps: KdfCaps | None = None) -> type[BaseException] | None:
    """The exception type reading `data` raises, or None if it opened."""
    try:
        unlock(data, PASSWORD, caps or KdfCaps())
    except VaultError as error:
        return type(error)
    return None


@pytest.mark.slow
def test_every_single_bit_flip_is_reported_as_damage(populated_bytes: bytes) -> None:
    """33,664 flips of a real keyfile: the keyless checksum catches each one before any KDF."""
    outcomes = {error_of(flipped(populated_bytes, bit)) for bit in range(len(populated_bytes) * 8)}
    assert outcomes == {KeyfileCorrupt}


@pytest.mark.slow
def test_bit_flips_through_vault_open_leave_the_file_untouched(populated: Path) -> None:
    original = populated.read_bytes()
    for bit in range(0, len(original) * 8, 89):
        populated.write_bytes(flipped(original, bit))
        before = FileState.of(populated)
        with pytest.raises(KeyfileCorrupt):
            Vault.open(populated, PASSWORD, kdf=CHEAP)
        assert FileState.of(populated) == before
    assert sorted(p.name for p in populated.parent.iterdir()) == [
        "keys.kdk",
        "keys.kdk.bak",
        "keys.kdk.lock",
    ]


@pytest.mark.slow
def test_deliberate_bit_flips_with_a_recomputed_checksum_fail_authentication(
    populated_bytes: bytes,
) -> None:
    """An attacker can fix the keyless trailer; the header is still bound by GCM."""
    data = populated_bytes
    header_bits = range(HEADER_SIZE * 8)
    tag_bits = range((len(data) - TRAILER_SIZE - 16) * 8, (len(data) - TRAILER_SIZE) * 8)
    ciphertext_bits = range(HEADER_SIZE * 8, (len(data) - TRAILER_SIZE) * 8, 11)
    for bit in [*header_bits, *tag_bits, *ciphertext_bits]:
        outcome = error_of(rechecksum(flipped(data, bit)), TIGHT)
        assert outcome is not None and issubclass(outcome, VaultError), bit


@pytest.mark.slow
def test_every_truncation_is_reported_as_damage(populated_bytes: bytes) -> None:
    outcomes = {error_of(populated_bytes[:length]) for length in range(len(populated_bytes))}
    assert outcomes == {KeyfileCorrupt}


@pytest.mark.parametrize(
    "tail",
    [b"\x00", b"\n", b"x" * 31, b"x" * 32, os.urandom(1024), "self"],
    ids=["nul", "newline", "31", "32", "1KiB", "copy-of-itself"],
)
def test_appended_garbage_is_reported_as_damage(populated_bytes: bytes, tail: bytes | str) -> None:
    extra = populated_bytes if tail == "self" else tail
    assert error_of(populated_bytes + extra) is KeyfileCorrupt  # type: ignore[operator]


@pytest.mark.parametrize(
    "content",
    [b"", b"\x00" * 4208, b"\xff" * 4208, MAGIC, MAGIC + b"\x00" * 4200, b"KEYDECK", b"{}"],
    ids=["empty", "zeroed", "ones", "magic-only", "magic-and-zeros", "text", "json"],
)
def test_empty_zeroed_and_foreign_files(keyfile: Path, content: bytes) -> None:
    keyfile.parent.mkdir(mode=0o700)
    keyfile.write_bytes(content)
    os.chmod(keyfile, 0o600)
    with pytest.raises(KeyfileCorrupt):
        Vault.open(keyfile, PASSWORD, kdf=CHEAP)
    assert keyfile.read_bytes() == content


def test_a_huge_file_is_refused_without_reading_it(keyfile: Path) -> None:
    keyfile.parent.mkdir(mode=0o700)
    with open(keyfile, "wb") as handle:
        handle.write(MAGIC)
        handle.truncate(64 * 1024 * 1024)  # sparse
    os.chmod(keyfile, 0o600)
    with pytest.raises(KeyfileCorrupt, match="larger"):
        Vault.open(keyfile, PASSWORD, kdf=CHEAP)


@pytest.mark.slow
@FUZZ
@given(data=st.binary(max_size=5000))
def test_fuzz_random_bytes(data: bytes) -> None:
    assert error_of(data) is not None


@pytest.mark.slow
@FUZZ
@given(tail=st.binary(max_size=5000), version=st.integers(0, 3))
def test_fuzz_random_bytes_after_a_valid_magic(tail: bytes, version: int) -> None:
    data = MAGIC + version.to_bytes(2, "big") + tail
    assert error_of(data) is not None
    assert error_of(rechecksum(data + bytes(32)), TIGHT) is not None


@pytest.mark.slow
@FUZZ
@given(
    changes=st.lists(st.tuples(st.integers(0, 4207), st.integers(0, 255)), min_size=1, max_size=8),
    cut=st.integers(0, 64),
)
def test_fuzz_mutations_of_a_real_keyfile(
    populated_bytes: bytes, changes: list[tuple[int, int]], cut: int
) -> None:
    damaged = bytearray(populated_bytes)
    for position, value in changes:
        damaged[position % len(damaged)] = value
    damaged = damaged[: len(damaged) - cut]
    if bytes(damaged) == populated_bytes:
        return
    assert error_of(bytes(damaged)) is KeyfileCorrupt
    forged = rechecksum(damaged)
    if cut == 0 and forged != populated_bytes:  # a change in the trailer alone is undone
        assert error_of(forged, TIGHT) is not None


u32 = st.integers(0, 2**32 - 1)


@pytest.mark.slow
@FUZZ
@given(
    kdf_id=st.integers(0, 255),
    cipher=st.integers(0, 255),
    params=st.tuples(
        st.one_of(st.integers(0, 20), u32),
        st.one_of(st.integers(0, 5000), u32),
        st.one_of(st.integers(0, 20), u32),
    ),
    generation=st.integers(0, 2**64 - 1),
    body=st.binary(min_size=16, max_size=5000),
)
def test_fuzz_forged_headers_with_valid_checksums(
    kdf_id: int, cipher: int, params: tuple[int, int, int], generation: int, body: bytes
) -> None:
    header = HEADER.pack(
        MAGIC, 1, kdf_id, cipher, *params, b"s" * 16, b"n" * 12, generation, len(body)
    )
    outcome = error_of(rechecksum(header + body + bytes(32)), TIGHT)
    assert outcome is not None


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=6,
)
record_fields = st.fixed_dictionaries(
    {},
    optional={
        "id": json_values | st.text(max_size=12),
        "exchange": json_values | st.sampled_from(["binance", "okx", "Bad Id", ""]),
        "label": json_values | st.text(max_size=12),
        "credentials": json_values | st.dictionaries(st.text(max_size=8), st.text(max_size=8)),
        "sandbox": json_values,
        "endpoint": json_values,
        "created_at": json_values | st.just("2025-01-01T00:00:00+00:00"),
        "updated_at": json_values | st.just("2025-01-01T00:00:00"),
        "verified_at": json_values,
        "acknowledged": json_values,
        "notes": json_values,
    },
)


@pytest.mark.slow
@settings(FUZZ, max_examples=150)
@given(
    schema=json_values | st.integers(-2, 3),
    accounts=json_values | st.lists(record_fields, max_size=3),
    raw=st.booleans(),
    junk=st.binary(max_size=50),
)
def test_fuzz_the_payload_parser(schema: object, accounts: object, raw: bool, junk: bytes) -> None:
    document = junk if raw else json.dumps({"schema": schema, "accounts": accounts}).encode()
    try:
        decoded, _, _ = decode_payload(document)
    except (KeyfileCorrupt, KeyfileTooNew):
        return
    assert schema == 1 and isinstance(accounts, list) and len(decoded) == len(accounts)
