"""Typed messages the refresh worker posts to the dashboard screen.

The worker's messages are for the screen alone (`bubble=False`): nothing above it handles
them, and a round at 20 accounts would otherwise dispatch each of them a second time, on the
app.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from textual.message import Message

from tui.connect.models import AccountReport


class RefreshStarted(Message, bubble=False):
    def __init__(self, account_ids: Sequence[str], at: datetime) -> None:
        super().__init__()
        self.account_ids = tuple(account_ids)
        self.at = at


class ReportArrived(Message, bubble=False):
    """One account's report, posted as soon as that account is done."""

    def __init__(self, report: AccountReport, at: datetime) -> None:
        super().__init__()
        self.report = report
        self.at = at


class RefreshFinished(Message, bubble=False):
    """The round is over; `error` says why it ended early (the connector itself failed)."""

    def __init__(self, at: datetime, error: str | None = None) -> None:
        super().__init__()
        self.at = at
        self.error = error


class CriticalAcknowledged(Message):
    """The user accepted a critical risk for one key (bubbles up for the app to log)."""

    def __init__(self, account_id: str, code: str) -> None:
        super().__init__()
        self.account_id = account_id
        self.code = code


class ViewChosen(Message):
    """The user changed how the portfolio is shown (small balances, sort, view, bars): the
    app keeps the choice in the settings. `changes` are Settings field names and values."""

    def __init__(self, **changes: object) -> None:
        super().__init__()
        self.changes = changes
