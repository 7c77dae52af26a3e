"""Soak: a compressed trader's day on the real app, and whether it stays healthy.

    .venv/bin/python scripts/soak.py [--minutes 30] [--sample 10] [--interval 10] [--json FILE]

20 accounts (every exchange's `main` key and two `sub` keys) on the loopback simulator, the
real app (Textual pilot, in-process, headless) with its dashboard refreshing every
`--interval` seconds. The simulator runs in its own process with a scripted timeline
(tui/sim/timeline.py), repeated every 3 minutes:

    at  30 s  one exchange answers 16 s late (past the 15 s request timeout) ... until 50 s
    at  90 s  another exchange answers 1.5 s late (slow, within the timeout) ... until 110 s
    at 150 s  the port refuses connections (a Wi-Fi drop) ... until 170 s

The pilot locks the app every 2 minutes (ctrl+l and the idle lock's path in turn, mid-refresh
or not) and unlocks it 5 s later, and once, near the middle, moves the dashboard's wall clock
an hour ahead: what a laptop sleep looks like from inside (the monotonic clock stood still).
The connector keeps the real clock: ccxt signs with the real time, and the exchanges' clocks
cannot jump with ours in-process.

Every `--sample` seconds it records the process's RSS, asyncio tasks, threads, open file
descriptors and sockets; it times every refresh round. Verdicts (exit code 1 if any fails):

- every outage recovered by the first refresh round that starts after the port came back
  (it starts within one interval): every account that was fine before the outage checked
  fine again by then; after a lock, counted from the unlock. The seconds it took are shown;
- after the clock jump, a round starts at once (within half an interval; not at the timer's
  next tick) and that round checks every account fine;
- flat: after a warm-up (20 % of the run, at least a minute), the end's median of each figure
  compared with the start's, and the least-squares trend over the steady part projected over
  it: RSS within 10 %, tasks, threads, descriptors and sockets within 10 % + 2; no aiohttp
  session left open after the app quit (counted then, not while running: the dashboard
  freezes its long-lived heap, which hides objects from `gc.get_objects`).

Why in-process: the clock jump needs the app's injectable wall clock (the machine's clock is
not ours to move), and the asyncio task count and recovery moments are read from the app
itself; the simulator is a separate process, so none of its memory, threads or sockets are
counted. Not part of CI.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PASSWORD = "soak password, not a secret 19"  # noqa: S105 - a throwaway keyfile's
CYCLE_S = 180.0
OUTAGE = (150.0, 170.0)
LATE = ("okx", 30.0, 50.0, 16_000)  # past the request timeout
SLOW = ("kraken", 90.0, 110.0, 1500)  # within it
LOCK_EVERY_S = 120.0
LOCK_FIRST_S = 45.0
LOCKED_FOR_S = 5.0
REQUEST_TIMEOUT_S = 15.0  # the app's own (tui/connect/service.py)
ACCOUNT_TIMEOUT_S = 45.0
SUBS = ("binance", "okx")
MAX_RSS_GROWTH = 0.10


@dataclass
class Sample:
    elapsed_s: float
    rss_mb: float
    tasks: int
    threads: int
    fds: int
    sockets: int
    locked: bool


@dataclass
class Outage:
    off_s: float
    on_s: float
    failed_seen: int = 0
    counted_from_s: float | None = None
    recovered_after_s: float | None = None
    rounds_needed: int | None = None
    """Refresh rounds started after the port came back (or the unlock) until every account
    was checked fine: 1 means the first round recovered them all."""


@dataclass
class Day:
    """What happened, second by second from the simulator's start."""

    outages: list[Outage] = field(default_factory=list)
    locks: int = 0
    jump_at_s: float | None = None
    jump_checked_after_s: float | None = None
    jump_first_round_after_s: float | None = None
    jump_rounds_needed: int | None = None
    rounds_s: list[float] = field(default_factory=list)
    round_began_s: list[float] = field(default_factory=list)
    samples: list[Sample] = field(default_factory=list)
    error: str | None = None


# --- the process's figures ----------------------------------------------------------------


def rss_mb() -> float:
    with open("/proc/self/statm", encoding="ascii") as handle:
        resident_pages = int(handle.read().split()[1])
    return resident_pages * os.sysconf("SC_PAGE_SIZE") / (1024 * 1024)


def open_fds() -> int:
    try:
        return len(os.listdir("/proc/self/fd"))
    except OSError:
        return -1


def open_sockets() -> int:
    count = 0
    for fd in os.listdir("/proc/self/fd"):
        with contextlib.suppress(OSError):
            count += os.readlink(f"/proc/self/fd/{fd}").startswith("socket:")
    return count


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


# --- the simulator and the keyfile -----------------------------------------------------------


def scenario_text() -> str:
    """The simulator's timeline for one 3-minute cycle, repeated."""
    late, slow = LATE, SLOW
    steps = [
        (late[1], f'exchange = "{late[0]}"\nfaults = {{ latency_ms = {late[3]} }}'),
        (late[2], f'exchange = "{late[0]}"\nfaults = {{ latency_ms = 0 }}'),
        (slow[1], f'exchange = "{slow[0]}"\nfaults = {{ latency_ms = {slow[3]} }}'),
        (slow[2], f'exchange = "{slow[0]}"\nfaults = {{ latency_ms = 0 }}'),
        (OUTAGE[0], "offline = true"),
        (OUTAGE[1], "offline = false"),
    ]
    parts = [f"timeline_repeat = {CYCLE_S:g}"]
    parts += [f"[[timeline]]\nat = {at:g}\n{body}" for at, body in steps]
    return "\n\n".join(parts) + "\n"


def start_simulator(scenario: Path) -> tuple[subprocess.Popen[str], dict[str, Any], float]:
    """The simulator process, its description and the monotonic moment its timeline began."""
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "tui.sim", "--scenario", str(scenario), "--json"],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        preexec_fn=_end_with_parent,  # before any thread of ours starts
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    began = time.monotonic()
    if not line:
        process.wait(10)
        raise SystemExit("soak: the simulator did not start")
    return process, json.loads(line), began


def _end_with_parent() -> None:
    """Linux: the simulator gets SIGTERM when the soak dies, however it dies."""
    import ctypes
    import signal

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def soak_accounts(description: dict[str, Any]) -> list[Any]:
    from tui.vault import Account

    chosen = [
        a
        for a in description["accounts"]
        if a["label"] == "main" or (a["label"] == "sub" and a["exchange"] in SUBS)
    ]
    return [
        Account(
            exchange=a["exchange"],
            label=a["label"],
            credentials=dict(a["credentials"]),
            endpoint=a["endpoint"],
        )
        for a in chosen
    ]


def write_keyfile(locations: Any, accounts: list[Any], kdf: Any) -> None:
    from tui.base.paths import ensure_private_dir
    from tui.vault import Vault

    ensure_private_dir(locations.config_dir)
    with Vault.create(locations.keyfile, PASSWORD, kdf=kdf) as vault:
        for account in accounts:
            vault.add(account)
        vault.save()


# --- the day -----------------------------------------------------------------------------


class Trader:
    """The pilot: locks, unlocks, the clock jump; watches recoveries and samples figures."""

    def __init__(self, minutes: float, sample_s: float, interval_s: float, began: float) -> None:
        self.duration_s = minutes * 60
        self.sample_s = sample_s
        self.interval_s = interval_s
        self.began = began
        self.day = Day()
        self.ahead = timedelta()
        cycles = int(self.duration_s // CYCLE_S) + 1
        self.day.outages = [
            Outage(c * CYCLE_S + OUTAGE[0], c * CYCLE_S + OUTAGE[1])
            for c in range(cycles)
            if c * CYCLE_S + OUTAGE[1] + 3 * interval_s < self.duration_s
        ]
        self.locks = [
            LOCK_FIRST_S + k * LOCK_EVERY_S
            for k in range(int(self.duration_s // LOCK_EVERY_S) + 1)
            if LOCK_FIRST_S + k * LOCK_EVERY_S + LOCKED_FOR_S + 10 < self.duration_s
        ]
        # Near the middle, away from outages and locks: 80 s into a cycle.
        middle = max(0, int(self.duration_s / 2 // CYCLE_S)) * CYCLE_S + 80.0
        self.jump_at = middle if middle + 2 * interval_s < self.duration_s else None
        self.unlocked_at = 0.0
        self.fine_before: dict[int, set[str]] = {}
        self.round_began: float | None = None
        self.round_starts: list[float] = []
        self.worker: object = None
        self.before_jump: dict[str, Any] = {}

    def wall(self) -> datetime:
        """The dashboard's clock: the real one, an hour ahead after the "sleep"."""
        return datetime.now(UTC) + self.ahead

    def now(self) -> float:
        return time.monotonic() - self.began

    async def run(self, pilot: Any) -> None:
        app = pilot.app
        try:
            await self._unlock(pilot)
            next_sample = self.now()
            lock_moments = list(self.locks)
            while (now := self.now()) < self.duration_s:
                if now >= next_sample:
                    self.day.samples.append(self._sample(now, app))
                    next_sample += self.sample_s
                    self._progress()
                if lock_moments and now >= lock_moments[0]:
                    lock_moments.pop(0)
                    await self._lock_and_unlock(pilot)
                if self.jump_at is not None and self.day.jump_at_s is None and now >= self.jump_at:
                    self.day.jump_at_s = now
                    session = app.session
                    self.before_jump = dict(session.reports) if session is not None else {}
                    self.ahead = timedelta(hours=1)
                self._observe(app)
                await pilot.pause(0.25)
            self.day.samples.append(self._sample(self.now(), app))
        except Exception as error:  # report, then let the app quit normally
            self.day.error = f"{type(error).__name__}: {error}"
        app.exit()

    async def _unlock(self, pilot: Any) -> None:
        from textual.widgets import Input

        app = pilot.app
        await self._wait(pilot, lambda: app.screen.query("#password"), "the unlock screen")
        app.screen.query_one("#password", Input).value = PASSWORD
        self.unlocked_at = self.now()  # every report of the new session comes after this
        await pilot.press("enter")
        await self._wait(pilot, lambda: type(app.screen).__name__ == "SessionDashboard", "home")

    async def _lock_and_unlock(self, pilot: Any) -> None:
        app = pilot.app
        if self.day.locks % 2:
            await app.lock("Locked after 10 idle minutes.")  # the idle lock's path
        else:
            await pilot.press("ctrl+l")
        self.day.locks += 1
        await self._wait(pilot, lambda: app.session is None, "the lock")
        await pilot.pause(LOCKED_FOR_S)
        await self._unlock(pilot)

    def _observe(self, app: Any) -> None:
        """Outages seen, recoveries timed, the check after the clock jump."""
        session, now = app.session, self.now()
        worker = getattr(app.screen, "_refresh_worker", None)  # the round's (a measurement)
        if worker is not None and worker is not self.worker:  # a round began (or restarted)
            self.round_starts.append(now)
        self.worker = worker
        refreshing = bool(getattr(app.screen, "refreshing", False))
        if refreshing and self.round_began is None:
            self.round_began = now
        elif not refreshing and self.round_began is not None:
            self.day.rounds_s.append(round(now - self.round_began, 2))
            self.day.round_began_s.append(round(self.round_began, 1))
            self.round_began = None
        reports = dict(session.reports) if session is not None else {}
        for index, outage in enumerate(self.day.outages):
            if outage.recovered_after_s is not None or now < outage.off_s - 1:
                continue
            if now < outage.off_s:  # the second before: who is fine
                self.fine_before[index] = {i for i, r in reports.items() if r.problem is None}
                continue
            if now < outage.on_s:
                failed = sum(1 for r in reports.values() if r.problem is not None)
                outage.failed_seen = max(outage.failed_seen, failed)
                continue
            if session is None:
                continue
            since = max(outage.on_s, self.unlocked_at)
            outage.counted_from_s = since
            back_wall = datetime.now(UTC) - timedelta(seconds=now - since)
            if _all_checked_fine(reports, self.fine_before.get(index) or None, back_wall):
                outage.recovered_after_s = round(now - since, 1)
                outage.rounds_needed = sum(1 for t in self.round_starts if t >= since)
        jump = self.day.jump_at_s
        if jump is None or self.day.jump_checked_after_s is not None or session is None:
            return
        first = next((t for t in self.round_starts if t >= jump), None)
        if self.day.jump_first_round_after_s is None and first is not None:
            self.day.jump_first_round_after_s = round(first - jump, 1)
        fresh = all(
            r.problem is None and self.before_jump.get(i) is not r for i, r in reports.items()
        )
        if fresh and reports:
            self.day.jump_checked_after_s = round(now - jump, 1)
            self.day.jump_rounds_needed = sum(1 for t in self.round_starts if t >= jump)

    async def _wait(self, pilot: Any, ready: Callable[[], object], what: str) -> None:
        deadline = time.monotonic() + 60
        while not ready():
            if time.monotonic() > deadline:
                raise TimeoutError(f"waiting for {what}")
            await pilot.pause(0.1)

    def _sample(self, elapsed: float, app: Any) -> Sample:
        return Sample(
            elapsed_s=round(elapsed, 1),
            rss_mb=round(rss_mb(), 1),
            tasks=len(asyncio.all_tasks()),
            threads=threading.active_count(),
            fds=open_fds(),
            sockets=open_sockets(),
            locked=app.session is None,
        )

    def _progress(self) -> None:
        s = self.day.samples[-1]
        print(
            f"  {s.elapsed_s:7.0f} s  rss {s.rss_mb:6.1f} MB  tasks {s.tasks:3d}  "
            f"threads {s.threads:2d}  fds {s.fds:3d}  sockets {s.sockets:2d}  "
            f"rounds {len(self.day.rounds_s)}",
            file=sys.stderr,
            flush=True,
        )


def _all_checked_fine(reports: dict[str, Any], ids: set[str] | None, since: datetime) -> bool:
    """Every account of `ids` (None: every one) checked fine at or after `since`."""
    wanted = set(reports) if ids is None else ids
    for account_id in wanted:
        report = reports.get(account_id)
        if report is None or report.problem is not None:
            return False
        checked = report.status.checked_at
        if checked is None or checked < since - timedelta(seconds=0.5):
            return False
    return bool(wanted)


# --- verdicts ------------------------------------------------------------------------------


def slope_per_s(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of (x, y) points."""
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    mean_x, mean_y = statistics.fmean(xs), statistics.fmean(ys)
    spread = sum((x - mean_x) ** 2 for x in xs)
    if spread == 0:
        return 0.0
    return sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread


def trends(samples: list[Sample]) -> dict[str, Any]:
    warm = max(60.0, samples[-1].elapsed_s * 0.2)
    steady = [s for s in samples if s.elapsed_s >= warm]
    if len(steady) < 4:
        steady = samples[len(samples) // 2 :]
    window = max(2, len(steady) // 5)
    start, end = steady[:window], steady[-window:]
    span = steady[-1].elapsed_s - steady[0].elapsed_s
    result: dict[str, Any] = {"warm_up_s": warm, "steady_samples": len(steady)}
    for name in ("rss_mb", "tasks", "threads", "fds", "sockets"):
        first = statistics.median(getattr(s, name) for s in start)
        last = statistics.median(getattr(s, name) for s in end)
        drift = slope_per_s([(s.elapsed_s, getattr(s, name)) for s in steady]) * span
        limit = first * MAX_RSS_GROWTH if name == "rss_mb" else first * 0.10 + 2
        result[name] = {
            "start": first,
            "end": last,
            "max": max(getattr(s, name) for s in steady),
            "trend_over_run": round(drift, 2),
            "flat": last - first <= limit and drift <= limit,
        }
    return result


def verdicts(day: Day, interval_s: float, after_exit: int, warnings: list[str]) -> dict[str, Any]:
    outages = [asdict(o) for o in day.outages]
    missed = [o for o in day.outages if o.rounds_needed is None or o.rounds_needed > 1]
    result: dict[str, Any] = {
        "outages": outages,
        "outages_recovered": len(day.outages) - len(missed),
        "outages_ok": not missed,  # a run shorter than ~4 minutes has none
        "locks": day.locks,
        "clock_jump_at_s": day.jump_at_s,
        "first_round_after_jump_s": day.jump_first_round_after_s,
        "checked_after_jump_s": day.jump_checked_after_s,
        "rounds_needed_after_jump": day.jump_rounds_needed,
        "jump_ok": day.jump_at_s is None
        or (
            day.jump_rounds_needed == 1
            and day.jump_first_round_after_s is not None
            and day.jump_first_round_after_s < interval_s / 2
        ),
        "rounds": len(day.rounds_s),
        "round_s_median": statistics.median(day.rounds_s) if day.rounds_s else None,
        "round_s_max": max(day.rounds_s, default=None),
        "longest_rounds": sorted(zip(day.rounds_s, day.round_began_s, strict=True), reverse=True)[
            :5
        ],  # (seconds, began at)
        "trends": trends(day.samples),
        "sessions_after_exit": after_exit,
        "unclosed_warnings": warnings,
        "error": day.error,
    }
    flat = all(v["flat"] for k, v in result["trends"].items() if isinstance(v, dict))
    result["flat"] = flat
    result["ok"] = (
        result["outages_ok"]
        and result["jump_ok"]
        and flat
        and after_exit == 0
        and not warnings
        and day.error is None
    )
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/soak.py", description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--sample", type=float, default=10.0, help="seconds between samples")
    parser.add_argument("--interval", type=int, default=10, help="the dashboard's refresh (s)")
    parser.add_argument("--json", metavar="FILE", help="write samples and verdicts as JSON")
    args = parser.parse_args(argv)

    from tui.base.logs import setup_logging
    from tui.base.paths import Locations
    from tui.base.settings import Settings
    from tui.connect.service import Connector
    from tui.ui.app import KeydeckApp
    from tui.vault import KdfParams

    unclosed = UnclosedWarnings()
    logging.getLogger("asyncio").addHandler(unclosed)
    cheap = KdfParams.insecure_fast()
    with tempfile.TemporaryDirectory(prefix="keydeck-soak-") as home:
        scenario = Path(home) / "day.toml"
        scenario.write_text(scenario_text(), encoding="utf-8")
        simulator, description, began = start_simulator(scenario)
        try:
            locations = Locations.resolve(str(Path(home) / "config"))
            accounts = soak_accounts(description)
            write_keyfile(locations, accounts, cheap)
            del accounts
            setup_logging(locations.log_file)
            trader = Trader(args.minutes, args.sample, args.interval, began)
            app = KeydeckApp(
                locations,
                settings=Settings(refresh_interval_s=args.interval, idle_lock_minutes=0),
                vault_options={"kdf": cheap},
                connector_factory=lambda: Connector(
                    cache_dir=locations.cache_dir,
                    timeout_s=REQUEST_TIMEOUT_S,
                    account_timeout_s=ACCOUNT_TIMEOUT_S,
                ),
                wall_clock=trader.wall,
            )
            print(
                f"soak: {args.minutes:g} min, {args.interval} s refresh, 20 accounts, "
                f"outage every {CYCLE_S:g} s, lock every {LOCK_EVERY_S:g} s",
                file=sys.stderr,
            )
            app.run(headless=True, auto_pilot=trader.run, size=(140, 45))
        finally:
            simulator.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                simulator.wait(10)
    after_exit = live_sessions()
    if not trader.day.samples:
        print(f"soak: no samples ({trader.day.error})", file=sys.stderr)
        return 1
    if args.json:  # the day's record first, whatever the verdicts make of it
        Path(args.json).write_text(json.dumps(asdict(trader.day), indent=2) + "\n", "utf-8")
    result = verdicts(trader.day, args.interval, after_exit, unclosed.messages)
    print(json.dumps(result, indent=2))
    if args.json:
        samples = [asdict(s) for s in trader.day.samples]
        rounds = list(zip(trader.day.round_began_s, trader.day.rounds_s, strict=True))
        Path(args.json).write_text(
            json.dumps({"verdicts": result, "samples": samples, "rounds": rounds}, indent=2) + "\n",
            encoding="utf-8",
        )
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
