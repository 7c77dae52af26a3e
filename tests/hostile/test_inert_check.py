"""An asset name chosen by whoever answers cannot rewrite `keydeck check`'s table: the
escape sequences that erased another account's critical line arrive as visible text."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from tui.base.paths import ensure_private_dir
from tui.sim import Simulator
from tui.sim.scenario import Scenario
from tui.vault import Account, KdfParams, Vault

PASSWORD = "correct horse battery staple 42"
ERASER = "\u001b[30A\u001b[J...ALL KEYS OK"
OSC_TITLE = "\u001b]0;pwned\u0007"

SCENARIO = {
    "accounts": [
        {
            "exchange": "binance",
            "label": "hostile",
            "permissions": ["read", "spot"],
            "balances": {ERASER: "5", OSC_TITLE: "7", "USDT": "10"},
            "key_name": f"{OSC_TITLE}key",
        }
    ]
}


def _account(sim: Simulator, exchange: str, label: str) -> Account:
    return Account(
        exchange=exchange,
        label=label,
        credentials=sim.account(exchange, label).credentials,
        endpoint=sim.endpoint(exchange),
    )


async def test_an_asset_name_cannot_erase_a_critical_line(tmp_path: Path) -> None:
    config = tmp_path / "config"
    ensure_private_dir(config)
    async with Simulator(Scenario.from_dict(SCENARIO)) as sim:
        with Vault.create(config / "keys.kdk", PASSWORD, kdf=KdfParams.insecure_fast()) as vault:
            vault.add(_account(sim, "bybit", "risky"))  # withdrawals enabled: critical
            vault.add(_account(sim, "binance", "hostile"))
            vault.save()
        env = {k: v for k, v in os.environ.items() if not k.startswith("KEYDECK_")}
        env |= {"KEYDECK_CONFIG_DIR": str(config), "KEYDECK_PASSWORD": PASSWORD}
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tui", "check",
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=env,
        )  # fmt: skip
        out, err = await asyncio.wait_for(process.communicate(), timeout=90)
    text = out.decode()
    assert process.returncode == 1, (text, err.decode())
    assert "[critical] Withdrawals are enabled" in text
    assert "Binance · hostile" in text
    assert "\u001b" not in text and "\u0007" not in text, text
    assert "\\x1b" in text  # the asset is there, as visible text
    log_text = (config / "logs" / "keydeck.log").read_text()
    assert "\u001b" not in log_text and "\u0007" not in log_text
