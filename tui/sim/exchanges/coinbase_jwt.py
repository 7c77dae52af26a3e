"""Coinbase CDP API keys and the ES256 JWTs that authenticate each request.

A CDP key is a name (`organizations/<org>/apiKeys/<id>`) and an EC P-256 private key in PEM.
The JWT header names the key (`kid`) and carries a random `nonce`; the claims say who
(`sub`, `iss` "cdp" or "coinbase-cloud"), when (`nbf`, `exp`, at most 120 s apart) and for
which request (`uri` = "METHOD host/path", or a `uris` list).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import uuid
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from tui.sim.errors import ErrorKind, SimError

JWT_ISSUERS = frozenset({"cdp", "coinbase-cloud"})
JWT_MAX_LIFETIME_S = 120
_P256_ORDER = int("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", 16)


# --- keys ---------------------------------------------------------------------------------


def derive_cdp_key(seed: str) -> tuple[str, str]:
    """A deterministic CDP key (name, SEC1 PEM private key) for demo and test accounts."""
    digest = hashlib.sha512(f"keydeck-sim/coinbase/{seed}".encode()).digest()
    org = uuid.UUID(bytes=digest[:16], version=4)
    key_id = uuid.UUID(bytes=digest[16:32], version=4)
    scalar = int.from_bytes(digest[32:], "big") % (_P256_ORDER - 1) + 1
    private_key = ec.derive_private_key(scalar, ec.SECP256R1())
    pem = private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    ).decode()
    return f"organizations/{org}/apiKeys/{key_id}", pem


def public_key_of(pem: str) -> ec.EllipticCurvePublicKey:
    """The public half of a PEM EC private key; ValueError if it is not one."""
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise ValueError("not an EC private key")
    return key.public_key()


# --- JWT ----------------------------------------------------------------------------------


def _b64url_decode(part: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
    except (binascii.Error, ValueError) as error:
        raise SimError(ErrorKind.BAD_REQUEST, "JWT part is not base64url") from error


def _json_part(part: str) -> dict[str, Any]:
    try:
        value = json.loads(_b64url_decode(part))
    except ValueError as error:
        raise SimError(ErrorKind.BAD_REQUEST, "JWT part is not JSON") from error
    if not isinstance(value, dict):
        raise SimError(ErrorKind.BAD_REQUEST, "JWT part is not an object")
    return value


def jwt_kid(token: str) -> str | None:
    """The key name in an (unverified) JWT header, or None when the token is unreadable."""
    try:
        kid = _json_part(token.split(".")[0]).get("kid")
    except SimError:
        return None
    return kid if isinstance(kid, str) else None


def verify_cdp_jwt(
    token: str,
    public_key: ec.EllipticCurvePublicKey,
    *,
    key_name: str,
    now_s: int,
    allowed_uris: set[str],
) -> dict[str, Any]:
    """Check a CDP ES256 JWT as Coinbase does and return its claims; raise SimError if not."""
    parts = token.split(".")
    if len(parts) != 3:
        raise SimError(ErrorKind.BAD_REQUEST, "not a JWT")
    header, claims = _json_part(parts[0]), _json_part(parts[1])
    if header.get("alg") != "ES256":
        raise SimError(ErrorKind.BAD_SIGNATURE, f"unsupported alg {header.get('alg')!r}")
    if header.get("kid") != key_name:
        raise SimError(ErrorKind.BAD_KEY, "kid does not name the key")
    if not header.get("nonce"):
        raise SimError(ErrorKind.BAD_REQUEST, "JWT header has no nonce")
    raw = _b64url_decode(parts[2])
    if len(raw) != 64:
        raise SimError(ErrorKind.BAD_SIGNATURE, "ES256 signature must be 64 bytes")
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    try:
        public_key.verify(der, f"{parts[0]}.{parts[1]}".encode(), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature as error:
        raise SimError(ErrorKind.BAD_SIGNATURE) from error
    if claims.get("iss") not in JWT_ISSUERS:
        raise SimError(ErrorKind.BAD_SIGNATURE, f"issuer {claims.get('iss')!r}")
    if claims.get("sub") != key_name:
        raise SimError(ErrorKind.BAD_KEY, "sub does not name the key")
    nbf, exp = claims.get("nbf"), claims.get("exp")
    if not isinstance(nbf, int) or not isinstance(exp, int):
        raise SimError(ErrorKind.BAD_REQUEST, "nbf and exp must be integers")
    if exp - nbf > JWT_MAX_LIFETIME_S:
        raise SimError(ErrorKind.BAD_REQUEST, "JWT lives longer than 120 s")
    if now_s < nbf or now_s >= exp:
        raise SimError(ErrorKind.TIMESTAMP, f"token valid {nbf}..{exp}, server time {now_s}")
    uris = claims.get("uris") if "uris" in claims else [claims.get("uri")]
    if not isinstance(uris, list) or not any(u in allowed_uris for u in uris):
        raise SimError(ErrorKind.BAD_SIGNATURE, "uri claim does not match the request")
    return claims


def request_uris(method: str, host: str, full_path: str) -> set[str]:
    """The `uri` claims that name this request: "GET host/path", with or without scheme."""
    bare = f"{host}{full_path}"
    return {f"{method} {bare}", f"{method} http://{bare}", f"{method} https://{bare}"}
