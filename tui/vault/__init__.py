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
"""

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
