"""Refresh fan-out: N accounts through `Connector.refresh` against one account alone.

The simulator runs in its own process with 200 ms added to every answer. Accounts are dealt
round-robin over the eight exchanges. Each exchange needs a different number of requests
per refresh, so the reference for "all results" is the slowest of the exchanges involved
measured alone, and for "first result" the fastest of them alone: a perfect fan-out matches
both. Every figure is a warm refresh (clients built and markets loaded by one refresh before
timing), which is what the dashboard's timer does all day.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.core import Result, RunOptions, Target, median
from benchmarks.simproc import EXCHANGES, bench_accounts, simulator_process, vault_accounts

LATENCY_MS = 200
SIZES = (1, 5, 20, 50)
QUICK_SIZES = (1, 20)
TARGET_SIZE = 20
ALL_TARGET = Target(1.5)
FIRST_TARGET = Target(1.1)


async def _timed_refresh(connector: Any, accounts: list[Any]) -> tuple[float, float, int]:
    """(seconds to the first report, seconds to the last, reports with a problem)."""
    started = time.perf_counter()
    first: float | None = None
    failed = 0
    async for report in connector.refresh(accounts, force=True):
        if first is None:
            first = time.perf_counter() - started
        if report.problem is not None:
            failed += 1
    total = time.perf_counter() - started
    return (first if first is not None else total), total, failed


async def _measure(accounts: list[Any], repeats: int, cache: Path) -> tuple[list[float], ...]:
    from tui.connect import Connector

    firsts: list[float] = []
    totals: list[float] = []
    failures: list[float] = []
    async with Connector(cache_dir=cache, timeout_s=10.0, account_timeout_s=60.0) as connector:
        await _timed_refresh(connector, accounts)  # warm-up: clients, markets
        for _ in range(repeats):
            first, total, failed = await _timed_refresh(connector, accounts)
            firsts.append(first)
            totals.append(total)
            failures.append(failed)
    return firsts, totals, failures


async def _run(options: RunOptions, sizes: tuple[int, ...]) -> list[Result]:
    largest = max(sizes)
    specs = bench_accounts(max(largest, len(EXCHANGES)))
    results: list[Result] = []
    with (
        simulator_process(specs, latency_ms=LATENCY_MS) as sim,
        tempfile.TemporaryDirectory(prefix="keydeck-bench-") as folder,
    ):
        accounts = vault_accounts(sim.accounts)
        by_key = {(a.exchange, a.label): a for a in accounts}
        ordered = [by_key[(s.exchange, s.label)] for s in specs]
        alone: dict[str, list[float]] = {}
        for exchange in EXCHANGES:
            if not any(a.exchange == exchange for a in ordered[:largest]):
                continue
            _, totals, failures = await _measure(
                [by_key[(exchange, "bench-0")]], options.repeats, Path(folder)
            )
            if any(failures):
                raise RuntimeError(f"the lone {exchange} account failed to refresh")
            alone[exchange] = totals
        for size in sizes:
            chosen = ordered[:size]
            firsts, totals, failures = await _measure(chosen, options.repeats, Path(folder))
            present = {a.exchange for a in chosen}
            slowest = max(present, key=lambda e: median(alone[e]))
            fastest = min(present, key=lambda e: median(alone[e]))
            note = f"{size} accounts on {len(present)} exchanges, {LATENCY_MS} ms latency"
            if any(failures):
                note += f"; {int(max(failures))} report(s) with a problem"
            at_target = size == TARGET_SIZE
            results.append(
                Result(
                    name=f"fanout all N={size}",
                    measured=median(totals),
                    reference=median(alone[slowest]),
                    unit="s",
                    target=ALL_TARGET if at_target else None,
                    note=f"{note}; reference: {slowest} alone",
                    samples=tuple(totals),
                    reference_samples=tuple(alone[slowest]),
                )
            )
            results.append(
                Result(
                    name=f"fanout first N={size}",
                    measured=median(firsts),
                    reference=median(alone[fastest]),
                    unit="s",
                    target=FIRST_TARGET if at_target else None,
                    note=f"{note}; reference: {fastest} alone",
                    samples=tuple(firsts),
                    reference_samples=tuple(alone[fastest]),
                )
            )
    return results


def run(options: RunOptions) -> list[Result]:
    return asyncio.run(_run(options, QUICK_SIZES if options.quick else SIZES))
