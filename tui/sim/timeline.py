"""Time in the simulator: a script of what happens at which second.

A trader's day is a sequence (up, down, up; slow, fast), so a scenario can script one::

    [[timeline]]
    at = 10                  # seconds after the simulator started
    offline = true           # close the port: connections are refused

    [[timeline]]
    at = 30
    offline = false          # listen again on the same port

    [[timeline]]
    at = 40
    exchange = "okx"         # faults for one exchange (and `label`: for one key)
    faults = { down = true, latency_ms = 800 }

    [[timeline]]
    at = 60
    exchange = "okx"
    clear = true             # every fault of that exchange (or key) off
    faults = { clock_skew_ms = 90000 }   # applied after the clear: a jump of its clock

Steps run in order of `at`; `repeat` (seconds) makes the whole timeline start again after that
long, which scripts flapping. From Python: `Simulator(timeline=[Step(...), ...])` or
`await sim.run_timeline(steps)`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tui.sim.model import Faults

_STEP_KEYS = {"at", "offline", "exchange", "label", "faults", "clear"}


class TimelineError(ValueError):
    """A timeline entry is not valid; the message names it."""


@dataclass(frozen=True)
class Step:
    """One moment of the timeline. `offline` True/False closes/reopens the port; `faults` are
    set on `exchange` (and `label`) after `clear` switched the old ones off."""

    at: float
    offline: bool | None = None
    exchange: str | None = None
    label: str | None = None
    faults: dict[str, Any] = field(default_factory=dict)
    clear: bool = False

    def __post_init__(self) -> None:
        if self.at < 0:
            raise TimelineError(f"step at {self.at}: `at` must be 0 or more seconds")
        if (self.faults or self.clear) and self.exchange is None:
            raise TimelineError(f"step at {self.at}: faults need an `exchange`")
        if self.label is not None and self.exchange is None:
            raise TimelineError(f"step at {self.at}: a `label` needs its `exchange`")
        unknown = set(self.faults) - set(Faults.names())
        if unknown:
            raise TimelineError(
                f"step at {self.at}: unknown fault(s) {', '.join(sorted(unknown))}; "
                f"known: {', '.join(Faults.names())}"
            )


@dataclass(frozen=True)
class Timeline:
    steps: tuple[Step, ...] = ()
    repeat_s: float | None = None
    """Start the timeline again this long after it started (None: once)."""

    def __post_init__(self) -> None:
        if self.repeat_s is not None and self.repeat_s <= 0:
            raise TimelineError("timeline repeat must be more than 0 seconds")
        if self.repeat_s is not None and any(s.at >= self.repeat_s for s in self.steps):
            raise TimelineError("every step's `at` must come before the timeline repeats")

    def ordered(self) -> list[Step]:
        return sorted(self.steps, key=lambda step: step.at)


def step_from_dict(entry: Any, where: str) -> Step:
    if not isinstance(entry, dict):
        raise TimelineError(f"{where}: a timeline step must be a table")
    unknown = set(entry) - _STEP_KEYS
    if unknown:
        raise TimelineError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    if "at" not in entry:
        raise TimelineError(f"{where}: `at` (seconds) is required")
    faults = entry.get("faults", {})
    if not isinstance(faults, dict):
        raise TimelineError(f"{where}: faults must be a table")
    offline = entry.get("offline")
    try:
        return Step(
            at=float(entry["at"]),
            offline=None if offline is None else bool(offline),
            exchange=None if entry.get("exchange") is None else str(entry["exchange"]),
            label=None if entry.get("label") is None else str(entry["label"]),
            faults=dict(faults),
            clear=bool(entry.get("clear", False)),
        )
    except (TypeError, ValueError) as error:
        raise TimelineError(f"{where}: {error}") from error
