"""One exchange account: its API credentials (held as `Secret`) and non-secret metadata.

Accounts are immutable; change one with `account.replace(...)` and store it with
`vault.update(...)`. The repr shows exchange, label and id only.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

from tui.base.redact import Secret
from tui.vault.guard import scrubbed_traceback

# ccxt's credential names (Exchange.requiredCredentials).
CREDENTIAL_NAMES = (
    "apiKey",
    "secret",
    "password",
    "uid",
    "accountId",
    "privateKey",
    "walletAddress",
    "login",
    "twofa",
    "token",
)
# The credential that identifies a key, first present wins: apiKey where the exchange has
# one; else the wallet address, login, user id, account id, private key or token.
IDENTIFYING_CREDENTIALS = (
    "apiKey",
    "walletAddress",
    "login",
    "uid",
    "accountId",
    "privateKey",
    "token",
)
# Fields whose change means "the key itself changed" and bumps `updated_at`.
_KEY_FIELDS = ("exchange", "label", "credentials", "sandbox", "endpoint")

_EXCHANGE_ID = re.compile(r"[a-z][a-z0-9_]{0,63}")
_CREDENTIAL_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,63}")
_MAX_LABEL = 100
_MAX_TEXT = 4096


def utc_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def new_account_id() -> str:
    return uuid.uuid4().hex[:12]


class Account:
    """An exchange account. `credentials` values are `Secret`; plain str is accepted.

    Empty credential values are dropped, so a form can pass its optional fields as they are.
    `acknowledged` holds finding codes the user chose to accept; `notes` is free-form,
    non-secret text for the UI. Neither is secret, but both are stored encrypted.
    """

    __slots__ = (
        "_extra",
        "acknowledged",
        "created_at",
        "credentials",
        "endpoint",
        "exchange",
        "id",
        "label",
        "notes",
        "sandbox",
        "updated_at",
        "verified_at",
    )

    exchange: str
    label: str
    credentials: Mapping[str, Secret]
    sandbox: bool
    endpoint: str | None
    id: str
    created_at: datetime
    updated_at: datetime
    verified_at: datetime | None
    acknowledged: frozenset[str]
    notes: Mapping[str, str]
    _extra: Mapping[str, Any]

    @scrubbed_traceback
    def __init__(
        self,
        *,
        exchange: str,
        label: str = "main",
        credentials: Mapping[str, str | Secret] | None = None,
        sandbox: bool = False,
        endpoint: str | None = None,
        id: str | None = None,
        created_at: datetime | None = None,
        updated_at: datetime | None = None,
        verified_at: datetime | None = None,
        acknowledged: Iterable[str] = (),
        notes: Mapping[str, str] | None = None,
        _extra: Mapping[str, Any] | None = None,
    ) -> None:
        now = utc_now()
        values: dict[str, Any] = {
            "exchange": _exchange_id(exchange),
            "label": _label(label),
            "credentials": MappingProxyType(_credentials(credentials or {})),
            "sandbox": _bool("sandbox", sandbox),
            "endpoint": _endpoint(endpoint),
            "id": _text("id", id) if id is not None else new_account_id(),
            "created_at": _timestamp("created_at", created_at or now),
            "updated_at": _timestamp("updated_at", updated_at or created_at or now),
            "verified_at": None if verified_at is None else _timestamp("verified_at", verified_at),
            "acknowledged": frozenset(_text("acknowledged code", c) for c in acknowledged),
            "notes": MappingProxyType(
                {_text("note name", k): _text("note", v) for k, v in (notes or {}).items()}
            ),
            "_extra": MappingProxyType(dict(_extra or {})),
        }
        for name, value in values.items():
            object.__setattr__(self, name, value)

    def replace(self, **changes: Any) -> Account:
        """A copy with some fields changed (id and created_at are kept unless given)."""
        fields = {name: getattr(self, name) for name in self.__slots__}
        fields.update(changes)
        return Account(**fields)

    def ccxt_config(self) -> dict[str, str]:
        """The plain-text credentials as ccxt's constructor takes them: `ccxt.okx(config)`.

        Sandbox mode and `endpoint` are not part of it: call `set_sandbox_mode(True)` and
        `tui.connect.endpoint.apply_endpoint(...)` on the client. Do not keep the result.
        """
        return {name: value.reveal() for name, value in self.credentials.items()}

    def differs_in_key(self, other: Account) -> bool:
        """True when a field that defines the key (not just metadata) differs."""
        return any(getattr(self, f) != getattr(other, f) for f in _KEY_FIELDS)

    def key_identity(self) -> tuple[str, str] | None:
        """(credential name, plain value) that identifies this key at its exchange, or None.

        The first of `IDENTIFYING_CREDENTIALS` present: two accounts of one exchange with the
        same identity hold the same key. Do not keep the value.
        """
        for name in IDENTIFYING_CREDENTIALS:
            value = self.credentials.get(name)
            if value is not None:
                return name, value.reveal()
        return None

    @property
    def display_name(self) -> str:
        return f"{self.exchange} · {self.label}"

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Account is immutable: use account.replace(...) and vault.update()")

    def __delattr__(self, name: str) -> None:
        raise AttributeError("Account is immutable")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Account):
            return NotImplemented
        return all(getattr(self, n) == getattr(other, n) for n in self.__slots__ if n != "_extra")

    def __hash__(self) -> int:
        return hash(self.id)

    def __repr__(self) -> str:
        return f"Account(exchange={self.exchange!r}, label={self.label!r}, id={self.id!r})"

    def __rich_repr__(self) -> Iterable[tuple[str, str]]:
        yield "exchange", self.exchange
        yield "label", self.label
        yield "id", self.id

    def __reduce__(self) -> object:
        raise TypeError("an Account holds secrets and cannot be pickled")


def _exchange_id(value: object) -> str:
    if not isinstance(value, str) or not _EXCHANGE_ID.fullmatch(value):
        raise ValueError("exchange must be a ccxt exchange id such as 'binance' or 'okx'")
    return value


def _label(value: object) -> str:
    text = _text("label", value).strip()
    if not text or len(text) > _MAX_LABEL or "\n" in text:
        raise ValueError(f"label must be one line of 1 to {_MAX_LABEL} characters")
    return text


def _credentials(values: Mapping[str, object]) -> dict[str, Secret]:
    if not isinstance(values, Mapping):
        raise ValueError("credentials must be a mapping of ccxt credential names to values")
    result: dict[str, Secret] = {}
    for name, value in values.items():
        if not isinstance(name, str) or not _CREDENTIAL_NAME.fullmatch(name):
            raise ValueError("credential names are ccxt's, such as 'apiKey' and 'secret'")
        if not isinstance(value, str | Secret):
            raise ValueError(f"credential {name!r} must be text")
        secret = value if isinstance(value, Secret) else Secret(value)
        if secret.reveal():
            result[name] = secret
    return result


def _endpoint(value: object) -> str | None:
    if value is None:
        return None
    text = _text("endpoint", value).strip()
    return text or None


def _bool(name: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"{name} must be True or False")
    return value


def _text(name: str, value: object) -> str:
    if not isinstance(value, str) or len(value) > _MAX_TEXT:
        raise ValueError(f"{name} must be text of at most {_MAX_TEXT} characters")
    if any(ord(c) < 32 and c not in "\t\n" for c in value):
        raise ValueError(f"{name} must not contain control characters")
    return value


def _timestamp(name: str, value: object) -> datetime:
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise ValueError(f"{name} must be a timezone-aware datetime")
    return value.astimezone(UTC)
