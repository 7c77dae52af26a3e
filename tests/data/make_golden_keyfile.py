"""How the golden v1 keyfiles in this directory were made (run once; never regenerate them).

    .venv/bin/python tests/data/make_golden_keyfile.py

Every later Keydeck must open the committed files with the password in README.md and find
exactly these accounts. The credentials are fake. Cheap KDF parameters keep the test fast.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from tui.vault import Account, Argon2idParams, KdfParams, ScryptParams, Vault

PASSWORD = "golden-Pässwort-v1"  # non-ASCII on purpose: NFC normalisation is part of v1
HERE = Path(__file__).parent
FILES: dict[str, KdfParams] = {
    "keyfile-v1-argon2id.kdk": Argon2idParams(time_cost=1, memory_kib=64, lanes=1),
    "keyfile-v1-scrypt.kdk": ScryptParams(log_n=4, r=1, p=1),
}


def golden_accounts() -> list[Account]:
    created = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
    return [
        Account(
            id="golden000001",
            exchange="binance",
            label="main",
            credentials={
                "apiKey": "demo-key-golden-binance-0001",
                "secret": "demo-secret-golden-binance-0001",
            },
            created_at=created,
            updated_at=created,
            verified_at=datetime(2025, 1, 3, tzinfo=UTC),
        ),
        Account(
            id="golden000002",
            exchange="okx",
            label="bot ✓",
            credentials={
                "apiKey": "demo-key-golden-okx-0002",
                "secret": "demo-secret-golden-okx-0002",
                "password": "demo-passphrase-golden-okx",
            },
            sandbox=True,
            endpoint="http://127.0.0.1:8999/okx",
            created_at=created,
            updated_at=datetime(2025, 1, 4, 5, 6, 7, tzinfo=UTC),
            acknowledged={"trade-enabled"},
            notes={"purpose": "golden file"},
        ),
    ]


def main() -> int:
    for name, params in FILES.items():
        target = HERE / name
        if target.exists():
            print(f"{target} exists: golden files are never regenerated", file=sys.stderr)
            return 1
        with tempfile.TemporaryDirectory() as scratch:
            path = Path(scratch) / "keys.kdk"
            with Vault.create(path, PASSWORD, kdf=params) as vault:
                for account in golden_accounts():
                    vault.add(account)
                vault.save()
            shutil.copyfile(path, target)
        print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
