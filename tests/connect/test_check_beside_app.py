"""`keydeck check` beside a writer: it reads the keyfile without the write lock, honours the
acknowledgements the app stored, and alerts again once one is taken back."""

from __future__ import annotations

import json
from pathlib import Path

from tests.connect.conftest import account_for
from tests.connect.test_check_cli import PASSWORD, _check, _config_dir, _keyfile
from tui.sim import Simulator
from tui.vault import Vault


async def test_check_runs_while_another_writer_holds_the_keyfile(
    sim: Simulator, tmp_path: Path
) -> None:
    config = _config_dir(tmp_path, "open")
    _keyfile(config, [account_for(sim, "binance"), account_for(sim, "okx", "sub")])
    with Vault.open(config / "keys.kdk", PASSWORD):  # the app: it holds the write lock
        code, out, err = await _check(config, "--json")
    assert code == 0, err
    document = json.loads(out)
    assert [a["exchange"] for a in document["accounts"]] == ["binance", "okx"]
    assert document["accounts"][0]["endpoint"] == sim.endpoint("binance")


async def test_an_acknowledged_critical_does_not_fail_the_check_until_taken_back(
    sim: Simulator, tmp_path: Path
) -> None:
    config = _config_dir(tmp_path, "ack")
    _keyfile(config, [account_for(sim, "bybit", "risky")])
    code, out, _ = await _check(config, "--json")
    assert code == 1
    [finding] = [
        f for f in json.loads(out)["accounts"][0]["findings"] if f["severity"] == "critical"
    ]
    assert finding["acknowledged"] is False

    with Vault.open(config / "keys.kdk", PASSWORD) as vault:  # what the app's `k` stores
        [account] = vault.accounts
        vault.update(account.replace(acknowledged=frozenset({finding["code"]})))
        vault.save()
    code, out, _ = await _check(config, "--json")
    document = json.loads(out)
    assert code == 0 and document["exit_code"] == 0
    [finding] = [f for f in document["accounts"][0]["findings"] if f["severity"] == "critical"]
    assert finding["acknowledged"] is True
    assert document["summary"]["critical"] == 0 and document["summary"]["acknowledged"] == 1
    code, table, _ = await _check(config)
    assert code == 0 and "[critical, acknowledged]" in table

    with Vault.open(config / "keys.kdk", PASSWORD) as vault:  # taken back
        [account] = vault.accounts
        vault.update(account.replace(acknowledged=frozenset()))
        vault.save()
    code, _, _ = await _check(config, "--json")
    assert code == 1
