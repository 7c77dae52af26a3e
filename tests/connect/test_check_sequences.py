"""`keydeck check` over an outage and a burst of server errors: run while the exchange is
away it exits 2 with the documented message for each account (never 3, never a traceback),
and run again once it is back, from the same config dir, it is clean (nothing it wrote
during the outage, such as the markets cache, gets in the way)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from tests.connect.conftest import account_for
from tests.connect.test_check_cli import _check, _config_dir, _keyfile
from tui.sim import Simulator

EXCHANGES = ("binance", "okx", "bybit")
NAMES = {"binance": "Binance", "okx": "OKX", "bybit": "Bybit"}


async def test_check_during_an_outage_exits_2_then_clean_after_recovery(tmp_path: Path) -> None:
    async with Simulator(exchanges=list(EXCHANGES)) as sim:
        config = _config_dir(tmp_path, "config")
        _keyfile(config, [account_for(sim, e) for e in EXCHANGES])
        await sim.go_offline()  # the Wi-Fi dropped: connections refused
        (code, out, err), (code_table, table, _) = await asyncio.gather(
            _check(config, "--json"), _check(config)
        )
        assert code == code_table == 2, err
        document = json.loads(out)
        assert document["exit_code"] == 2
        assert document["summary"]["failed"] == len(EXCHANGES)
        for account in document["accounts"]:
            assert account["status"] == "failing" and account["reachable"] is False
            problem = account["problem"]
            assert problem["kind"] == "unreachable"
            assert problem["title"] == f"Cannot reach {NAMES[account['exchange']]}."
            assert "internet connection" in problem["fix"]
            assert account["balances"] == [] and account["total_usd"] is None
        for exchange in EXCHANGES:
            assert f"✗ {NAMES[exchange]} · main" in table
        assert "Cannot reach Binance." in table
        assert "Total unknown" in table and f"{len(EXCHANGES)} failing" in table
        assert "$0.00" not in table

        await sim.go_online()  # same port, back
        code, out, err = await _check(config, "--json")
        assert code == 0, out
        document = json.loads(out)
        assert document["summary"]["failed"] == 0
        assert all(a["problem"] is None for a in document["accounts"])
        assert all(a["status"] == "ok" for a in document["accounts"])


async def test_check_during_a_burst_of_server_errors_then_healthy(tmp_path: Path) -> None:
    async with Simulator(exchanges=list(EXCHANGES)) as sim:
        config = _config_dir(tmp_path, "config")
        _keyfile(config, [account_for(sim, e) for e in EXCHANGES])
        sim.set_faults("okx", maintenance=True)  # 503 with an HTML page, every request
        code, out, err = await _check(config, "--json")
        assert code == 2, err
        document = json.loads(out)
        by_exchange = {a["exchange"]: a for a in document["accounts"]}
        assert by_exchange["okx"]["problem"]["kind"] == "maintenance"
        assert by_exchange["okx"]["status"] == "failing"
        assert by_exchange["binance"]["problem"] is None  # the others answer meanwhile
        assert document["summary"]["failed"] == 1
        sim.clear_faults("okx")
        code, out, _ = await _check(config, "--json")
        assert code == 0, out
        assert json.loads(out)["summary"]["failed"] == 0
