"""The keyfile's bytes: a 64-byte header, AES-256-GCM ciphertext, a SHA-256 trailer.

    offset size field
    0      8    magic 89 4B 44 4B 0D 0A 1A 0A ("\\x89KDK\\r\\n\\x1a\\n")
    8      2    format version, u16 big-endian (1)
    10     1    KDF id: 1 Argon2id, 2 scrypt
    11     1    cipher id: 1 AES-256-GCM
    12     12   KDF parameters, three u32 (Argon2id: t, m KiB, p; scrypt: log2 N, r, p)
    24     16   salt
    40     12   nonce (fresh on every save)
    52     8    generation, u64 (+1 on every save)
    60     4    ciphertext length n, u32 (includes the 16-byte GCM tag)
    64     n    ciphertext: AES-256-GCM(key, nonce, padded JSON, associated data = bytes 0..63)
    64+n   32   SHA-256 of bytes 0..64+n (keyless: tells damage apart from a wrong password)

See docs/keyfile-format.md for the order of checks and the compatibility rules.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import struct
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from tui.vault.account import Account
from tui.vault.errors import KeyfileCorrupt, KeyfileTooNew, KeyfileUnsupported, WrongPassword
from tui.vault.guard import SecretBytes
from tui.vault.kdf import DEFAULT_CAPS, KdfCaps, KdfParams
from tui.vault.password import PasswordLike, encode_password
from tui.vault.payload import MAX_PAYLOAD, decode_payload

MAGIC = b"\x89KDK\r\n\x1a\n"
FORMAT_VERSION = 1
HEADER = struct.Struct(">8sHBB3I16s12sQI")
HEADER_SIZE = HEADER.size  # 64
SALT_SIZE = 16
NONCE_SIZE = 12
TAG_SIZE = 16
TRAILER_SIZE = 32
MINIMUM_SIZE = HEADER_SIZE + TAG_SIZE + TRAILER_SIZE
MAXIMUM_SIZE = MINIMUM_SIZE + MAX_PAYLOAD


class CipherId(IntEnum):
    AES_256_GCM = 1


@dataclass(frozen=True)
class Header:
    kdf: KdfParams
    salt: bytes
    nonce: bytes
    generation: int
    ciphertext_length: int
    version: int = FORMAT_VERSION
    cipher: int = CipherId.AES_256_GCM

    def pack(self) -> bytes:
        return HEADER.pack(
            MAGIC,
            self.version,
            self.kdf.kdf_id,
            self.cipher,
            *self.kdf.fields(),
            self.salt,
            self.nonce,
            self.generation,
            self.ciphertext_length,
        )


@dataclass(frozen=True)
class Unlocked:
    """What a successful unlock yields. `key` is the caller's to keep and wipe."""

    header: Header
    key: SecretBytes
    accounts: list[Account]
    extra: dict[str, Any]
    schema: int

    def __repr__(self) -> str:
        return f"Unlocked(generation={self.header.generation}, accounts={len(self.accounts)})"


def trailer(body: bytes) -> bytes:
    return hashlib.sha256(body).digest()


def new_salt() -> bytes:
    return os.urandom(SALT_SIZE)


def seal(
    plain: bytes | bytearray, key: bytearray, kdf: KdfParams, salt: bytes, generation: int
) -> bytes:
    """A complete keyfile holding `plain`, encrypted under `key` with a fresh nonce."""
    nonce = os.urandom(NONCE_SIZE)
    header = Header(
        kdf=kdf,
        salt=salt,
        nonce=nonce,
        generation=generation,
        ciphertext_length=len(plain) + TAG_SIZE,
    ).pack()
    body = header + AESGCM(key).encrypt(nonce, plain, header)
    return body + trailer(body)


def parse_header(data: bytes, caps: KdfCaps = DEFAULT_CAPS) -> Header:
    """Every check that needs no password, cheapest first. Raises a `VaultError`."""
    if not data:
        raise KeyfileCorrupt("the file is empty")
    if len(data) < len(MAGIC) or data[: len(MAGIC)] != MAGIC:
        raise KeyfileCorrupt("it does not start like a Keydeck keyfile")
    if len(data) > MAXIMUM_SIZE:
        raise KeyfileCorrupt("it is far larger than any keyfile")
    if len(data) < MINIMUM_SIZE:
        raise KeyfileCorrupt("it is truncated")
    version = int.from_bytes(data[8:10], "big")
    if not hmac.compare_digest(trailer(data[:-TRAILER_SIZE]), data[-TRAILER_SIZE:]):
        if version > FORMAT_VERSION:
            raise KeyfileCorrupt("its checksum does not match (damaged, or from a newer Keydeck)")
        raise KeyfileCorrupt("its checksum does not match, so it is damaged or truncated")
    if version > FORMAT_VERSION:
        raise KeyfileTooNew(f"format {version}; this version reads up to {FORMAT_VERSION}")
    if version < 1:
        raise KeyfileCorrupt(f"format version {version} does not exist")
    (_, _, kdf_id, cipher, first, second, third, salt, nonce, generation, length) = (
        HEADER.unpack_from(data)
    )
    if length != len(data) - HEADER_SIZE - TRAILER_SIZE:
        raise KeyfileCorrupt("its length does not match its header")
    if cipher != CipherId.AES_256_GCM:
        raise KeyfileUnsupported(f"it uses an unknown cipher (id {cipher})")
    try:
        kdf = KdfParams.from_fields(kdf_id, first, second, third)
    except LookupError:
        raise KeyfileUnsupported(
            f"it uses an unknown key-derivation method (id {kdf_id})"
        ) from None
    problem = kdf.problem(caps)
    if problem is not None:
        raise KeyfileCorrupt(f"its key-derivation parameters are out of range ({problem})")
    if not kdf.available:
        raise KeyfileUnsupported(f"it uses {kdf}, which this installation cannot compute")
    return Header(
        kdf=kdf,
        salt=salt,
        nonce=nonce,
        generation=generation,
        ciphertext_length=length,
        version=version,
        cipher=cipher,
    )


def derive_key(kdf: KdfParams, salt: bytes, password: PasswordLike) -> SecretBytes:
    encoded = encode_password(password)
    try:
        return kdf.derive(encoded, salt)
    finally:
        encoded.wipe()


def decrypt(data: bytes, header: Header, key: bytearray) -> SecretBytes:
    """The padded plaintext. A failing tag (with a good trailer) means a wrong password."""
    ciphertext = data[HEADER_SIZE:-TRAILER_SIZE]
    try:
        return SecretBytes(AESGCM(key).decrypt(header.nonce, ciphertext, data[:HEADER_SIZE]))
    except InvalidTag:
        raise WrongPassword() from None


def unlock(data: bytes, password: PasswordLike, caps: KdfCaps = DEFAULT_CAPS) -> Unlocked:
    """Parse, derive (one KDF run), decrypt and decode a keyfile held in memory."""
    header = parse_header(data, caps)
    key = derive_key(header.kdf, header.salt, password)
    try:
        accounts, extra, schema = read_payload(data, header, key)
    except BaseException:
        key.wipe()
        raise
    return Unlocked(header=header, key=key, accounts=accounts, extra=extra, schema=schema)


def read_payload(
    data: bytes, header: Header, key: bytearray
) -> tuple[list[Account], dict[str, Any], int]:
    """Decrypt and decode with a key already derived (a reload reuses the open vault's key)."""
    plain = decrypt(data, header, key)
    try:
        return decode_payload(plain)
    finally:
        plain.wipe()
