"""Measured in a fresh process, so peak RSS and CPU belong to Keydeck's work alone.

    python -m benchmarks.probe baseline
    python -m benchmarks.probe refresh --refreshes 10 --idle 5 < simulator-description.json

Prints one JSON line. `baseline` imports ccxt and the connector and builds one client per
exchange (the floor any Keydeck with live balances pays); `refresh` runs the connector over
every account the simulator describes.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


def peak_rss_mb() -> float:
    """This process's peak RSS: VmHWM where /proc has it, else ru_maxrss.

    On Linux, ru_maxrss survives exec: a child spawned by a large parent (the benchmark
    runner, after running the app in-process) starts with the parent's size as its "peak".
    VmHWM belongs to the process's own address space, so it starts fresh at exec.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def _baseline(exchanges: list[str]) -> dict[str, Any]:
    import ccxt.async_support as ccxt_async

    import tui.connect  # noqa: F401 - the connector's own modules belong to the floor

    clients = [getattr(ccxt_async, exchange)({"enableRateLimit": True}) for exchange in exchanges]
    for client in clients:
        await client.close()
    return {"peak_rss_mb": peak_rss_mb()}


async def _refresh(description: dict[str, Any], refreshes: int, idle_s: float) -> dict[str, Any]:
    from benchmarks.simproc import vault_accounts
    from tui.connect import Connector

    accounts = vault_accounts(description["accounts"])
    failures = 0
    with tempfile.TemporaryDirectory(prefix="keydeck-probe-") as folder:
        async with Connector(cache_dir=Path(folder), timeout_s=10.0) as connector:
            await connector.refresh_all(accounts, force=True)  # warm-up: clients, markets
            rss_after_first = peak_rss_mb()
            cpu_before, wall_before = cpu_seconds(), time.perf_counter()
            for _ in range(refreshes - 1):
                reports = await connector.refresh_all(accounts, force=True)
                failures += sum(1 for r in reports if r.problem is not None)
            refresh_cpu = cpu_seconds() - cpu_before
            refresh_wall = time.perf_counter() - wall_before
            cpu_before, wall_before = cpu_seconds(), time.perf_counter()
            await asyncio.sleep(idle_s)
            idle_cpu = cpu_seconds() - cpu_before
            idle_wall = time.perf_counter() - wall_before
    return {
        "accounts": len(accounts),
        "refreshes": refreshes,
        "peak_rss_mb": peak_rss_mb(),
        "peak_rss_after_first_mb": rss_after_first,
        "cpu_per_refresh_s": refresh_cpu / max(1, refreshes - 1),
        "wall_per_refresh_s": refresh_wall / max(1, refreshes - 1),
        "idle_cpu_per_s": idle_cpu / idle_wall if idle_wall > 0 else 0.0,
        "failed_reports": failures,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.probe")
    parser.add_argument("mode", choices=("baseline", "refresh"))
    parser.add_argument("--refreshes", type=int, default=10)
    parser.add_argument("--idle", type=float, default=5.0, help="idle seconds to measure")
    parser.add_argument(
        "--exchanges", default="binance,okx,bybit,kucoin,coinbase,kraken,gate,bitget"
    )
    args = parser.parse_args(argv)
    if args.mode == "baseline":
        result = asyncio.run(_baseline(args.exchanges.split(",")))
    else:
        description = json.loads(sys.stdin.read())
        result = asyncio.run(_refresh(description, max(2, args.refreshes), args.idle))
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
