"""What changed since the last round, for the app: the same events as `keydeck watch`, shown
once per change as toasts, and the portfolio history kept across sessions.

No Textual here: `ChangeTracker` turns rounds of reports into the events worth a toast (the
first round only learns what is there: the panes already show it); `PortfolioHistory` wraps
the encrypted history file with the spans the portfolio pane offers.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from tui.watch.events import Event, WatchState, observe

log = logging.getLogger(__name__)

SPANS: tuple[tuple[str, timedelta], ...] = (
    ("24 h", timedelta(hours=24)),
    ("7 d", timedelta(days=7)),
    ("30 d", timedelta(days=30)),
)


class ChangeTracker:
    """Rounds of reports in, events out (never on the first round: that is what is shown)."""

    def __init__(self, is_acknowledged: Callable[[str, str], bool]) -> None:
        self._is_acknowledged = is_acknowledged
        self._state = WatchState()
        self._seen: set[str] = set()

    def round(self, reports: Iterable[Any], account_ids: Iterable[str]) -> list[Event]:
        reports = list(reports)
        events, self._state = observe(
            self._state,
            reports,
            now=datetime.now(UTC),
            is_acknowledged=self._is_acknowledged,
            account_ids=account_ids,
        )
        first_seen = {r.account_id for r in reports} - self._seen
        self._seen |= first_seen
        return [e for e in events if e.account_id not in first_seen]


@dataclass(frozen=True)
class Portfolio:
    """The portfolio line for one span: points (time, USD) and the span's name."""

    points: list[tuple[datetime, Decimal]]
    span: str


class PortfolioHistory:
    """The encrypted history file of one keyfile (blocking: use from thread workers)."""

    def __init__(self, history: Any) -> None:
        self._history = history
        self._lock = threading.Lock()  # one writer at a time: rounds can overlap
        self.span_index = 0

    @classmethod
    def open(cls, vault: Any) -> PortfolioHistory | None:
        """None when this keyfile has no history key yet (an old keyfile, read-only...)."""
        from tui.core.history.store import History

        try:
            return cls(History.for_vault(vault))
        except Exception as error:  # no history is a smaller loss than no dashboard
            log.warning("no portfolio history: %s", type(error).__name__)
            return None

    def next_span(self) -> None:
        self.span_index = (self.span_index + 1) % len(SPANS)

    def record(self, reports: Iterable[Any]) -> None:
        with self._lock:
            self._history.record(reports)

    def portfolio(self) -> Portfolio:
        name, span = SPANS[self.span_index]
        with self._lock:
            series = self._history.series(span)
        return Portfolio([(p.time, p.value_usd) for p in series], name)

    def forget(self, account_id: str) -> None:
        with self._lock:
            self._history.forget(account_id)

    def close(self) -> None:
        with self._lock:
            self._history.close()
