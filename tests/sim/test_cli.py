"""`python -m tui.sim` as a separate process: the --json line, its credentials, ctrl+c."""

from __future__ import annotations

import asyncio
import json
import signal
import sys
from pathlib import Path

import pytest

from tests.sim.clients import build_client

REPO = Path(__file__).resolve().parents[2]


async def start(*args: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tui.sim",
        *args,
        cwd=REPO,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def stop(process: asyncio.subprocess.Process) -> tuple[int, bytes]:
    process.send_signal(signal.SIGINT)
    _, stderr = await asyncio.wait_for(process.communicate(), 15)
    assert process.returncode is not None
    return process.returncode, stderr


async def test_json_line_and_its_credentials_work() -> None:
    process = await start("--json")
    try:
        assert process.stdout is not None
        line = await asyncio.wait_for(process.stdout.readline(), 30)
        description = json.loads(line)
        assert description["url"].startswith("http://127.0.0.1:")
        by_exchange = {(a["exchange"], a["label"]): a for a in description["accounts"]}
        for exchange in ("binance", "okx", "bybit", "kucoin", "mexc", "htx", "bingx"):
            account = by_exchange[(exchange, "main")]
            assert set(account["traits"]) >= {"permissions", "ip_allowlist", "balances"}
            client = build_client(exchange, account["credentials"], account["endpoint"])
            try:
                balance = await client.fetch_balance()
            finally:
                await client.close()
            usdt = account["traits"]["balances"]["USDT"]
            assert balance["USDT"]["free"] == pytest.approx(float(usdt["free"]))
    finally:
        returncode, stderr = await stop(process)
    assert returncode == 0, stderr.decode()
    assert b"Traceback" not in stderr


async def test_readable_listing_and_bad_scenario(tmp_path: Path) -> None:
    process = await start()
    try:
        assert process.stdout is not None
        first = await asyncio.wait_for(process.stdout.readline(), 30)
        assert first.startswith(b"Keydeck exchange simulator on http://127.0.0.1:")
    finally:
        returncode, stderr = await stop(process)
    assert returncode == 0, stderr.decode()

    broken = tmp_path / "broken.toml"
    broken.write_text("[[accounts]]\nexchange = 'binance'\n", encoding="utf-8")
    process = await start("--scenario", str(broken))
    _, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 2
    assert b"exchange and label are required" in stderr
