"""Idle CPU of Keydeck's dashboard in a real terminal, beside what its requests cost alone.

Keydeck (`keydeck` in tmux at 160x48, dashboard, N = 20 and 100 accounts (20 with --quick),
the default 15 s between rounds, 200 ms per answer from the simulator in its own process)
is left alone. Its anchor, running at the same time: a plain asyncio ccxt loop
(`benchmarks/anchor_loop.py`) making the balance pane's requests (balance, then tickers of
the held assets) for the same accounts every 15 s against a second simulator process, plus
the plain Textual app of the same shape (`benchmarks/anchor_app.py`) idle in its own tmux.
After Keydeck's first round has answered every account, the CPU seconds (user + system,
all threads, from /proc) of the three processes are read over the same 60 s window (four
intervals). Figure: Keydeck's share of a core against loop + app (<= 1.25x).

The loop uses ccxt's own rate limiter (`benchmarks.plain_client`), as a plain script does.
Keydeck's clients use Keydeck's paced limiter, which costs far less; so a second loop with
Keydeck's limiter runs in the same window, and Keydeck against it is reported (not judged):
what the dashboard and session add beside requests made as cheaply as Keydeck makes them.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.core import Result, RunOptions, Target
from benchmarks.simproc import bench_accounts, simulator_process
from benchmarks.tmuxdash import anchor, keydeck, keyfile
from benchmarks.tmuxrun import load_average, process_cpu_s

SIZES = (20, 100)
QUICK_SIZES = (20,)
LATENCY_MS = 200
INTERVAL_S = 15
WINDOW_S = 60.0
QUICK_WINDOW_S = 30.0
TARGET = Target(1.25)


def _start_loop(folder: Path, name: str, description: dict[str, Any], *flags: str) -> Any:
    described = folder / f"{name}.json"
    described.write_text(json.dumps(description), encoding="utf-8")
    return subprocess.Popen(
        [sys.executable, "-m", "benchmarks.anchor_loop", str(described), str(INTERVAL_S), *flags],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )


def _stop_loop(loop: Any) -> None:
    loop.terminate()
    loop.wait(10)
    if loop.stdout is not None:
        loop.stdout.close()


def _measure(size: int, window_s: float) -> dict[str, float | str]:
    specs = bench_accounts(size)
    with (
        simulator_process(specs, latency_ms=LATENCY_MS) as sim,
        simulator_process(specs, latency_ms=LATENCY_MS) as loop_sim,
        simulator_process(specs, latency_ms=LATENCY_MS) as paced_sim,
        tempfile.TemporaryDirectory(prefix="keydeck-bench-idle-") as folder,
    ):
        loops = {
            "loop": _start_loop(Path(folder), "loop", loop_sim.description),
            "paced_loop": _start_loop(
                Path(folder), "paced", paced_sim.description, "--keydeck-limiter"
            ),
        }
        try:
            config = keyfile(Path(folder), sim.description, INTERVAL_S)
            with keydeck(config, size) as mine, anchor(size) as plain:
                for loop in loops.values():
                    assert loop.stdout is not None
                    if not loop.stdout.readline().startswith("round"):
                        raise RuntimeError("an anchor loop ended before its first round")
                time.sleep(3)
                load = load_average()
                pids = {"keydeck": mine.pid, "app": plain.pid}
                pids.update({name: loop.pid for name, loop in loops.items()})
                before = {name: process_cpu_s(pid) for name, pid in pids.items()}
                started = time.perf_counter()
                time.sleep(window_s)
                wall = time.perf_counter() - started
                used = {name: process_cpu_s(pid) - before[name] for name, pid in pids.items()}
                load += f" -> {load_average()}"
        finally:
            for loop in loops.values():
                _stop_loop(loop)
    return {**{k: v / wall * 100 for k, v in used.items()}, "wall": wall, "load": load}


def run(options: RunOptions) -> list[Result]:
    window = QUICK_WINDOW_S if options.quick else WINDOW_S
    results = []
    for size in QUICK_SIZES if options.quick else SIZES:
        found = _measure(size, window)
        mine, app, loop, paced = (float(found[k]) for k in ("keydeck", "app", "loop", "paced_loop"))
        results.append(
            Result(
                name=f"idle CPU, {size} accounts, {INTERVAL_S} s refresh (tmux 160x48)",
                measured=mine,
                reference=loop + app,
                unit="%",
                target=TARGET,
                note=(
                    f"% of one core over {float(found['wall']):.0f} s; reference: plain ccxt "
                    f"loop (balance + tickers every {INTERVAL_S} s, ccxt's rate limiter) "
                    f"{loop:.2f} % + plain Textual app idle {app:.2f} %; load average "
                    f"{found['load']}"
                ),
                extra={"loop_pct": loop, "app_pct": app, "paced_loop_pct": paced},
            )
        )
        results.append(
            Result(
                name=f"  same, loop with Keydeck's rate limiter, {size} accounts (reported)",
                measured=mine,
                reference=paced + app,
                unit="%",
                note=(
                    f"reference: the same loop with Keydeck's paced limiter {paced:.2f} % + "
                    f"the plain app {app:.2f} %, same window: what the dashboard costs beside "
                    "requests made as cheaply as Keydeck makes them; not judged"
                ),
                extra={"paced_loop_pct": paced, "app_pct": app},
            )
        )
    return results
