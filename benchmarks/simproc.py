"""The simulator in a process of its own, so its CPU work is not counted against Keydeck's
(a real exchange is another machine) and the measured process holds only Keydeck."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

EXCHANGES: tuple[str, ...] = (
    "binance",
    "okx",
    "bybit",
    "kucoin",
    "coinbase",
    "kraken",
    "gate",
    "bitget",
)
"""The simulator's exchanges, in the order accounts are dealt out to them."""

BENCH_BALANCES: dict[str, dict[str, str]] = {
    "BTC": {"free": "0.5", "used": "0.1"},
    "ETH": {"free": "4", "used": "0"},
    "USDT": {"free": "1000", "used": "50"},
}


@dataclass(frozen=True)
class SimAccountSpec:
    exchange: str
    label: str


def bench_accounts(count: int) -> list[SimAccountSpec]:
    """`count` accounts dealt round-robin over the exchanges: bench-0 on each, then bench-1..."""
    return [
        SimAccountSpec(EXCHANGES[i % len(EXCHANGES)], f"bench-{i // len(EXCHANGES)}")
        for i in range(count)
    ]


def scenario(accounts: list[SimAccountSpec], latency_ms: int) -> dict[str, Any]:
    """A scenario with only `accounts` (healthy, read+spot, any IP) and `latency_ms` on every
    exchange."""
    return {
        "defaults": False,
        "faults": {exchange: {"latency_ms": latency_ms} for exchange in EXCHANGES}
        if latency_ms
        else {},
        "accounts": [
            {
                "exchange": spec.exchange,
                "label": spec.label,
                "permissions": ["read", "spot"],
                "balances": BENCH_BALANCES,
            }
            for spec in accounts
        ],
    }


@dataclass
class RunningSim:
    process: subprocess.Popen[str]
    description: dict[str, Any]

    @property
    def accounts(self) -> list[dict[str, Any]]:
        return list(self.description["accounts"])


@contextmanager
def simulator_process(accounts: list[SimAccountSpec], latency_ms: int = 0) -> Iterator[RunningSim]:
    """`python -m tui.sim --json` with a scenario of `accounts`; stopped on exit."""
    with tempfile.TemporaryDirectory(prefix="keydeck-bench-sim-") as folder:
        path = Path(folder) / "scenario.json"
        path.write_text(json.dumps(scenario(accounts, latency_ms)), encoding="utf-8")
        process = subprocess.Popen(
            [sys.executable, "-m", "tui.sim", "--json", "--scenario", str(path)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        try:
            assert process.stdout is not None
            line = process.stdout.readline()
            if not line:
                raise RuntimeError("the simulator exited before describing itself")
            yield RunningSim(process, json.loads(line))
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            if process.stdout is not None:
                process.stdout.close()


def vault_accounts(described: list[dict[str, Any]]) -> list[Any]:
    """`tui.vault.Account`s for the simulator's accounts, pointed at its endpoints."""
    from tui.vault import Account

    return [
        Account(
            exchange=entry["exchange"],
            label=entry["label"],
            credentials=dict(entry["credentials"]),
            endpoint=entry["endpoint"],
        )
        for entry in described
    ]
