"""Soak test: the demo with a 1 s refresh for N minutes; memory, tasks, sessions over time.

    .venv/bin/python scripts/soak.py [--minutes 30] [--sample 10] [--json FILE]

Runs the real app (`keydeck --demo`'s session: simulator in-process, the demo keyfile, the
dashboard as home) headless, with the dashboard's auto-refresh set to 1 s and the idle lock
off. Every `--sample` seconds it records the process's RSS, the number of asyncio tasks,
threads, open file descriptors, live aiohttp client sessions and refresh rounds finished.
The first 20 % of the run (at least one minute) is warm-up: caches fill, ccxt loads markets.

Verdicts (exit code 1 if any fails): RSS at the end at most 10 % above the warm-up's end,
no growth in asyncio tasks, threads or file descriptors, and no aiohttp session left open
(nor an "Unclosed client session" warning) after the app has quit. Not part of CI.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import logging
import os
import statistics
import sys
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

MAX_RSS_GROWTH = 0.10


@dataclass
class Sample:
    elapsed_s: float
    rss_mb: float
    tasks: int
    threads: int
    fds: int
    sessions: int
    rounds: int


def rss_mb() -> float:
    with open("/proc/self/statm", encoding="ascii") as handle:
        resident_pages = int(handle.read().split()[1])
    return resident_pages * os.sysconf("SC_PAGE_SIZE") / (1024 * 1024)


def open_fds() -> int:
    try:
        return len(os.listdir("/proc/self/fd"))
    except OSError:
        return -1


def live_sessions() -> int:
    """aiohttp ClientSessions that exist and are not closed (after a collection)."""
    import aiohttp

    gc.collect()
    return sum(
        1 for obj in gc.get_objects() if isinstance(obj, aiohttp.ClientSession) and not obj.closed
    )


class UnclosedWarnings(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if "nclosed" in message:
            self.messages.append(message.splitlines()[0])


class Soak:
    def __init__(self, minutes: float, sample_s: float) -> None:
        self.duration_s = minutes * 60
        self.sample_s = sample_s
        self.samples: list[Sample] = []
        self.rounds = 0
        self.error: str | None = None

    async def run(self, pilot: Any) -> None:
        from textual.widgets import Input

        from tui.ui.dashboard.screen import DashboardScreen

        app = pilot.app
        try:
            await self._wait(pilot, lambda: app.screen.query("#password"))  # the unlock form
            app.screen.query_one("#password", Input).value = self.password
            await pilot.press("enter")
            await self._wait(pilot, lambda: isinstance(app.screen, DashboardScreen))
            self._count_rounds(app.session.connector)
            started = time.monotonic()
            next_sample = started
            while (now := time.monotonic()) - started < self.duration_s:
                if now >= next_sample:
                    self.samples.append(self._sample(now - started))
                    next_sample += self.sample_s
                    self._progress()
                await asyncio.sleep(0.5)
            self.samples.append(self._sample(time.monotonic() - started))
        except Exception as error:  # report, then let the app quit normally
            self.error = f"{type(error).__name__}: {error}"
        app.exit()

    password = ""

    def _count_rounds(self, connector: Any) -> None:
        """Count finished refresh rounds by wrapping this connector's `refresh`."""
        original = connector.refresh
        soak = self

        async def refresh(*args: Any, **kwargs: Any) -> Any:
            async for report in original(*args, **kwargs):
                yield report
            soak.rounds += 1

        connector.refresh = refresh

    async def _wait(self, pilot: Any, ready: Any, limit: float = 60) -> None:
        deadline = time.monotonic() + limit
        while not ready():
            if time.monotonic() > deadline:
                raise TimeoutError("the app did not get to the dashboard")
            await pilot.pause(0.1)

    def _sample(self, elapsed: float) -> Sample:
        return Sample(
            elapsed_s=round(elapsed, 1),
            rss_mb=round(rss_mb(), 1),
            tasks=len(asyncio.all_tasks()),
            threads=threading.active_count(),
            fds=open_fds(),
            sessions=live_sessions(),
            rounds=self.rounds,
        )

    def _progress(self) -> None:
        s = self.samples[-1]
        print(
            f"  {s.elapsed_s:7.0f} s  rss {s.rss_mb:6.1f} MB  tasks {s.tasks:3d}  "
            f"threads {s.threads:2d}  fds {s.fds:3d}  sessions {s.sessions:2d}  "
            f"rounds {s.rounds}",
            file=sys.stderr,
            flush=True,
        )


def verdicts(samples: list[Sample], after_exit_sessions: int, warnings: list[str]) -> dict:
    warm = max(60.0, samples[-1].elapsed_s * 0.2)
    steady = [s for s in samples if s.elapsed_s >= warm]
    if len(steady) < 4:
        steady = samples[len(samples) // 2 :]
    window = max(2, len(steady) // 5)
    start, end = steady[:window], steady[-window:]

    def median_of(part: list[Sample], field: str) -> float:
        return statistics.median(getattr(s, field) for s in part)

    growth = median_of(end, "rss_mb") / median_of(start, "rss_mb") - 1
    result = {
        "warm_up_s": warm,
        "rss_start_mb": median_of(start, "rss_mb"),
        "rss_end_mb": median_of(end, "rss_mb"),
        "rss_peak_mb": max(s.rss_mb for s in samples),
        "rss_growth": round(growth, 4),
        "rss_ok": growth <= MAX_RSS_GROWTH,
        "rounds": samples[-1].rounds,
        "sessions_after_exit": after_exit_sessions,
        "unclosed_warnings": warnings,
        "sessions_ok": after_exit_sessions == 0 and not warnings,
    }
    for field in ("tasks", "threads", "fds"):
        first, last = median_of(start, field), median_of(end, field)
        result[f"{field}_start"], result[f"{field}_end"] = first, last
        result[f"{field}_max"] = max(getattr(s, field) for s in steady)
        # Tasks and sockets come and go with the requests in flight at the sample's moment.
        result[f"{field}_ok"] = last <= first * 1.1 + 2
    result["ok"] = all(v for k, v in result.items() if k.endswith("_ok"))
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/soak.py", description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--sample", type=float, default=10.0, help="seconds between samples")
    parser.add_argument("--json", metavar="FILE", help="write samples and verdicts as JSON")
    args = parser.parse_args(argv)

    from tui.base.logs import setup_logging
    from tui.base.settings import Settings
    from tui.connect import Connector
    from tui.ui.app import KeydeckApp
    from tui.ui.demo import start_demo
    from tui.vault import KdfParams

    unclosed = UnclosedWarnings()
    logging.getLogger("asyncio").addHandler(unclosed)
    cheap = KdfParams.insecure_fast()
    session = start_demo(kdf=cheap)
    soak = Soak(args.minutes, args.sample)
    soak.password = session.password
    began = time.monotonic()
    try:
        setup_logging(session.locations.log_file)
        locations = session.locations
        app = KeydeckApp(
            locations,
            settings=Settings(refresh_interval_s=1, idle_lock_minutes=0),
            vault_options={"kdf": cheap},
            connector_factory=lambda: Connector(cache_dir=locations.cache_dir),
            notice=session.notice(),
        )
        print(f"soak: {args.minutes:g} min, 1 s refresh, demo accounts", file=sys.stderr)
        app.run(headless=True, auto_pilot=soak.run, size=(140, 45))
    finally:
        session.close()
    after_exit = live_sessions()
    if not soak.samples:
        print(f"soak: no samples ({soak.error})", file=sys.stderr)
        return 1
    result = verdicts(soak.samples, after_exit, unclosed.messages)
    result["error"] = soak.error
    result["wall_minutes"] = round((time.monotonic() - began) / 60, 2)
    print(json.dumps(result, indent=2))
    if args.json:
        Path(args.json).write_text(
            json.dumps({"verdicts": result, "samples": [asdict(s) for s in soak.samples]}, indent=2)
            + "\n",
            encoding="utf-8",
        )
    return 0 if result["ok"] and not soak.error else 1


if __name__ == "__main__":
    raise SystemExit(main())
