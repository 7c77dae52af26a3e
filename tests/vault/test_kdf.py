"""Key derivation: known-answer vectors, the cost of the default, caps and floors."""

from __future__ import annotations

import time

import pytest

from tui.vault import Argon2idParams, KdfCaps, KdfParams, ScryptParams, argon2_available
from tui.vault.container import derive_key
from tui.vault.kdf import DEFAULT_CAPS

needs_argon2 = pytest.mark.skipif(not argon2_available(), reason="OpenSSL without Argon2id")


@needs_argon2
def test_rfc9106_argon2id_vector_from_the_backend() -> None:
    """RFC 9106 section 5.3: the primitive our Argon2id parameters run on."""
    from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

    tag = Argon2id(
        salt=b"\x02" * 16,
        length=32,
        iterations=3,
        lanes=4,
        memory_cost=32,
        ad=b"\x04" * 12,
        secret=b"\x03" * 8,
    ).derive(b"\x01" * 32)
    assert tag.hex() == "0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659"


@needs_argon2
@pytest.mark.parametrize(
    ("time_cost", "memory_kib", "lanes", "expected"),
    [
        # The Argon2 reference implementation's Argon2id v1.3 vectors ("password", "somesalt").
        (2, 1 << 8, 1, "9dfeb910e80bad0311fee20f9c0e2b12c17987b4cac90c2ef54d5b3021c68bfe"),
        (2, 1 << 8, 2, "6d093c501fd5999645e0ea3bf620d7b8be7fd2db59c20d9fff9539da2bf57037"),
        (2, 1 << 16, 1, "09316115d5cf24ed5a15a31a3ba326e5cf32edc24702987c02b6566f61913cf7"),
    ],
)
def test_argon2id_params_derive_known_answers(
    time_cost: int, memory_kib: int, lanes: int, expected: str
) -> None:
    params = Argon2idParams(time_cost=time_cost, memory_kib=memory_kib, lanes=lanes)
    assert derive_key(params, b"somesalt", "password").hex() == expected


@pytest.mark.parametrize(
    ("password", "salt", "log_n", "r", "p", "expected_prefix"),
    [
        # RFC 7914 section 12; our key is the first 32 of the vector's 64 bytes (PBKDF2 blocks).
        (
            "password",
            b"NaCl",
            10,
            8,
            16,
            "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b373162",
        ),
        (
            "pleaseletmein",
            b"SodiumChloride",
            14,
            8,
            1,
            "7023bdcb3afd7348461c06cd81fd38ebfda8fbba904f8e3ea9b543f6545da1f2",
        ),
    ],
)
def test_scrypt_params_derive_rfc7914_vectors(
    password: str, salt: bytes, log_n: int, r: int, p: int, expected_prefix: str
) -> None:
    params = ScryptParams(log_n=log_n, r=r, p=p)
    assert derive_key(params, salt, password).hex() == expected_prefix


def test_rfc7914_first_vector_from_the_backend() -> None:
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    key = Scrypt(salt=b"", length=64, n=16, r=1, p=1).derive(b"")
    assert key.hex().startswith("77d6576238657b203b19ca42c18a0497f16b4844e3074ae8dfdffa3fede21442")


def test_password_is_nfc_normalised() -> None:
    composed = "Pässwort"  # U+00E4
    decomposed = "Pa\u0308sswort"  # a + combining diaeresis
    params = KdfParams.insecure_fast()
    assert derive_key(params, b"s" * 16, composed) == derive_key(params, b"s" * 16, decomposed)


@pytest.mark.slow
def test_default_costs_between_a_fifth_and_one_second() -> None:
    """Measured in process CPU time, so that other jobs on a shared machine do not decide the
    outcome (under load, wall time triples); on an idle 2-core machine wall time is ~0.35 s."""
    params = KdfParams.default()
    assert params.meets_floor()
    timings = []
    for _ in range(2):
        start = time.process_time()
        derive_key(params, b"s" * 16, "a password")
        timings.append(time.process_time() - start)
    assert 0.2 <= min(timings) <= 1.0, timings


def test_default_is_argon2id_at_or_above_rfc9106_second_recommendation() -> None:
    params = KdfParams.default()
    if argon2_available():
        assert isinstance(params, Argon2idParams)
        assert params.time_cost >= 3 and params.memory_kib >= 64 * 1024 and params.lanes >= 4
    else:
        assert isinstance(params, ScryptParams) and params.log_n >= 17


@pytest.mark.parametrize(
    "params",
    [
        Argon2idParams(time_cost=0, memory_kib=1024, lanes=1),
        Argon2idParams(time_cost=17, memory_kib=1024, lanes=1),
        Argon2idParams(time_cost=1, memory_kib=(1 << 32) - 1, lanes=1),
        Argon2idParams(time_cost=1, memory_kib=(1 << 20) + 1, lanes=1),
        Argon2idParams(time_cost=8, memory_kib=1 << 20, lanes=1),  # 8 GiB-passes of work
        Argon2idParams(time_cost=1, memory_kib=64, lanes=0),
        Argon2idParams(time_cost=1, memory_kib=8, lanes=2),  # below 8 KiB per lane
        ScryptParams(log_n=0, r=8, p=1),
        ScryptParams(log_n=60, r=8, p=1),
        ScryptParams(log_n=20, r=16, p=1),
        ScryptParams(log_n=14, r=0, p=1),
        ScryptParams(log_n=14, r=8, p=0),
        ScryptParams(log_n=20, r=8, p=16),
        ScryptParams(log_n=16, r=1, p=1),  # RFC 7914: N < 2^(16 r)
        ScryptParams(log_n=20, r=1, p=1),
        ScryptParams(log_n=20, r=8, p=2),  # 2 GiB of scrypt work: ~6 s
        ScryptParams(log_n=17, r=8, p=9),
        Argon2idParams(time_cost=4, memory_kib=1 << 20, lanes=1),  # 4 GiB-passes: ~4.2 s
        Argon2idParams(time_cost=13, memory_kib=1 << 18, lanes=1),
    ],
    ids=str,
)
def test_caps_refuse_absurd_parameters(params: KdfParams) -> None:
    assert params.problem() is not None


@pytest.mark.parametrize(
    "params",
    [
        # The corners of the caps, each about 3 s or less (benchmarks/kdf_worst_case.py).
        Argon2idParams(time_cost=3, memory_kib=1 << 20, lanes=1),
        Argon2idParams(time_cost=12, memory_kib=1 << 18, lanes=16),
        ScryptParams(log_n=20, r=8, p=1),
        ScryptParams(log_n=17, r=8, p=8),
        ScryptParams(log_n=14, r=32, p=16),
        ScryptParams(log_n=15, r=1, p=16),
    ],
    ids=str,
)
def test_caps_accept_their_corners(params: KdfParams) -> None:
    assert params.problem() is None


def test_rfc7914_bound_is_where_the_backend_refuses() -> None:
    """N < 2^(16 r): the last N below the bound derives, the first at it fails in OpenSSL
    with MemoryError, which is why the caps must refuse it before any derivation."""
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    assert len(ScryptParams(log_n=15, r=1, p=1).derive(b"pw", b"s" * 16)) == 32
    with pytest.raises((MemoryError, ValueError)):
        Scrypt(salt=b"s" * 16, length=32, n=1 << 16, r=1, p=1).derive(b"pw")
    for r in range(1, DEFAULT_CAPS.max_scrypt_r + 1):
        for log_n in range(1, DEFAULT_CAPS.max_scrypt_log_n + 1):
            refused = ScryptParams(log_n=log_n, r=r, p=1).problem() is not None
            if log_n >= 16 * r:
                assert refused, (log_n, r)


def test_caps_accept_the_defaults_and_can_be_tightened() -> None:
    assert Argon2idParams().problem() is None
    assert ScryptParams().problem() is None
    tight = KdfCaps(max_memory_kib=1024)
    assert Argon2idParams().problem(tight) is not None


def test_floor_and_weaker_than() -> None:
    assert not KdfParams.insecure_fast().meets_floor()
    assert Argon2idParams(time_cost=3, memory_kib=64 * 1024, lanes=4).meets_floor()
    assert Argon2idParams(time_cost=1, memory_kib=64, lanes=1).is_weaker_than(Argon2idParams())
    assert not Argon2idParams().is_weaker_than(Argon2idParams(time_cost=1, memory_kib=64))
    # Never "upgraded" across algorithms: a scrypt-only machine must still open the file.
    assert not ScryptParams(log_n=4, r=1).is_weaker_than(Argon2idParams())
