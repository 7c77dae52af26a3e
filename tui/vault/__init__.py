"""Keydeck's encrypted keyfile: exchange API keys under one master password.

    from tui.vault import Account, Vault

    with Vault.open(None, password) as vault:          # None: the default keyfile
        account = vault.get("binance")                  # label= when there are several
        client = ccxt.binance(account.ccxt_config())

    # keydeck check / watch: a snapshot without the write lock; refuses every write
    with Vault.open(None, password, read_only=True, state_dir=locations.state_dir) as vault:
        if vault.changed_on_disk():
            vault.reload()                              # new accounts saved elsewhere

Public interface: `Vault.create(path, password, *, kdf=None, state_dir=None)`,
`Vault.open(path, password, *, kdf=None, caps=..., read_only=False, state_dir=None,
accept_rollback=False)`, `Vault.inspect(path=None, *, caps=..., read_only=False)`; on a vault:
`.accounts`, `.get(exchange, label=None)`, `.get_by_id(id)`, `.holding_key_of(account)`,
`.add(account)`, `.update(account)`, `.remove(id)`, `.save()`, `.check_password(pw)`,
`.change_password(current, new, *, kdf=None)`, `.remove_backup()`, `.changed_on_disk()`,
`.reload(*, accept_rollback=False)`, `.close()`, and `.path`, `.kdf`, `.generation`,
`.read_only`, `.dirty`, `.closed`, `.backup_path`. Errors all derive from `VaultError`.

Format and guarantees: docs/keyfile-format.md. There is no password recovery: the key is
derived from the password alone. This package imports neither Textual nor ccxt.

The names load on first use (PEP 562): importing one light module of the package (its
errors, say, as every command's parser does) does not load cryptography and the keyfile
code before the app's first frame.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tui.vault.account import CREDENTIAL_NAMES, IDENTIFYING_CREDENTIALS, Account
    from tui.vault.errors import (
        DuplicateAccount,
        KeyfileChanged,
        KeyfileCorrupt,
        KeyfileExists,
        KeyfileLocked,
        KeyfileNotFound,
        KeyfileReadOnly,
        KeyfileRekeyed,
        KeyfileRolledBack,
        KeyfileTooNew,
        KeyfileUnsupported,
        KeyfileWriteError,
        PasswordNotUtf8,
        PasswordRejected,
        UnsafePermissions,
        VaultClosed,
        VaultError,
        WrongPassword,
    )
    from tui.vault.kdf import Argon2idParams, KdfCaps, KdfParams, ScryptParams, argon2_available
    from tui.vault.password import (
        MIN_SCORE,
        STRONG_ENOUGH,
        check_new_password,
        password_strength,
        weak_password,
    )
    from tui.vault.saving import move_aside
    from tui.vault.vault import Vault

_HOMES: dict[str, str] = {
    "CREDENTIAL_NAMES": "tui.vault.account",
    "IDENTIFYING_CREDENTIALS": "tui.vault.account",
    "Account": "tui.vault.account",
    "DuplicateAccount": "tui.vault.errors",
    "KeyfileChanged": "tui.vault.errors",
    "KeyfileCorrupt": "tui.vault.errors",
    "KeyfileExists": "tui.vault.errors",
    "KeyfileLocked": "tui.vault.errors",
    "KeyfileNotFound": "tui.vault.errors",
    "KeyfileReadOnly": "tui.vault.errors",
    "KeyfileRekeyed": "tui.vault.errors",
    "KeyfileRolledBack": "tui.vault.errors",
    "KeyfileTooNew": "tui.vault.errors",
    "KeyfileUnsupported": "tui.vault.errors",
    "KeyfileWriteError": "tui.vault.errors",
    "PasswordNotUtf8": "tui.vault.errors",
    "PasswordRejected": "tui.vault.errors",
    "UnsafePermissions": "tui.vault.errors",
    "VaultClosed": "tui.vault.errors",
    "VaultError": "tui.vault.errors",
    "WrongPassword": "tui.vault.errors",
    "Argon2idParams": "tui.vault.kdf",
    "KdfCaps": "tui.vault.kdf",
    "KdfParams": "tui.vault.kdf",
    "ScryptParams": "tui.vault.kdf",
    "argon2_available": "tui.vault.kdf",
    "MIN_SCORE": "tui.vault.password",
    "STRONG_ENOUGH": "tui.vault.password",
    "check_new_password": "tui.vault.password",
    "password_strength": "tui.vault.password",
    "weak_password": "tui.vault.password",
    "move_aside": "tui.vault.saving",
    "Vault": "tui.vault.vault",
}
"""Each public name -> the module that defines it."""


if not TYPE_CHECKING:  # for type checkers the imports above are the names: no Any

    def __getattr__(name: str) -> Any:
        home = _HOMES.get(name)
        if home is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(home), name)
        globals()[name] = value  # once loaded, a plain attribute
        return value

    def __dir__() -> list[str]:
        return sorted({*globals(), *_HOMES})


__all__ = [
    "CREDENTIAL_NAMES",
    "IDENTIFYING_CREDENTIALS",
    "MIN_SCORE",
    "STRONG_ENOUGH",
    "Account",
    "Argon2idParams",
    "DuplicateAccount",
    "KdfCaps",
    "KdfParams",
    "KeyfileChanged",
    "KeyfileCorrupt",
    "KeyfileExists",
    "KeyfileLocked",
    "KeyfileNotFound",
    "KeyfileReadOnly",
    "KeyfileRekeyed",
    "KeyfileRolledBack",
    "KeyfileTooNew",
    "KeyfileUnsupported",
    "KeyfileWriteError",
    "PasswordNotUtf8",
    "PasswordRejected",
    "ScryptParams",
    "UnsafePermissions",
    "Vault",
    "VaultClosed",
    "VaultError",
    "WrongPassword",
    "argon2_available",
    "check_new_password",
    "move_aside",
    "password_strength",
    "weak_password",
]
