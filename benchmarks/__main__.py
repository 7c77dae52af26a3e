"""`python -m benchmarks [--only NAME ...] [--json FILE] [--repeats N] [--quick]`."""

from __future__ import annotations

import argparse
import importlib
import json
import platform
import sys
import time
import traceback
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.core import Result, RunOptions, table

# name -> module with `run(options) -> list[Result]`, in the order they run.
BENCHMARKS: dict[str, str] = {
    "first-frame": "benchmarks.first_frame",
    "unlock": "benchmarks.unlock",
    "fanout": "benchmarks.fanout",
    "responsiveness": "benchmarks.responsiveness",
    "memory": "benchmarks.memory",
    "idle-app": "benchmarks.idle_app",
    "check": "benchmarks.check_cost",
    "keypress": "benchmarks.keypress",
    "idle-cpu": "benchmarks.idle_cpu",
}


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Keydeck's benchmarks. Each figure is a ratio against a reference "
        "measured in the same run; medians of --repeats runs.",
    )
    parser.add_argument(
        "--only",
        action="append",
        choices=sorted(BENCHMARKS),
        metavar="NAME",
        help=f"run only this benchmark (repeatable): {', '.join(BENCHMARKS)}",
    )
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    parser.add_argument("--repeats", type=int, default=5, help="measurements per figure")
    parser.add_argument(
        "--quick", action="store_true", help="fewer sizes, shorter windows (a smoke run)"
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    options = RunOptions(repeats=max(1, args.repeats), quick=args.quick)
    names = args.only or list(BENCHMARKS)
    results: list[Result] = []
    errors: dict[str, str] = {}
    started = datetime.now(UTC)
    for name in names:
        print(f"running {name}...", file=sys.stderr, flush=True)
        began = time.perf_counter()
        try:
            module = importlib.import_module(BENCHMARKS[name])
            results.extend(module.run(options))
        except Exception as error:
            errors[name] = f"{type(error).__name__}: {error}"
            traceback.print_exc(file=sys.stderr)
        print(f"  {name}: {time.perf_counter() - began:.1f} s", file=sys.stderr, flush=True)
    print(table(results))
    for result in results:
        if result.note:
            print(f"  {result.name}: {result.note}")
    for name, error in errors.items():
        print(f"  {name}: could not run ({error})")
    if args.json:
        payload = {
            "started": started.isoformat(timespec="seconds"),
            "command": "python -m benchmarks " + " ".join(sys.argv[1:] if argv is None else argv),
            "python": platform.python_version(),
            "machine": platform.platform(),
            "repeats": options.repeats,
            "quick": options.quick,
            "results": [r.to_json() for r in results],
            "errors": errors,
        }
        Path(args.json).write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    failed = errors or any(r.passed is False for r in results)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
