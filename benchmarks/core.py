"""What every benchmark returns: a measured figure, the reference measured in the same run,
their ratio, and the target the figure is judged against."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

TargetKind = Literal["ratio", "absolute"]


@dataclass(frozen=True)
class Target:
    """`ratio`: measured / reference <= limit; `absolute`: measured <= limit (in `unit`)."""

    limit: float
    kind: TargetKind = "ratio"

    def describe(self, unit: str) -> str:
        if self.kind == "ratio":
            return f"<= {self.limit:g}x"
        return f"<= {_fmt(self.limit, unit)}"


@dataclass(frozen=True)
class Result:
    """One row of the table. `measured` and `reference` are medians, in `unit`."""

    name: str
    measured: float
    reference: float | None
    unit: str
    target: Target | None = None
    note: str = ""
    samples: tuple[float, ...] = ()
    reference_samples: tuple[float, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        if self.reference is None or self.reference <= 0:
            return None
        return self.measured / self.reference

    @property
    def passed(self) -> bool | None:
        if self.target is None:
            return None
        if self.target.kind == "ratio":
            return self.ratio is not None and self.ratio <= self.target.limit
        return self.measured <= self.target.limit

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["ratio"] = self.ratio
        data["passed"] = self.passed
        data["target"] = (
            None if self.target is None else {"limit": self.target.limit, "kind": self.target.kind}
        )
        return data


@dataclass(frozen=True)
class RunOptions:
    repeats: int = 5
    """How many times each figure is measured (the median is reported)."""
    quick: bool = False
    """Fewer sizes and shorter windows: for a smoke run, not for the record."""


def as_installed(env: dict[str, str]) -> dict[str, str]:
    """`env` for a measured child process, with bytecode caches allowed: a user's copy has
    them (pip compiles at install; an editable install writes them on its first run), so
    a child must not compile Keydeck's sources again on every run where the environment
    sets PYTHONDONTWRITEBYTECODE (these machines do)."""
    return {name: value for name, value in env.items() if name != "PYTHONDONTWRITEBYTECODE"}


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def timed(action: Callable[[], object]) -> float:
    """Seconds one call of `action` takes."""
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def timed_with_cpu(action: Callable[[], object]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process) one call of `action` takes."""
    wall, cpu = time.perf_counter(), time.process_time()
    action()
    return time.perf_counter() - wall, time.process_time() - cpu


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "s":
        return f"{value * 1000:.0f} ms" if value < 10 else f"{value:.1f} s"
    if unit == "ms":
        return f"{value:.1f} ms"
    if unit == "MB":
        return f"{value:.0f} MB"
    if unit == "%":
        return f"{value:.2f} %"
    return f"{value:g} {unit}"


def format_value(value: float | None, unit: str) -> str:
    return _fmt(value, unit)


def table(results: Sequence[Result]) -> str:
    """A fixed-width text table: name, measured, reference, ratio, target, pass/fail."""
    header = ("benchmark", "measured", "reference", "ratio", "target", "result")
    rows = [header]
    for result in results:
        ratio = result.ratio
        verdict = {True: "pass", False: "FAIL", None: "-"}[result.passed]
        rows.append(
            (
                result.name,
                _fmt(result.measured, result.unit),
                _fmt(result.reference, result.unit),
                "-" if ratio is None else f"{ratio:.2f}x",
                "-" if result.target is None else result.target.describe(result.unit),
                verdict,
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = []
    for index, row in enumerate(rows):
        cells = [row[0].ljust(widths[0])] + [
            c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)
        ]
        lines.append("  ".join(cells))
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def markdown_table(results: Sequence[Result]) -> str:
    lines = [
        "| benchmark | measured | reference | ratio | target | result |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for result in results:
        ratio = result.ratio
        verdict = {True: "pass", False: "**FAIL**", None: "-"}[result.passed]
        target = "-" if result.target is None else result.target.describe(result.unit)
        lines.append(
            f"| {result.name} | {_fmt(result.measured, result.unit)} | "
            f"{_fmt(result.reference, result.unit)} | "
            f"{'-' if ratio is None else f'{ratio:.2f}x'} | {target} | {verdict} |"
        )
    return "\n".join(lines)
