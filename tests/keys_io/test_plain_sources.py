"""`keydeck import freqtrade|env|ccxt|keydeck`, `keydeck backup`: real temp files, and a
malformed file of each kind (a clear message, nothing written)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from tests.keys_io.helpers import (
    PASSWORD,
    credentials_of,
    import_keys,
    keyfile_accounts,
    make_keyfile,
)
from tests.support.app import cheap_kdf
from tui import cli
from tui.base.paths import Locations
from tui.commands import backup as backup_command
from tui.vault import Account

FREQTRADE = """
// Freqtrade reads JSON with comments and trailing commas
{
    "max_open_trades": 3,
    /* the exchange block */
    "exchange": {
        "name": "Kraken",
        "key": "ft-kraken-key",      // from the API page
        "secret": "ft-kraken-secret-0101",
        "password": "",
        "ccxt_config": {"urls": {"api": {"public": "https://kraken.example.net/0/public",
                                          "private": "https://kraken.example.net/0/private",},},},
        "pair_whitelist": ["BTC/USD",],
    },
}
"""
DOTENV = """
# trading bot
DATABASE_URL=postgres://localhost/bot
DB_PASSWORD=not-a-key
BINANCE_API_KEY=env-binance-key
BINANCE_API_SECRET="env-binance-secret-0201"
export okx_api_key=env-okx-key
OKX_SECRET=env-okx-secret-0202
OKX_API_PASSPHRASE='env-okx-pass'
OPENAI_API_KEY=sk-not-an-exchange
"""
CCXT = {
    "bybit": {"apiKey": "ccxt-bybit-key", "secret": "ccxt-bybit-secret-0301", "verbose": True},
    "gate": {"apiKey": "ccxt-gate-key", "secret": "ccxt-gate-secret-0302", "uid": "42"},
    "notanexchange": {"apiKey": "x-key", "secret": "x-secret-0303"},
}


def run_backup(locations: Locations, target: Path, **options: Any) -> int:
    """`keydeck backup TARGET` in this process (passwords from the test's environment)."""
    args = cli.build_parser().parse_args(["backup", str(target)])
    return backup_command.run(args, locations, log_to_file=False, **options)


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    path.chmod(0o600)  # a keyfile that others can read is refused (tested in tests/vault)
    return path


def test_freqtrade_with_comments(locations: Locations, tmp_path: Path) -> None:
    make_keyfile(
        locations, [Account(exchange="kraken", label="freqtrade", credentials={"apiKey": "other"})]
    )
    config = _write(tmp_path, "config.json", FREQTRADE)
    code, out, err = import_keys(locations, "freqtrade", config)
    assert code == 0, err
    accounts = {f"{a.exchange}/{a.label}": a for a in keyfile_accounts(locations)}
    imported = accounts["kraken/freqtrade-2"]  # the label made unique
    assert imported.ccxt_config() == {"apiKey": "ft-kraken-key", "secret": "ft-kraken-secret-0101"}
    assert imported.endpoint == "https://kraken.example.net"
    assert "Reminder: " in out and "still holds these keys in plain text" in out
    assert "Keydeck never changes or deletes your files" in out
    assert config.read_text() == FREQTRADE  # never touched
    assert "ft-kraken-secret-0101" not in out + err


def test_dotenv(locations: Locations, tmp_path: Path) -> None:
    make_keyfile(locations)
    env_file = _write(tmp_path, ".env", DOTENV)
    code, out, err = import_keys(locations, "env", env_file)
    assert code == 0, err
    assert credentials_of(keyfile_accounts(locations)) == {
        "binance/env": {"apiKey": "env-binance-key", "secret": "env-binance-secret-0201"},
        "okx/env": {
            "apiKey": "env-okx-key",
            "secret": "env-okx-secret-0202",
            "password": "env-okx-pass",
        },
    }
    assert "OPENAI is not an exchange ccxt knows" in out
    assert "DATABASE" not in out and "DB_PASSWORD" not in out  # other programs' variables
    assert "Reminder" in out


def test_ccxt_keys(locations: Locations, tmp_path: Path) -> None:
    make_keyfile(locations)
    keys = _write(tmp_path, "keys.local.json", json.dumps(CCXT))
    code, out, err = import_keys(locations, "ccxt", keys)
    assert code == 0, err
    assert credentials_of(keyfile_accounts(locations)) == {
        "bybit/ccxt": {"apiKey": "ccxt-bybit-key", "secret": "ccxt-bybit-secret-0301"},
        "gate/ccxt": {"apiKey": "ccxt-gate-key", "secret": "ccxt-gate-secret-0302", "uid": "42"},
    }
    assert "'notanexchange' is not a ccxt exchange id" in out


@pytest.mark.parametrize(
    ("source", "name", "text", "message"),
    [
        (
            "freqtrade",
            "config.json",
            '{"exchange": {"name": "kraken", "key": "k" "secret": 1}}',
            "line 1, column",
        ),
        ("freqtrade", "config.json", '{"dry_run": true}', 'no "exchange" block'),
        ("env", ".env", "\x00\x01 not text \xff", "holds no NAME=value lines"),
        (
            "env",
            ".env",
            "BINANCE_API_KEY=a\nbinance_api_key=b\n",
            "two variables give BINANCE's apiKey",
        ),
        (
            "env",
            ".env",
            "BINANCE_API_KEY=a\nBINANCE_API_SECRET='unterminated-secret-0601\n",
            "line 2 is not NAME=value",
        ),
        ("ccxt", "keys.json", '{"binance": {"apiKey": "k",}', "not valid JSON"),
        ("ccxt", "keys.json", '["binance"]', "must hold one object"),
        ("keydeck", "backup.kdk", "not a keyfile", "is not a readable Keydeck keyfile"),
    ],
)
def test_malformed_file_writes_nothing(
    locations: Locations, tmp_path: Path, source: str, name: str, text: str, message: str
) -> None:
    make_keyfile(locations)
    before = locations.keyfile.read_bytes()
    path = _write(tmp_path, name, text)
    code, _, err = import_keys(locations, source, path)
    assert code == 1
    assert message in err and "Traceback" not in err
    assert "secret-0601" not in err
    assert locations.keyfile.read_bytes() == before
    code, _, err = import_keys(locations, source, tmp_path / "missing")
    assert code == 1 and str(tmp_path / "missing") in err


def test_backup_and_restore(
    locations: Locations, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """keyfile -> backup under a new password -> imported into another keyfile."""
    original = [
        Account(
            exchange="okx",
            label="desk",
            credentials={"apiKey": "kd-okx", "secret": "kd-okx-secret-0401", "password": "pp-0401"},
        ),
        Account(
            exchange="binance",
            label="main",
            credentials={"apiKey": "kd-bin", "secret": "kd-bin-secret-0402"},
            endpoint="https://api1.binance.com",
            sandbox=True,
        ),
    ]
    make_keyfile(locations, original)
    monkeypatch.setenv("KEYDECK_BACKUP_PASSWORD", "backup password 0403")
    out = io.StringIO()
    backup = tmp_path / "moving" / "keys-backup.kdk"
    backup.parent.mkdir()
    code = run_backup(locations, backup, out=out, err=out, vault_options=cheap_kdf())
    assert code == 0, out.getvalue()
    assert "encrypted with a new password" in out.getvalue()
    assert sorted(p.name for p in backup.parent.iterdir()) == ["keys-backup.kdk"]
    # It never overwrites.
    assert run_backup(locations, backup, out=out, err=out) == 3

    other = Locations.resolve(tmp_path / "other-machine")
    make_keyfile(
        other, [Account(exchange="okx", label="desk", credentials={"apiKey": "unrelated"})]
    )
    monkeypatch.setenv("KEYDECK_IMPORT_PASSWORD", "wrong")
    code, _, err = import_keys(other, "keydeck", backup)
    assert code == 1 and "does not open it" in err and "may differ from your Keydeck" in err
    monkeypatch.setenv("KEYDECK_IMPORT_PASSWORD", "backup password 0403")
    code, out_text, err = import_keys(other, "keydeck", backup)
    assert code == 0, err
    restored = {f"{a.exchange}/{a.label}": a for a in keyfile_accounts(other)}
    assert set(restored) == {"okx/desk", "okx/desk-2", "binance/main"}
    assert restored["okx/desk-2"].ccxt_config() == original[0].ccxt_config()
    binance = restored["binance/main"]
    assert (binance.endpoint, binance.sandbox) == ("https://api1.binance.com", True)
    assert "Reminder" not in out_text  # an encrypted source
    # Restoring twice adds nothing.
    code, out_text, _ = import_keys(other, "keydeck", backup)
    assert code == 0 and "No key was added" in out_text


def test_restore_creates_a_missing_keyfile(
    locations: Locations, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_keyfile(
        locations,
        [
            Account(
                exchange="kraken", label="main", credentials={"apiKey": "k1", "secret": "s-0501"}
            )
        ],
    )
    backup = tmp_path / "b.kdk"
    out = io.StringIO()
    assert run_backup(locations, backup, out=out, err=out, vault_options=cheap_kdf()) == 0
    assert "the keyfile's password" in out.getvalue()
    fresh = Locations.resolve(tmp_path / "fresh")
    monkeypatch.setenv("KEYDECK_IMPORT_PASSWORD", PASSWORD)
    code, out_text, err = import_keys(fresh, "keydeck", backup, dry_run=True)
    assert code == 0 and "the import would create it" in out_text
    assert not fresh.keyfile.exists()
    code, _, err = import_keys(fresh, "keydeck", backup)
    assert code == 0, err
    assert credentials_of(keyfile_accounts(fresh)) == {
        "kraken/main": {"apiKey": "k1", "secret": "s-0501"}
    }


@pytest.mark.parametrize("weak", ["abc", " ", "password"])
def test_a_new_keyfile_or_backup_refuses_a_weak_password(
    locations: Locations, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, weak: str
) -> None:
    """The first-run screen's strength rule, for every password the command line sets."""
    env_file = tmp_path / "bot.env"
    env_file.write_text("GATE_API_KEY=weak-gate-key\nGATE_API_SECRET=weak-gate-secret-0901\n")
    monkeypatch.setenv("KEYDECK_PASSWORD", weak)
    code, _, err = import_keys(locations, "env", env_file)
    assert code == 3 and "too easy to guess" in err and "new keyfile" in err, err
    assert not locations.keyfile.exists()
    # An existing keyfile is opened with the password it has, whatever its strength.
    monkeypatch.setenv("KEYDECK_PASSWORD", PASSWORD)
    make_keyfile(locations, [])
    monkeypatch.setenv("KEYDECK_BACKUP_PASSWORD", weak)
    out_stream = io.StringIO()
    backup = tmp_path / "travel.kdk"
    assert run_backup(locations, backup, out=out_stream, err=out_stream) == 3
    assert "too easy to guess" in out_stream.getvalue() and "the backup" in out_stream.getvalue()
    assert not backup.exists()
