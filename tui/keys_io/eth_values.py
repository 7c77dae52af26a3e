"""Hummingbot's secure values: the hex encoding of an Ethereum v3 keyfile JSON
(PBKDF2-HMAC-SHA256, AES-128-CTR, keccak MAC), read, bounded and decrypted with eth-keyfile.

Reading a value (`parse_value`) is cheap and checks its key-derivation parameters; only
`decrypt_document` runs the derivation. `derivation_cost` and `derivation_memory` let the
reader refuse a directory whose values together would take too long or too much memory
before any derivation starts.
"""

from __future__ import annotations

import binascii
import json
import sys
from typing import Any

# A file could ask for any work factor; these bound the time and memory one value may take
# (Hummingbot writes PBKDF2 with 1,000,000 rounds and dklen 32; eth-keyfile's scrypt default
# is n=2^18, r=8, p=1: 256 MiB).
MAX_PBKDF2_ROUNDS = 5_000_000
MAX_SCRYPT_N = 1 << 18
MAX_SCRYPT_R = 8
MAX_SCRYPT_P = 1
DKLEN_RANGE = (32, 64)  # the MAC uses bytes 16..32 of the derived key
MAX_VALUE_CHARS = 64 * 1024  # a secure value is a few hundred hex characters
SCRYPT_ROUNDS_PER_UNIT = 2.5
"""One unit of scrypt work (n * r * p) costs about 2.5 PBKDF2-HMAC-SHA256 rounds (measured:
n=2^18, r=8 took 2.6 s where 1,000,000 PBKDF2 rounds took 0.55 s, on the same core)."""


class WrongPassword(Exception):
    """The value's MAC does not match: encrypted with another password."""


def import_eth_keyfile() -> Any:
    """eth-keyfile, imported without its side effect: its dependency py_ecc raises the
    recursion limit to 100,000 on import, after which a deeply nested JSON answer crashes
    the whole process (a C stack overflow) instead of raising RecursionError."""
    limit = sys.getrecursionlimit()
    try:
        import eth_keyfile
    finally:
        sys.setrecursionlimit(limit)
    return eth_keyfile


def parse_value(hex_text: str) -> dict[str, Any]:
    """The key-normalised v3 document of one secure value, its work factor checked;
    ValueError (a reason without the value) when it is not such a value."""
    import_eth_keyfile()
    from eth_keyfile.keyfile import normalize_keys

    if len(hex_text) > MAX_VALUE_CHARS:
        raise ValueError("not an encrypted Hummingbot value (far too long)")
    try:
        raw = json.loads(binascii.unhexlify(hex_text.strip()).decode("utf-8"))
        # eth-keyfile lower-cases every key before it reads one ("C" -> "c", "Crypto" ->
        # "crypto", the last one winning): check exactly what it will use.
        document = normalize_keys(raw) if isinstance(raw, dict) else None
    except (binascii.Error, UnicodeDecodeError, ValueError, RecursionError):
        raise ValueError("not an encrypted Hummingbot value") from None
    if not isinstance(document, dict) or document.get("version") != 3:
        raise ValueError("not a version 3 keyfile value")
    _check_work_factor(document)
    return document


def decrypt_document(document: dict[str, Any], password: str) -> str:
    """The plain text of a document from `parse_value` (runs the derivation).
    `WrongPassword` on a MAC mismatch, ValueError when it cannot be decrypted."""
    eth_keyfile = import_eth_keyfile()
    try:
        plain = eth_keyfile.decode_keyfile_json(document, password.encode("utf-8"))
    except Exception as error:
        if "MAC mismatch" in str(error):
            raise WrongPassword from None
        raise ValueError("damaged encrypted value") from None
    try:
        return bytes(plain).decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError("the decrypted value is not text") from None


def decrypt_value(hex_text: str, password: str) -> str:
    """One secure value: hex -> v3 keyfile JSON -> plain text."""
    return decrypt_document(parse_value(hex_text), password)


def derivation_cost(document: dict[str, Any]) -> int:
    """The derivation's work in PBKDF2-HMAC-SHA256 rounds (scrypt converted)."""
    crypto = document["crypto"]
    params = crypto["kdfparams"]
    if crypto["kdf"] == "pbkdf2":
        return int(params["c"])
    return int(params["n"] * params["r"] * params["p"] * SCRYPT_ROUNDS_PER_UNIT)


def derivation_memory(document: dict[str, Any]) -> int:
    """Bytes the derivation needs (scrypt: 128 * n * r; PBKDF2: next to nothing)."""
    crypto = document["crypto"]
    if crypto["kdf"] == "scrypt":
        return 128 * crypto["kdfparams"]["n"] * crypto["kdfparams"]["r"]
    return 0


def _check_work_factor(document: dict[str, Any]) -> None:
    """The KDF parameters of a key-normalised v3 document, bounded in time and memory."""
    crypto = document.get("crypto")
    if not isinstance(crypto, dict) or not isinstance(crypto.get("kdfparams"), dict):
        raise ValueError("damaged encrypted value")
    params = crypto["kdfparams"]
    kdf = crypto.get("kdf")
    if kdf == "pbkdf2":
        bounds = {"c": (1, MAX_PBKDF2_ROUNDS)}
        if params.get("prf") != "hmac-sha256":
            raise ValueError("unsupported key-derivation function")
    elif kdf == "scrypt":
        bounds = {"n": (2, MAX_SCRYPT_N), "r": (1, MAX_SCRYPT_R), "p": (1, MAX_SCRYPT_P)}
    else:
        raise ValueError("unsupported key-derivation function")
    for name, (low, high) in {**bounds, "dklen": DKLEN_RANGE}.items():
        value = params.get(name)
        if type(value) is not int or not low <= value <= high:
            raise ValueError("unreasonable key-derivation parameters")
