"""Which parts of an account's check a refresh round asks again.

Balances and prices change all the time and are read every round. A key's rights (the
key-permission endpoint) and the exchange's clock do not change every 15 s: reading them each
round was most of an idle dashboard's cost (docs/benchmarks.md, issue 30). They are read
again when `SLOW_EVERY_S` has passed, when the user asked for the check, after the computer
slept, and whenever the last check did not end well (a failure, rights not known, a clock
not in sync), so a problem is never carried forward unchecked. Between those reads the
report carries the rights read earlier, with the time they were read
(`AccountReport.permissions_read_at`), and the findings are judged afresh against now
(an expiry date still counts down).
"""

from __future__ import annotations

import time
from datetime import datetime

from tui.connect.health import Health
from tui.connect.models import AccountReport, AccountStatus

SLOW_EVERY_S = 600.0
"""Rights and clock are read at least this often (seconds)."""


def slow_parts_due(health: Health, *, manual: bool, every_s: float) -> bool:
    """Whether this check reads the rights and the clock too."""
    last = health.last_report
    if manual or every_s <= 0 or last is None or last.problem is not None:
        return True
    permissions = last.permissions
    if permissions is None or permissions.unreadable or last.status.state != "ok":
        return True
    return time.monotonic() - health.slow_read_at >= every_s


def carried_status(last: AccountReport, latency_ms: float | None, now: datetime) -> AccountStatus:
    """A round that did not read the clock: the offset as last measured (in sync, or the
    clock would be due), the latency of this round's balance call."""
    return AccountStatus(
        state="ok",
        reachable=True,
        latency_ms=latency_ms,
        clock_offset_ms=last.status.clock_offset_ms,
        checked_at=now,
    )
