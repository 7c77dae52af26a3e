"""`keydeck check` against a plain ccxt script that makes the same requests, N = 1, 20, 50
and 100 accounts (1 and 20 with --quick).

Both run as fresh processes (`benchmarks.check_probe`) against one simulator process
(50 ms on every answer), interleaved (each side in each place in turn), several times
each; the figure is the median of each side's wall time (spawn to exit) and CPU time (the
child's user + system), with Keydeck's unlock (`Vault.open`, timed inside the process; the
keyfile has a cheap KDF, the real KDF's cost is the `unlock` benchmark's) taken out.
Keydeck's markets cache is emptied before each run, so it loads markets as the script
does. A recording run of each side first checks that both asked the simulator exactly the
same (method, path) requests; a difference is reported in the note. The rows at N = 20
carry the issue's target (<= 1.15x); the others make the growth table. At N = 20 a third
side, the script ending with `gc.freeze()` as `keydeck` does, gives a reported row: what
Keydeck costs beside the same requests once neither pays the interpreter's exit
collections.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from benchmarks.core import Result, RunOptions, Target, as_installed, median
from benchmarks.simproc import bench_accounts, simulator_process, vault_accounts

SIZES = (1, 20, 50, 100)
QUICK_SIZES = (1, 20)
LATENCY_MS = 50
TARGET_SIZE = 20
TARGET = Target(1.15)
PASSWORD = "benchmark-check-42"  # noqa: S105 - a throwaway keyfile


def _children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _probe(args: list[str], env: dict[str, str]) -> dict[str, Any]:
    """Run one probe; its result with the wall and CPU time of the whole process."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        out = handle.name
    try:
        cpu, wall = _children_cpu_s(), time.perf_counter()
        completed = subprocess.run(
            [sys.executable, "-m", "benchmarks.check_probe", *args[:2], out, *args[2:]],
            env=as_installed({**os.environ, **env}),  # both sides: compiled once, not per run
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        wall = time.perf_counter() - wall
        cpu = _children_cpu_s() - cpu
        if completed.returncode != 0:
            raise RuntimeError(f"the check probe failed: {completed.stderr[-800:]}")
        result: dict[str, Any] = json.loads(Path(out).read_text(encoding="utf-8"))
    finally:
        Path(out).unlink(missing_ok=True)
    result.update(wall_s=wall, process_cpu_s=cpu)
    return result


def _keyfile(folder: Path, description: dict[str, Any]) -> Any:
    from tui.base.paths import Locations, ensure_private_dir
    from tui.vault import KdfParams, Vault

    locations = Locations.resolve(str(folder / "config"))
    ensure_private_dir(locations.config_dir)
    with Vault.create(locations.keyfile, PASSWORD, kdf=KdfParams.insecure_fast()) as vault:
        for account in vault_accounts(description["accounts"]):
            vault.add(account)
        vault.save()
    return locations


def _measure(size: int, repeats: int) -> dict[str, Any]:
    with (
        simulator_process(bench_accounts(size), latency_ms=LATENCY_MS) as sim,
        tempfile.TemporaryDirectory(prefix="keydeck-bench-check-") as folder,
    ):
        locations = _keyfile(Path(folder), sim.description)
        described = Path(folder) / "description.json"
        described.write_text(json.dumps(sim.description), encoding="utf-8")
        env = {"KEYDECK_PASSWORD": PASSWORD}
        keydeck_args = ["keydeck", str(locations.config_dir)]
        plain_args = ["plain", str(described)]

        def keydeck(*extra: str) -> dict[str, Any]:
            shutil.rmtree(locations.cache_dir, ignore_errors=True)  # markets as the script
            return _probe([*keydeck_args, *extra], env)

        recorded = (keydeck("--record"), _probe([*plain_args, "--record"], {}))
        sides = {
            "keydeck": keydeck,
            "plain": lambda: _probe(plain_args, {}),
        }
        if size == TARGET_SIZE:
            sides["plain_frozen"] = lambda: _probe([*plain_args, "--frozen-exit"], {})
        runs: dict[str, list[dict[str, Any]]] = {name: [] for name in sides}
        names = list(sides)
        for index in range(repeats):
            shift = index % len(names)  # each side takes each place in turn
            for name in names[shift:] + names[:shift]:
                runs[name].append(sides[name]())
    return {"recorded": recorded, **runs}


def _difference(keydeck: dict[str, int], plain: dict[str, int]) -> str:
    extra = Counter(keydeck) - Counter(plain)
    missing = Counter(plain) - Counter(keydeck)
    if not extra and not missing:
        return f"same {sum(keydeck.values())} requests on both sides"
    return f"REQUESTS DIFFER: Keydeck only {dict(extra)}; script only {dict(missing)}"


def run(options: RunOptions) -> list[Result]:
    repeats = max(3, options.repeats)
    results: list[Result] = []
    for size in QUICK_SIZES if options.quick else SIZES:
        found = _measure(size, repeats)
        keydeck, plain = found["keydeck"], found["plain"]
        if any(run["code"] not in (0, 1) for run in keydeck):
            raise RuntimeError(f"keydeck check failed: exit codes {[r['code'] for r in keydeck]}")
        same = _difference(found["recorded"][0]["requests"], found["recorded"][1]["requests"])
        unlock_wall = median([r["unlock"].get("wall_s", 0.0) for r in keydeck])
        unlock_cpu = median([r["unlock"].get("cpu_s", 0.0) for r in keydeck])
        target = TARGET if size == TARGET_SIZE else None
        for kind, key, unlock in (("wall", "wall_s", "wall_s"), ("CPU", "process_cpu_s", "cpu_s")):
            measured = [r[key] - r["unlock"].get(unlock, 0.0) for r in keydeck]
            reference = [r[key] for r in plain]
            results.append(
                Result(
                    name=f"keydeck check {kind}, {size} accounts, unlock excluded",
                    measured=median(measured),
                    reference=median(reference),
                    unit="s",
                    target=target,
                    note=(
                        f"reference: plain ccxt, same requests ({same}); {repeats} runs each, "
                        f"interleaved; unlock taken out: {unlock_wall * 1000:.0f} ms wall, "
                        f"{unlock_cpu * 1000:.0f} ms CPU"
                    ),
                    samples=tuple(measured),
                    reference_samples=tuple(reference),
                )
            )
        if "plain_frozen" in found:
            measured = [r["process_cpu_s"] - r["unlock"].get("cpu_s", 0.0) for r in keydeck]
            reference = [r["process_cpu_s"] for r in found["plain_frozen"]]
            results.append(
                Result(
                    name=f"keydeck check CPU, {size} accounts, vs a script that exits as it does",
                    measured=median(measured),
                    reference=median(reference),
                    unit="s",
                    target=None,
                    note=(
                        "reported, not judged: the plain script also ends with gc.freeze(), so "
                        "neither side pays the interpreter's exit collections; what is left is "
                        "Keydeck's own work beside the same requests"
                    ),
                    samples=tuple(measured),
                    reference_samples=tuple(reference),
                )
            )
    return results
