"""`keydeck check --json` as a subprocess against the hostile server, one mode per keyfile
holding one account per exchange module: exit 2 (never 0), valid JSON, every account failing
with the mode's Problem, nothing at the redirect target, bounded time and peak memory, and
no credential in stdout, stderr or the log.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.connect.hostile import MODES, SLOW_MODES, HostileServer
from tests.connect.test_hostile import EXCHANGE_IDS, EXPECTED, hostile_account
from tui.connect.transport import MAX_BODY_BYTES
from tui.vault import Vault
from tui.vault.kdf import KdfParams

PASSWORD = "hostile check password 7"
# `keydeck check` reads every account at once, and each may hold one capped answer while it
# reads it: Python, ccxt and its exchange classes (~150 MB), plus MAX_BODY_BYTES per account.
# A cap that failed (100 MB bodies, a 2 GiB bomb) or doubled would go past this.
PEAK_RSS_LIMIT_MB = 150 + len(EXCHANGE_IDS) * MAX_BODY_BYTES // 2**20
# `keydeck check` waits 15 s per request (tui/commands/check.py); a hanging server costs
# one of them.
TIME_LIMIT_S = {"trickle": 45.0, "hang": 45.0}
DEFAULT_TIME_LIMIT_S = 30.0


@pytest.fixture(scope="module")
def hostile() -> Iterator[HostileServer]:
    with HostileServer.start() as server:
        yield server


# Peak RSS is read by a small parent of the check: a child forked from pytest itself would
# count pytest's own pages in its high-water mark.
_MEASURE = (
    "import resource, subprocess, sys\n"
    "code = subprocess.call(sys.argv[2:])\n"
    "peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
    "open(sys.argv[1], 'w').write(str(peak_kb))\n"
    "sys.exit(code)\n"
)


def run_check(config_dir: Path, out_dir: Path) -> tuple[int, str, str, float]:
    """(exit code, stdout, stderr, peak RSS in MB) of `keydeck check --json`."""
    env = {k: v for k, v in os.environ.items() if not k.upper().endswith("_PROXY")}
    env.update(KEYDECK_CONFIG_DIR=str(config_dir), KEYDECK_PASSWORD=PASSWORD)
    peak_path = out_dir / "peak-kb"
    command = [sys.executable, "-c", _MEASURE, str(peak_path)]
    command += [sys.executable, "-m", "tui", "check", "--json"]
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    peak_mb = int(peak_path.read_text()) / 1024  # ru_maxrss is in kB on Linux
    return done.returncode, done.stdout, done.stderr, peak_mb


def _mode_params() -> list[object]:
    return [
        pytest.param(mode, marks=pytest.mark.slow) if mode in SLOW_MODES else mode for mode in MODES
    ]


@pytest.mark.skipif(sys.platform != "linux", reason="ru_maxrss is in kB on Linux only")
@pytest.mark.parametrize("mode", _mode_params())
def test_check_against_a_hostile_server(hostile: HostileServer, tmp_path: Path, mode: str) -> None:
    config_dir = tmp_path / "config"
    config_dir.mkdir(mode=0o700)
    accounts = [hostile_account(hostile, exchange, mode) for exchange in EXCHANGE_IDS]
    with Vault.create(config_dir / "keys.kdk", PASSWORD, kdf=KdfParams.insecure_fast()) as vault:
        for account in accounts:
            vault.add(account)
        vault.save()

    started = time.monotonic()
    code, out, err, peak_mb = run_check(config_dir, tmp_path)
    elapsed = time.monotonic() - started

    assert code == 2, (code, err[-2000:])
    document = json.loads(out)
    assert document["exit_code"] == 2
    assert document["summary"]["failed"] == len(EXCHANGE_IDS)
    for row in document["accounts"]:
        assert row["status"] == "failing" and row["balances"] == [], row
        assert row["problem"] is not None and row["problem"]["kind"] != "unknown", row
        if EXPECTED[mode] is not None:
            assert row["problem"]["kind"] == EXPECTED[mode].value, row
    assert "Traceback" not in err
    assert hostile.trap_requests == []
    assert elapsed < TIME_LIMIT_S.get(mode, DEFAULT_TIME_LIMIT_S), elapsed
    assert peak_mb < PEAK_RSS_LIMIT_MB, f"peak RSS {peak_mb:.0f} MB"

    log_path = config_dir / "logs" / "keydeck.log"
    log_text = log_path.read_text() if log_path.exists() else ""
    for account in accounts:
        for name, value in account.credentials.items():
            if name == "apiKey":
                continue  # an API key is an identifier, shown masked in the app
            secret = value.reveal()
            assert secret not in out and secret not in err and secret not in log_text, name
    assert PASSWORD not in out + err + log_text
