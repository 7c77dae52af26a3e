"""Password -> key: Argon2id (default) or scrypt (fallback where OpenSSL lacks Argon2).

Parameters read from a file are checked against `KdfCaps` before anything is derived, so a
hostile file cannot make an unlock take minutes or gigabytes.
"""

from __future__ import annotations

import functools
from abc import ABC, abstractmethod
from dataclasses import dataclass
from enum import IntEnum
from typing import ClassVar, cast

from tui.vault.guard import SecretBytes

KEY_LENGTH = 32  # AES-256


class KdfId(IntEnum):
    ARGON2ID = 1
    SCRYPT = 2


@dataclass(frozen=True)
class KdfCaps:
    """Upper bounds accepted when reading, so the worst unlock is about 3 s and 1 GiB.

    Work is the memory filled times the passes over it. Measured on a 2-core machine
    (`python -m benchmarks.kdf_worst_case`): Argon2id costs ~1 s per GiB-pass whatever the
    lanes (they share the memory and run in parallel), so t x m is capped; scrypt costs
    ~3 s per GiB (128 r N bytes, once per p, one after the other), so 128 r N p is capped.
    """

    max_memory_kib: int = 1 << 20  # 1 GiB
    max_work_kib: int = 3 << 20  # Argon2id t x m: t=3 at 1 GiB, or t=12 at 256 MiB (~3 s)
    max_time_cost: int = 16
    max_parallelism: int = 16
    max_scrypt_log_n: int = 20
    max_scrypt_r: int = 32
    max_scrypt_work_kib: int = 1 << 20  # scrypt 128 r N p: N=2^20 r=8 p=1 (~3.0 s)


DEFAULT_CAPS = KdfCaps()


class KdfParams(ABC):
    """Key-derivation parameters as stored in the keyfile header (three u32 fields)."""

    kdf_id: ClassVar[KdfId]

    @abstractmethod
    def fields(self) -> tuple[int, int, int]:
        """The three header fields, in header order."""

    @abstractmethod
    def problem(self, caps: KdfCaps = DEFAULT_CAPS) -> str | None:
        """Why these parameters are invalid or over the caps, or None if they are fine."""

    @abstractmethod
    def meets_floor(self) -> bool:
        """At least as strong as the minimum Keydeck ever writes by default."""

    @abstractmethod
    def is_weaker_than(self, target: KdfParams) -> bool:
        """Same algorithm and cheaper than `target`: worth re-keying to `target`."""

    @abstractmethod
    def derive(self, password: bytes | bytearray, salt: bytes) -> SecretBytes:
        """The 32-byte key. `password` is the NFC-normalised UTF-8 password."""

    @property
    @abstractmethod
    def available(self) -> bool:
        """Whether this installation can compute this KDF."""

    @staticmethod
    def from_fields(kdf_id: int, first: int, second: int, third: int) -> KdfParams:
        """Parameters from header fields. Raises LookupError for an unknown KDF id."""
        if kdf_id == KdfId.ARGON2ID:
            return Argon2idParams(time_cost=first, memory_kib=second, lanes=third)
        if kdf_id == KdfId.SCRYPT:
            return ScryptParams(log_n=first, r=second, p=third)
        raise LookupError(kdf_id)

    @staticmethod
    def default() -> KdfParams:
        """What new keyfiles use: Argon2id t=3, 128 MiB, p=4 (~0.35 s here), else scrypt."""
        return Argon2idParams() if argon2_available() else ScryptParams()

    @staticmethod
    def insecure_fast() -> KdfParams:
        """Microsecond parameters for tests and throwaway demo keyfiles. Never for real keys."""
        if argon2_available():
            return Argon2idParams(time_cost=1, memory_kib=64, lanes=1)
        return ScryptParams(log_n=4, r=1, p=1)


@dataclass(frozen=True)
class Argon2idParams(KdfParams):
    """Argon2id v1.3 (RFC 9106). Floor: RFC 9106's second recommendation, t=3, 64 MiB."""

    kdf_id: ClassVar[KdfId] = KdfId.ARGON2ID
    time_cost: int = 3
    memory_kib: int = 128 * 1024
    lanes: int = 4

    def fields(self) -> tuple[int, int, int]:
        return (self.time_cost, self.memory_kib, self.lanes)

    def problem(self, caps: KdfCaps = DEFAULT_CAPS) -> str | None:
        t, m, p = self.fields()
        if not 1 <= t <= caps.max_time_cost:
            return f"Argon2id time cost {t} is outside 1..{caps.max_time_cost}"
        if not 1 <= p <= caps.max_parallelism:
            return f"Argon2id parallelism {p} is outside 1..{caps.max_parallelism}"
        if not 8 * p <= m <= caps.max_memory_kib:
            return f"Argon2id memory {m} KiB is outside {8 * p}..{caps.max_memory_kib} KiB"
        if t * m > caps.max_work_kib:
            return f"Argon2id work {t} x {m} KiB is over the cap of {caps.max_work_kib} KiB"
        return None

    def meets_floor(self) -> bool:
        return self.time_cost >= 3 and self.memory_kib >= 64 * 1024

    def is_weaker_than(self, target: KdfParams) -> bool:
        return isinstance(target, Argon2idParams) and (
            self.time_cost < target.time_cost or self.memory_kib < target.memory_kib
        )

    @property
    def available(self) -> bool:
        return argon2_available()

    def derive(self, password: bytes | bytearray, salt: bytes) -> SecretBytes:
        from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

        kdf = Argon2id(
            salt=salt,
            length=KEY_LENGTH,
            iterations=self.time_cost,
            lanes=self.lanes,
            memory_cost=self.memory_kib,
        )
        # Any buffer works (its stub says bytes): a bytearray password can be wiped after.
        return SecretBytes(kdf.derive(cast(bytes, password)))

    def __str__(self) -> str:
        return f"Argon2id t={self.time_cost} m={self.memory_kib} KiB p={self.lanes}"


@dataclass(frozen=True)
class ScryptParams(KdfParams):
    """scrypt (RFC 7914), N = 2**log_n. Floor: N=2^17, r=8 (~0.5 s, 128 MiB here)."""

    kdf_id: ClassVar[KdfId] = KdfId.SCRYPT
    log_n: int = 17
    r: int = 8
    p: int = 1

    def fields(self) -> tuple[int, int, int]:
        return (self.log_n, self.r, self.p)

    def problem(self, caps: KdfCaps = DEFAULT_CAPS) -> str | None:
        log_n, r, p = self.fields()
        if not 1 <= log_n <= caps.max_scrypt_log_n:
            return f"scrypt log2(N) {log_n} is outside 1..{caps.max_scrypt_log_n}"
        if not 1 <= r <= caps.max_scrypt_r:
            return f"scrypt r {r} is outside 1..{caps.max_scrypt_r}"
        if log_n >= 16 * r:  # RFC 7914 section 2: N < 2^(128 r / 8); OpenSSL refuses it
            return f"scrypt N=2^{log_n} is not below 2^(16 r) = 2^{16 * r} (RFC 7914)"
        if not 1 <= p <= caps.max_parallelism:
            return f"scrypt p {p} is outside 1..{caps.max_parallelism}"
        memory_kib = (128 * r << log_n) // 1024
        if memory_kib > caps.max_memory_kib:
            return f"scrypt memory {memory_kib} KiB is over the cap of {caps.max_memory_kib} KiB"
        if memory_kib * p > caps.max_scrypt_work_kib:
            return (
                f"scrypt work {p} x {memory_kib} KiB is over the cap of "
                f"{caps.max_scrypt_work_kib} KiB"
            )
        return None

    def meets_floor(self) -> bool:
        return self.log_n >= 17 and self.r >= 8

    def is_weaker_than(self, target: KdfParams) -> bool:
        return isinstance(target, ScryptParams) and (self.log_n < target.log_n or self.r < target.r)

    @property
    def available(self) -> bool:
        return True

    def derive(self, password: bytes | bytearray, salt: bytes) -> SecretBytes:
        from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

        kdf = Scrypt(salt=salt, length=KEY_LENGTH, n=1 << self.log_n, r=self.r, p=self.p)
        return SecretBytes(kdf.derive(password))

    def __str__(self) -> str:
        return f"scrypt N=2^{self.log_n} r={self.r} p={self.p}"


@functools.cache
def argon2_available() -> bool:
    """Argon2id needs cryptography >= 44 built against OpenSSL >= 3.2."""
    try:
        from cryptography.exceptions import UnsupportedAlgorithm
        from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
    except ImportError:
        return False
    try:
        Argon2id(salt=b"\0" * 16, length=32, iterations=1, lanes=1, memory_cost=8).derive(b"x")
    except UnsupportedAlgorithm:
        return False
    return True
