"""`keydeck check` as a subprocess against the simulator: JSON schema, table, exit codes."""

from __future__ import annotations

import asyncio
import io
import json
import os
import re
import sys
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.connect.conftest import account_for
from tui import cli
from tui.base.paths import Locations
from tui.commands import check as check_command
from tui.commands.passwords import PasswordUnavailable, read_password
from tui.sim import Simulator
from tui.vault import Account, Vault
from tui.vault.kdf import KdfParams

PASSWORD = "correct horse battery staple 42"

ACCOUNT_KEYS = {
    "id",
    "exchange",
    "exchange_name",
    "label",
    "endpoint",
    "status",
    "reachable",
    "problem",
    "notice",
    "latency_ms",
    "clock_offset_ms",
    "checked_at",
    "balances",
    "total_usd",
    "unpriced_assets",
    "permissions",
    "findings",
}
PERMISSION_KEYS = {
    "reported",
    "unreadable",
    "read",
    "spot_trade",
    "margin",
    "futures",
    "withdraw",
    "internal_transfer",
    "ip_restricted",
    "ip_addresses",
    "created_at",
    "expires_at",
    "trade_expires_at",
    "label",
    "sub_account",
}


def _keyfile(config_dir: Path, accounts: Iterable[Account]) -> None:
    vault = Vault.create(config_dir / "keys.kdk", PASSWORD, kdf=KdfParams.insecure_fast())
    with vault:
        for account in accounts:
            vault.add(account)
        vault.save()


async def _check(
    config_dir: Path, *args: str, password: str | None = PASSWORD, stdin: str | None = None
) -> tuple[int, str, str]:
    env = {k: v for k, v in os.environ.items() if k != "KEYDECK_PASSWORD"}
    env["KEYDECK_CONFIG_DIR"] = str(config_dir)
    if password is not None:
        env["KEYDECK_PASSWORD"] = password
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tui",
        "check",
        *args,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
    )
    out, err = await asyncio.wait_for(
        process.communicate(stdin.encode() if stdin is not None else b""), timeout=60
    )
    text_err = err.decode()
    assert "Traceback" not in text_err and "Unclosed" not in text_err, text_err
    assert PASSWORD not in out.decode() + text_err
    return process.returncode, out.decode(), text_err


def _check_schema(document: dict[str, Any]) -> None:
    assert document["schema"] == "keydeck.check/1"
    assert set(document["summary"]) == {
        "accounts",
        "failed",
        "critical",
        "acknowledged",
        "warnings",
        "total_usd",
        "total_usd_complete",
    }
    for account in document["accounts"]:
        assert set(account) == ACCOUNT_KEYS
        assert account["status"] in ("ok", "warning", "failing")
        if account["problem"] is not None:
            assert set(account["problem"]) == {"kind", "title", "fix", "seen_ip"}
            continue
        assert isinstance(account["latency_ms"], float | int)
        assert set(account["permissions"]) == PERMISSION_KEYS
        for row in account["balances"]:
            assert set(row) == {"asset", "free", "used", "total", "usd"}
            assert Decimal(row["total"]) == Decimal(row["free"]) + Decimal(row["used"])
            assert row["usd"] is None or Decimal(row["usd"]) >= 0
        for finding in account["findings"]:
            assert set(finding) == {"severity", "code", "title", "advice", "link", "acknowledged"}


def _config_dir(root: Path, name: str) -> Path:
    path = root / name
    path.mkdir(mode=0o700)
    return path


async def test_json_table_and_exit_codes(sim: Simulator, tmp_path: Path) -> None:
    """Three keyfiles checked at once: all fine (0), a critical finding (1), a failure (2)."""
    healthy, critical, failed = (_config_dir(tmp_path, n) for n in ("ok", "crit", "fail"))
    _keyfile(healthy, [account_for(sim, "binance"), account_for(sim, "okx", "sub")])
    _keyfile(critical, [account_for(sim, "bybit", "risky")])
    wrong = account_for(sim, "kucoin", "main", credentials={"password": "not-it"})
    _keyfile(failed, [wrong, account_for(sim, "binance", "risky")])
    (code_ok, out_ok, _), (code_crit, out_crit, _), (code_fail, out_fail, _) = await asyncio.gather(
        _check(healthy, "--json"),
        _check(critical, "--password-stdin", password=None, stdin=PASSWORD + "\n"),
        _check(failed, "--json"),
    )

    document = json.loads(out_ok)
    _check_schema(document)
    assert code_ok == 0 and document["exit_code"] == 0
    binance, okx = document["accounts"]
    assert (binance["exchange"], binance["label"], binance["status"]) == ("binance", "main", "ok")
    assert binance["exchange_name"] == "Binance"
    rows = {row["asset"]: row for row in binance["balances"]}
    assert rows["NOPX"]["usd"] is None  # unknown, never "0.00"
    assert "NOPX" in binance["unpriced_assets"]
    assert Decimal(binance["total_usd"]) == sum(
        Decimal(r["usd"]) for r in rows.values() if r["usd"] is not None
    )
    assert rows["BTC"]["used"] == "0.1"
    assert binance["permissions"]["withdraw"] is False
    assert [f["code"] for f in okx["findings"]] == ["read_only"]
    assert document["summary"]["total_usd_complete"] is False

    # The readable table (password from stdin), with a critical finding.
    assert code_crit == 1
    assert "Bybit · risky" in out_crit and "[critical] Withdrawals are enabled" in out_crit
    # Warnings: no IP allowlist, Bybit's lapse rule for such keys, the key's age.
    assert "Total $" in out_crit and "· 1 critical, 3 warnings" in out_crit
    assert "[warning] Without an IP allowlist, Bybit lets this key lapse" in out_crit
    assert re.search(r"✗ Bybit · risky +critical ", out_crit) and "✓" not in out_crit

    document = json.loads(out_fail)
    _check_schema(document)
    assert code_fail == 2 and document["summary"]["failed"] == 1
    assert document["summary"]["critical"] == 1  # a failure outranks a critical finding
    kucoin = document["accounts"][0]
    assert kucoin["status"] == "failing" and kucoin["balances"] == []
    assert kucoin["problem"]["kind"] == "bad_passphrase"
    assert "passphrase" in kucoin["problem"]["fix"]

    # The table never presents a total as complete, or as $0, when accounts were not read.
    only_failed = _config_dir(tmp_path, "only-fail")
    _keyfile(only_failed, [wrong])
    (_, out_partial, _), (code_none, out_none, _) = await asyncio.gather(
        _check(failed), _check(only_failed)
    )
    assert re.search(
        r"Total \$[\d,]+\.\d\d \(1 account not read\) · 1 failing, 1 critical, 3 warnings\n",
        out_partial,
    )
    # Each account line leads with its severity: never "ok" beside a critical finding.
    lines = {line.split("  ")[0]: line for line in out_partial.splitlines() if " · " in line}
    assert re.search(r"^✗ Binance · risky +critical ", lines["✗ Binance · risky"])
    assert re.search(r"^✗ KuCoin · main +failing ", lines["✗ KuCoin · main"])
    # The clock as the app shows it (never "-0.0 s"), and none beside a refused key (issue 23).
    assert "clock" not in lines["✗ KuCoin · main"]
    assert re.search(r"  clock ([+-]\d+ ms|0 ms|[+-]\d+\.\d s)  ", lines["✗ Binance · risky"])
    assert code_none == 2 and "Total unknown" in out_none and "$0.00" not in out_none

    # The failure was logged, with no credential in the log.
    log_text = (failed / "logs" / "keydeck.log").read_text()
    assert "kucoin/main: bad_passphrase" in log_text
    secrets = [v for k, v in sim.account("binance", "risky").credentials.items() if k != "apiKey"]
    secrets += [sim.account("kucoin", "main").credentials["secret"], "not-it", PASSWORD]
    assert not [s for s in secrets if s in log_text]


async def test_keyfile_problems_exit_3(tmp_path: Path) -> None:
    config_dir = _config_dir(tmp_path, "config")
    code, out, err = await _check(config_dir, "--json")
    assert code == 3 and out == "" and "no keyfile" in err.lower()
    _keyfile(config_dir, [])
    (code_wrong, _, err_wrong), (code_none, _, err_none) = await asyncio.gather(
        _check(config_dir, password="wrong password"), _check(config_dir, password=None)
    )
    assert code_wrong == 3 and "Wrong password" in err_wrong
    assert code_none == 3 and "KEYDECK_PASSWORD" in err_none


def test_empty_keyfile_in_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config_dir = _config_dir(tmp_path, "config")
    _keyfile(config_dir, [])
    monkeypatch.setenv("KEYDECK_PASSWORD", PASSWORD)
    out, err = io.StringIO(), io.StringIO()
    args = cli.build_parser().parse_args(["check", "--json"])
    code = check_command.run(
        args, Locations.resolve(config_dir), out=out, err=err, log_to_file=False
    )
    assert code == 0 and err.getvalue() == ""
    document = json.loads(out.getvalue())
    assert document["accounts"] == [] and document["summary"]["accounts"] == 0


def test_password_sources(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KEYDECK_PASSWORD", raising=False)
    assert read_password(True, io.StringIO("pass word\r\nignored")) == "pass word"
    with pytest.raises(PasswordUnavailable):
        read_password(True, io.StringIO(""))
    with pytest.raises(PasswordUnavailable):
        read_password(False, io.StringIO("not a tty"))
    monkeypatch.setenv("KEYDECK_PASSWORD", "from-env")
    assert read_password(False, io.StringIO("")) == "from-env"


async def test_the_address_the_exchange_saw(sim: Simulator, tmp_path: Path) -> None:
    """An OKX key refused for its address: `seen_ip` in the JSON, the address in the text."""
    sim.state.client_ip = "2001:db8::1"  # the default keys' allowlist holds the IPv4 one
    config = _config_dir(tmp_path, "moved")
    _keyfile(config, [account_for(sim, "okx")])
    (code_json, out_json, _), (code_text, out_text, _) = await asyncio.gather(
        _check(config, "--json"), _check(config)
    )
    assert code_json == code_text == 2
    problem = json.loads(out_json)["accounts"][0]["problem"]
    assert problem["kind"] == "ip_not_allowed" and problem["seen_ip"] == "2001:db8::1"
    assert "OKX saw this request from 2001:db8::1 (IPv6)." in " ".join(out_text.split())
