"""Imported keys verified against the loopback simulator (never the internet), and the
one-write save that leaves the keyfile as it was when anything fails."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.keys_io.helpers import PASSWORD, import_keys, keyfile_accounts, make_keyfile
from tests.support.app import cheap_kdf
from tui.base.paths import Locations
from tui.keys_io.commit import add_all
from tui.sim import Simulator
from tui.sim.thread import SimulatorThread
from tui.vault import Account, DuplicateAccount, Vault


@pytest.fixture(scope="module")
def sim() -> Iterator[SimulatorThread]:
    with SimulatorThread.start(Simulator()) as running:
        yield running


def _keys_file(tmp_path: Path, sim: SimulatorThread, entries: dict[str, tuple[str, dict]]) -> Path:
    document = {}
    for exchange, (label, changes) in entries.items():
        credentials = dict(sim.simulator.account(exchange, label).credentials)
        document[exchange] = {**credentials, **changes}
    path = tmp_path / "keys.json"
    path.write_text(json.dumps(document))
    return path


def test_each_key_verified_with_its_exchange(
    locations: Locations, tmp_path: Path, sim: SimulatorThread
) -> None:
    make_keyfile(locations)
    keys = _keys_file(
        tmp_path,
        sim,
        {
            "binance": ("main", {}),
            "okx": ("risky", {}),
            "kucoin": ("main", {"password": "not-the-passphrase"}),
        },
    )
    endpoints = {e: sim.endpoint(e) for e in ("binance", "okx", "kucoin")}
    code, out, err = import_keys(locations, "ccxt", keys, verify=True, endpoints=endpoints)
    assert code == 2, out + err
    saved = {a.exchange: a for a in keyfile_accounts(locations)}
    assert set(saved) == {"binance", "okx"}  # the failing key is not saved
    assert all(a.verified_at is not None for a in saved.values())
    assert saved["binance"].endpoint == sim.endpoint("binance")
    assert "[critical] Withdrawals are enabled" in out  # okx/risky can withdraw
    assert "kucoin" in out and "NOT imported" in out and "passphrase" in out.lower()
    assert "--no-verify to save them unverified" in out
    assert "not-the-passphrase" not in out + err


def test_no_verify_contacts_nothing(
    locations: Locations, tmp_path: Path, sim: SimulatorThread
) -> None:
    """An endpoint where nothing listens: verifying fails, --no-verify never tries."""
    make_keyfile(locations)
    before = locations.keyfile.read_bytes()
    keys = _keys_file(tmp_path, sim, {"binance": ("main", {})})
    nowhere = {"binance": "http://127.0.0.1:9"}
    code, out, _ = import_keys(locations, "ccxt", keys, verify=True, endpoints=nowhere)
    assert code == 2 and "No key was added" in out
    assert locations.keyfile.read_bytes() == before  # nothing verified: nothing written
    code, out, _ = import_keys(locations, "ccxt", keys, verify=False, endpoints=nowhere)
    assert code == 0 and "saved unverified" in out
    (account,) = keyfile_accounts(locations)
    assert account.verified_at is None and account.endpoint == "http://127.0.0.1:9"


def test_one_write_all_or_nothing(locations: Locations) -> None:
    """A failure part-way (here a duplicate key) undoes every addition; the file is as it was."""
    held = Account(exchange="okx", label="main", credentials={"apiKey": "held-key"})
    make_keyfile(locations, [held])
    before = locations.keyfile.read_bytes()
    fresh = Account(exchange="binance", label="x", credentials={"apiKey": "fresh-key"})
    again = Account(exchange="okx", label="other", credentials={"apiKey": "held-key"})
    with Vault.open(locations.keyfile, PASSWORD, **cheap_kdf()) as vault:
        with pytest.raises(DuplicateAccount):
            add_all(vault, [fresh, again])
        assert [a.label for a in vault.accounts] == ["main"]
    assert locations.keyfile.read_bytes() == before


def test_import_needs_the_write_lock(locations: Locations, tmp_path: Path) -> None:
    """While the app holds the keyfile, import says so; --dry-run still works (read-only)."""
    make_keyfile(locations)
    keys = tmp_path / "keys.json"
    keys.write_text(json.dumps({"binance": {"apiKey": "k-lock", "secret": "s-lock-0701"}}))
    with Vault.open(locations.keyfile, PASSWORD, **cheap_kdf()):
        code, _, err = import_keys(locations, "ccxt", keys)
        assert code == 3 and "Another Keydeck is using this keyfile" in err
        assert "--dry-run" in err
        code, out, _ = import_keys(locations, "ccxt", keys, dry_run=True)
        assert code == 0 and "Would add 1 key" in out
