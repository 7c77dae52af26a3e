"""`v` key to repaint on the dashboard in a real terminal, beside a plain Textual anchor.

Keydeck (`keydeck`, dashboard, N = 20 and 100 accounts (20 with --quick), a round every
2 s against the simulator in its own process with 200 ms on every answer, so rounds run
nearly back to back) and the anchor (`benchmarks/anchor_app.py`: a plain Textual app of the
same shape flipping between two prebuilt tables) each run in their own tmux server at
160x48, at the same time. Presses alternate between the two (Keydeck, anchor, Keydeck, ...)
with random 50-300 ms gaps, so the machine's load falls on both alike. One sample: from
handing `v` to tmux (one control-mode client, no process spawned per key) until the pane's
new title ("Balances · per account" / "Balances · all accounts") reaches the terminal
(`pipe-pane`). Figures: p50 and p95 (judged, <= 1.25x the anchor's) and p99 (reported).
"""

from __future__ import annotations

import random
import tempfile
import time
from pathlib import Path

from benchmarks.core import Result, RunOptions, Target
from benchmarks.simproc import bench_accounts, simulator_process
from benchmarks.tmuxdash import anchor, keydeck, keyfile
from benchmarks.tmuxrun import TmuxApp, load_average

SIZES = (20, 100)
QUICK_SIZES = (20,)
PRESSES = 200
QUICK_PRESSES = 40
LATENCY_MS = 200
REFRESH_S = 2
TARGET = Target(1.25)
VIEWS = ("all accounts", "per account")


def percentile(samples: list[float], share: float) -> float:
    """Nearest-rank percentile (`share` in 0..1)."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))]


class Flipper:
    """Presses `v` in one app and times the new title's arrival."""

    def __init__(self, app: TmuxApp) -> None:
        self.app = app
        self.view = 0
        self.samples: list[float] = []

    def press(self) -> None:
        self.view = 1 - self.view
        marker = f"Balances · {VIEWS[self.view]}".encode()
        self.app.drain()
        started = self.app.key("v")
        self.samples.append((self.app.wait_bytes(marker) - started) * 1000)


def _measure(size: int, presses: int) -> tuple[list[float], list[float], str]:
    rng = random.Random(30)
    with (
        simulator_process(bench_accounts(size), latency_ms=LATENCY_MS) as sim,
        tempfile.TemporaryDirectory(prefix="keydeck-bench-keys-") as folder,
    ):
        config = keyfile(Path(folder), sim.description, REFRESH_S)
        with keydeck(config, size) as mine, anchor(size) as plain:
            time.sleep(2)
            load = load_average()
            flippers = (Flipper(mine), Flipper(plain))
            for _ in range(presses):
                for flipper in flippers:
                    flipper.press()
                    time.sleep(rng.uniform(0.05, 0.3))
            load += f" -> {load_average()}"
    return flippers[0].samples, flippers[1].samples, load


def run(options: RunOptions) -> list[Result]:
    presses = QUICK_PRESSES if options.quick else PRESSES
    results = []
    for size in QUICK_SIZES if options.quick else SIZES:
        mine, plain, load = _measure(size, presses)
        for label, share, target in (
            ("p50", 0.5, TARGET),
            ("p95", 0.95, TARGET),
            ("p99", 0.99, None),
        ):
            results.append(
                Result(
                    name=f"v key to repaint {label}, {size} accounts (tmux 160x48)",
                    measured=percentile(mine, share),
                    reference=percentile(plain, share),
                    unit="ms",
                    target=target,
                    note=(
                        f"{len(mine)} presses each, interleaved; reference: plain Textual app "
                        f"flipping two prebuilt tables; rounds every {REFRESH_S} s, "
                        f"{LATENCY_MS} ms per answer; load average {load}"
                    ),
                    samples=tuple(mine) if label == "p50" else (),
                    reference_samples=tuple(plain) if label == "p50" else (),
                )
            )
    return results
