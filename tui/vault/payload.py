"""The decrypted payload: UTF-8 JSON with a schema version, padded with spaces.

    {"schema": 1, "accounts": [{"id": ..., "exchange": ..., "label": ..., "credentials": {...},
     "sandbox": false, "endpoint": null, "created_at": ..., "updated_at": ...,
     "verified_at": null, "acknowledged": [...], "notes": {...}}]}

Unknown keys (from a newer Keydeck of the same schema) are kept and written back unchanged.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

from tui.vault.account import Account
from tui.vault.errors import KeyfileCorrupt, KeyfileTooNew
from tui.vault.guard import SecretBytes

SCHEMA_VERSION = 1
PAD_MINIMUM = 4096  # the payload is padded to max(4 KiB, next power of two)
MAX_PAYLOAD = 16 * 1024 * 1024

# schema n -> n+1 upgrades of the parsed document, applied in order on open.
MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}

_KNOWN_ACCOUNT_KEYS = frozenset(
    {
        "id",
        "exchange",
        "label",
        "credentials",
        "sandbox",
        "endpoint",
        "created_at",
        "updated_at",
        "verified_at",
        "acknowledged",
        "notes",
    }
)


def padded_size(length: int) -> int:
    size = PAD_MINIMUM
    while size < length:
        size *= 2
    return size


def encode_payload(accounts: Iterable[Account], extra: Mapping[str, Any]) -> SecretBytes:
    """Serialise and pad. (The intermediate JSON `str` cannot be wiped; see the docs.)"""
    document: dict[str, Any] = {k: v for k, v in extra.items() if k not in ("schema", "accounts")}
    document["schema"] = SCHEMA_VERSION
    document["accounts"] = [_record(account) for account in accounts]
    plain = SecretBytes(
        json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    )
    if len(plain) > MAX_PAYLOAD:
        raise ValueError("too many accounts: the keyfile payload is limited to 16 MiB")
    plain.extend(b" " * (padded_size(len(plain)) - len(plain)))
    return plain


def decode_payload(plain: bytes | bytearray) -> tuple[list[Account], dict[str, Any], int]:
    """Accounts, unknown top-level keys, and the schema version found (before migration)."""
    try:
        document = json.loads(plain)
    except (ValueError, RecursionError):
        raise KeyfileCorrupt("its decrypted content is not valid JSON") from None
    if not isinstance(document, dict):
        raise KeyfileCorrupt("its decrypted content is not a JSON object")
    found = document.get("schema")
    if not isinstance(found, int) or isinstance(found, bool) or found < 1:
        raise KeyfileCorrupt("its content has no valid schema version")
    if found > SCHEMA_VERSION:
        raise KeyfileTooNew(f"payload schema {found}; this version reads up to {SCHEMA_VERSION}")
    for version in range(found, SCHEMA_VERSION):
        document = MIGRATIONS[version](document)
    records = document.get("accounts")
    if not isinstance(records, list):
        raise KeyfileCorrupt("its content has no account list")
    accounts: list[Account] = []
    seen: set[str] = set()
    for number, record in enumerate(records, start=1):
        account = _account(number, record)
        if account.id in seen:
            raise KeyfileCorrupt(f"account {number} repeats the id of an earlier one")
        seen.add(account.id)
        accounts.append(account)
    extra = {k: v for k, v in document.items() if k not in ("schema", "accounts")}
    return accounts, extra, found


def _record(account: Account) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": account.id,
        "exchange": account.exchange,
        "label": account.label,
        "credentials": {name: value.reveal() for name, value in account.credentials.items()},
        "sandbox": account.sandbox,
        "endpoint": account.endpoint,
        "created_at": account.created_at.isoformat(),
        "updated_at": account.updated_at.isoformat(),
        "verified_at": account.verified_at.isoformat() if account.verified_at else None,
        "acknowledged": sorted(account.acknowledged),
        "notes": dict(account.notes),
    }
    for key, value in account._extra.items():
        record.setdefault(key, value)
    return record


def _account(number: int, record: object) -> Account:
    def fail(problem: str) -> KeyfileCorrupt:
        return KeyfileCorrupt(f"account {number} {problem}")

    if not isinstance(record, dict):
        raise fail("is not a JSON object")
    for key in ("id", "exchange", "label", "created_at", "updated_at"):
        if not isinstance(record.get(key), str):
            raise fail(f"has no valid {key!r}")
    credentials = record.get("credentials")
    if not isinstance(credentials, dict) or not all(
        isinstance(v, str) for v in credentials.values()
    ):
        raise fail("has invalid credentials")
    acknowledged = record.get("acknowledged", [])
    if not isinstance(acknowledged, list) or not all(isinstance(c, str) for c in acknowledged):
        raise fail("has an invalid 'acknowledged' list")
    notes = record.get("notes", {})
    if not isinstance(notes, dict) or not all(isinstance(v, str) for v in notes.values()):
        raise fail("has invalid notes")
    verified = record.get("verified_at")
    if verified is not None and not isinstance(verified, str):
        raise fail("has an invalid 'verified_at'")
    try:
        return Account(
            id=record["id"],
            exchange=record["exchange"],
            label=record["label"],
            credentials=credentials,
            sandbox=record.get("sandbox", False),
            endpoint=record.get("endpoint"),
            created_at=_parse_time(record["created_at"]),
            updated_at=_parse_time(record["updated_at"]),
            verified_at=None if verified is None else _parse_time(verified),
            acknowledged=acknowledged,
            notes=notes,
            _extra={k: v for k, v in record.items() if k not in _KNOWN_ACCOUNT_KEYS},
        )
    except (ValueError, TypeError) as error:
        raise fail(f"is invalid: {error}") from None


def _parse_time(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise ValueError("a timestamp has no time zone")
    return value
