"""Keydeck's encrypted keyfile: exchange API keys under one master password.

    from tui.vault import Account, Vault

    with Vault.open(None, password) as vault:          # None: the default keyfile
        account = vault.get("binance")                  # label= when there are several
        client = ccxt.binance(account.ccxt_config())

Format and guarantees: docs/keyfile-format.md. There is no password recovery: the key is
derived from the password alone. This package imports neither Textual nor ccxt.
"""

from tui.vault.account import CREDENTIAL_NAMES, Account
from tui.vault.errors import (
    KeyfileChanged,
    KeyfileCorrupt,
    KeyfileExists,
    KeyfileLocked,
    KeyfileNotFound,
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
from tui.vault.files import move_aside
from tui.vault.kdf import Argon2idParams, KdfCaps, KdfParams, ScryptParams, argon2_available
from tui.vault.password import STRONG_ENOUGH, check_new_password, password_strength
from tui.vault.vault import Vault

__all__ = [
    "CREDENTIAL_NAMES",
    "STRONG_ENOUGH",
    "Account",
    "Argon2idParams",
    "KdfCaps",
    "KdfParams",
    "KeyfileChanged",
    "KeyfileCorrupt",
    "KeyfileExists",
    "KeyfileLocked",
    "KeyfileNotFound",
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
]
