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
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

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


def _measure(size: int, window_s: float) -> dict[str, float | str]:
    specs = bench_accounts(size)
    with (
        simulator_process(specs, latency_ms=LATENCY_MS) as sim,
        simulator_process(specs, latency_ms=LATENCY_MS) as loop_sim,
        tempfile.TemporaryDirectory(prefix="keydeck-bench-idle-") as folder,
    ):
        described = Path(folder) / "loop.json"
        described.write_text(json.dumps(loop_sim.description), encoding="utf-8")
        loop = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.anchor_loop", str(described), str(INTERVAL_S)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        try:
            config = keyfile(Path(folder), sim.description, INTERVAL_S)
            with keydeck(config, size) as mine, anchor(size) as plain:
                assert loop.stdout is not None
                if not loop.stdout.readline().startswith("round"):
                    raise RuntimeError("the anchor loop ended before its first round")
                time.sleep(3)
                load = load_average()
                pids = {"keydeck": mine.pid, "app": plain.pid, "loop": loop.pid}
                before = {name: process_cpu_s(pid) for name, pid in pids.items()}
                started = time.perf_counter()
                time.sleep(window_s)
                wall = time.perf_counter() - started
                used = {name: process_cpu_s(pid) - before[name] for name, pid in pids.items()}
                load += f" -> {load_average()}"
        finally:
            loop.terminate()
            loop.wait(10)
            if loop.stdout is not None:
                loop.stdout.close()
    return {**{k: v / wall * 100 for k, v in used.items()}, "wall": wall, "load": load}


def run(options: RunOptions) -> list[Result]:
    window = QUICK_WINDOW_S if options.quick else WINDOW_S
    results = []
    for size in QUICK_SIZES if options.quick else SIZES:
        found = _measure(size, window)
        mine, app, loop = (float(found[k]) for k in ("keydeck", "app", "loop"))
        results.append(
            Result(
                name=f"idle CPU, {size} accounts, {INTERVAL_S} s refresh (tmux 160x48)",
                measured=mine,
                reference=loop + app,
                unit="%",
                target=TARGET,
                note=(
                    f"% of one core over {float(found['wall']):.0f} s; reference: plain ccxt "
                    f"loop (balance + tickers every {INTERVAL_S} s) {loop:.2f} % + plain "
                    f"Textual app idle {app:.2f} %; load average {found['load']}"
                ),
                extra={"loop_pct": loop, "app_pct": app},
            )
        )
    return results
