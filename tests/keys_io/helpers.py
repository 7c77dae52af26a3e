"""Building other tools' files the way those tools write them, and running the commands."""

from __future__ import annotations

import binascii
import hashlib
import io
import json
import os
import secrets
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from tests.support.app import PASSWORD, cheap_kdf, make_keyfile
from tui import cli
from tui.base.paths import Locations
from tui.commands import import_keys as import_command
from tui.vault import Account, Vault

__all__ = ["PASSWORD", "HummingbotConf", "import_keys", "keyfile_accounts", "make_keyfile"]

HUMMINGBOT_PASSWORD = "hb-pass-7319"
FAST_ROUNDS = 1000  # Hummingbot uses 1,000,000; the format stores the count, so any works


def hummingbot_encrypt(value: str, password: str, rounds: int = FAST_ROUNDS) -> str:
    """A secure value as Hummingbot writes it: hex of an Ethereum v3 keyfile JSON
    (PBKDF2-HMAC-SHA256, AES-128-CTR, keccak MAC) holding `value`."""
    from tui.keys_io.eth_values import import_eth_keyfile

    import_eth_keyfile()  # first, so py_ecc cannot leave the recursion limit raised
    from eth_keyfile.keyfile import encrypt_aes_ctr
    from eth_utils import keccak

    salt = secrets.token_bytes(16)
    iv = secrets.token_bytes(16)
    derived = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, rounds, dklen=32)
    ciphertext = encrypt_aes_ctr(value.encode(), derived[:16], int.from_bytes(iv, "big"))
    document = {
        "crypto": {
            "cipher": "aes-128-ctr",
            "cipherparams": {"iv": iv.hex()},
            "ciphertext": ciphertext.hex(),
            "kdf": "pbkdf2",
            "kdfparams": {"c": rounds, "dklen": 32, "prf": "hmac-sha256", "salt": salt.hex()},
            "mac": keccak(derived[16:32] + ciphertext).hex(),
        },
        "id": "3198bc9c-6672-5ab3-d995-4942343ae5b6",
        "version": 3,
    }
    return binascii.hexlify(json.dumps(document).encode()).decode()


class HummingbotConf:
    """A Hummingbot `conf` directory: `connectors/<name>.yml` and `.password_verification`."""

    def __init__(self, root: Path, password: str = HUMMINGBOT_PASSWORD) -> None:
        self.root = root
        self.password = password
        (root / "connectors").mkdir(parents=True)
        (root / ".password_verification").write_text(hummingbot_encrypt("HummingBot", password))

    def connector(
        self, name: str, secure: Mapping[str, str], plain: Mapping[str, Any] | None = None
    ) -> Path:
        """Laid out as Hummingbot's save_to_yml writes it: a title banner, then one field a
        paragraph; secure fields encrypted, others plain."""
        title = f"###   {name} config   ###"
        lines = ["#" * len(title), title, "#" * len(title), "", f"connector: {name}", ""]
        for field, value in (plain or {}).items():
            lines += [f"{field}: {value}", ""]
        for field, value in secure.items():
            lines += [f"{field}: {hummingbot_encrypt(value, self.password)}", ""]
        path = self.root / "connectors" / f"{name}.yml"
        path.write_text("\n".join(lines))
        return path


def import_keys(
    locations: Locations,
    source: str,
    path: Path,
    *,
    verify: bool = False,
    dry_run: bool = False,
    endpoints: Mapping[str, str] | None = None,
) -> tuple[int, str, str]:
    """`keydeck import` in this process (KEYDECK_PASSWORD and KEYDECK_IMPORT_PASSWORD come
    from the environment the test set)."""
    out, err = io.StringIO(), io.StringIO()
    argv = ["import", source, str(path)]
    argv += ["--dry-run"] if dry_run else []
    argv += [] if verify else ["--no-verify"]
    for exchange, url in (endpoints or {}).items():
        argv += ["--endpoint", f"{exchange}={url}"]
    args = cli.build_parser().parse_args(argv)
    code = import_command.run(
        args, locations, out=out, err=err, log_to_file=False, vault_options=cheap_kdf()
    )
    text_err = err.getvalue()
    assert "Traceback" not in text_err, text_err
    return code, out.getvalue(), text_err


def keyfile_accounts(locations: Locations, password: str = PASSWORD) -> list[Account]:
    with Vault.open(locations.keyfile, password, read_only=True) as vault:
        return list(vault.accounts)


def credentials_of(accounts: Sequence[Account]) -> dict[str, dict[str, str]]:
    return {f"{a.exchange}/{a.label}": a.ccxt_config() for a in accounts}


def environ_without_passwords() -> dict[str, str]:
    names = ("KEYDECK_PASSWORD", "KEYDECK_IMPORT_PASSWORD", "KEYDECK_BACKUP_PASSWORD")
    return {k: v for k, v in os.environ.items() if k not in names}
