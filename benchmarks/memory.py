"""Peak RSS with 20 and 100 accounts after 10 refreshes, and the CPU cost of idle polling.

Both come from `benchmarks.probe` in a fresh process (the simulator runs in another one).
- Memory: the probe's peak RSS (VmHWM; ru_maxrss where /proc is missing, see
  `probe.peak_rss_mb` for why not ru_maxrss on Linux) after 10 refreshes of 20 accounts
  (and of 100, without --quick),
  against a process that only imports ccxt and the connector and builds one client per
  exchange (the floor).
- CPU: polling at the default interval (15 s) costs one refresh of every account per
  interval plus whatever the process burns while it waits. The probe measures the CPU
  seconds of a refresh (average of 9 warm ones) and the CPU rate over an idle window, and
  the figure is (CPU per refresh + idle rate x 15 s) / 15 s. Scaling a measured per-refresh
  cost rather than idling for minutes keeps the run short; the arithmetic is exact because
  nothing else happens between refreshes. The whole app left on its dashboard (refreshes,
  its 1 s clock redraw, timers) is measured separately by `idle-app`.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

from benchmarks.core import Result, RunOptions, Target, median
from benchmarks.simproc import bench_accounts, simulator_process

ACCOUNTS = 20
LARGE = 100
REFRESHES = 10
INTERVAL_S = 15.0
RSS_TARGETS = {ACCOUNTS: Target(150.0, "absolute"), LARGE: Target(200.0, "absolute")}
"""Issue 16: <= 150 MB at 20 accounts, <= 200 MB at 100."""
CPU_TARGET = Target(0.02)


def _probe(args: list[str], stdin: str = "") -> dict[str, Any]:
    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks.probe", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"the probe failed: {completed.stderr[-800:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def _probes(size: int, repeats: int, idle_s: float) -> tuple[list[float], list[dict[str, Any]]]:
    baselines: list[float] = []
    probes: list[dict[str, Any]] = []
    with simulator_process(bench_accounts(size)) as sim:
        described = json.dumps(sim.description)
        for _ in range(repeats):
            baselines.append(_probe(["baseline"])["peak_rss_mb"])
            probes.append(
                _probe(
                    ["refresh", "--refreshes", str(REFRESHES), "--idle", str(idle_s)],
                    described,
                )
            )
    return baselines, probes


def _rss_result(size: int, baselines: list[float], probes: list[dict[str, Any]]) -> Result:
    rss = [p["peak_rss_mb"] for p in probes]
    failed = max(p["failed_reports"] for p in probes)
    failure_note = f"; {failed} report(s) with a problem" if failed else ""
    return Result(
        name=f"peak RSS, {size} accounts x {REFRESHES} refreshes",
        measured=median(rss),
        reference=median(baselines),
        unit="MB",
        target=RSS_TARGETS.get(size),
        note="reference: ccxt + connector imported, one client per exchange" + failure_note,
        samples=tuple(rss),
        reference_samples=tuple(baselines),
        extra={"after_first_refresh_mb": [p["peak_rss_after_first_mb"] for p in probes]},
    )


def run(options: RunOptions) -> list[Result]:
    repeats = max(1, min(options.repeats, 3))
    idle_s = 3.0 if options.quick else 10.0
    baselines, probes = _probes(ACCOUNTS, repeats, idle_s)
    results = [_rss_result(ACCOUNTS, baselines, probes)]
    if not options.quick:
        results.append(_rss_result(LARGE, *_probes(LARGE, repeats, 1.0)))
    per_cycle = [p["cpu_per_refresh_s"] + p["idle_cpu_per_s"] * INTERVAL_S for p in probes]
    cpu_share = median(per_cycle) / INTERVAL_S
    return [
        *results,
        Result(
            name=f"idle polling CPU, {ACCOUNTS} accounts every {INTERVAL_S:g} s",
            measured=median(per_cycle),
            reference=INTERVAL_S,
            unit="s",
            target=CPU_TARGET,
            note=(
                f"CPU seconds per {INTERVAL_S:g} s interval = {cpu_share * 100:.2f} % of one "
                f"core (refresh {median([p['cpu_per_refresh_s'] for p in probes]):.3f} s CPU, "
                f"idle {median([p['idle_cpu_per_s'] for p in probes]) * 100:.3f} %)"
            ),
            samples=tuple(per_cycle),
            extra={"probes": probes},
        ),
    ]
