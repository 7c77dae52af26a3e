"""Portfolio history across sessions: an encrypted file beside the keyfile (no Textual).

    from tui.core.history import History

    history = History.for_vault(vault)            # key derived from the keyfile
    history.record(session.reports.values())      # after each refresh round
    history.change(timedelta(days=7))             # Change(start_usd, end_usd, percent...)
    history.series(timedelta(days=7))             # [SeriesPoint(time, total_usd, value_usd)]
    history.forget(account_id)                    # a removed account, if the user says so
    history.close()

See tui/core/history/store.py for the file and docs/watch.md for `keydeck history`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tui.core.history.model import AccountName, Change, Holding, Point, SeriesPoint
    from tui.core.history.store import History, HistoryUnreadable, history_path

# Loaded on first use (PEP 562), so `keydeck --help` does not import cryptography.
_WHERE = {
    "AccountName": "tui.core.history.model",
    "Change": "tui.core.history.model",
    "Holding": "tui.core.history.model",
    "Point": "tui.core.history.model",
    "SeriesPoint": "tui.core.history.model",
    "History": "tui.core.history.store",
    "HistoryUnreadable": "tui.core.history.store",
    "history_path": "tui.core.history.store",
}

__all__ = [
    "AccountName",
    "Change",
    "History",
    "HistoryUnreadable",
    "Holding",
    "Point",
    "SeriesPoint",
    "history_path",
]


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'tui.core.history' has no attribute {name!r}")
    return getattr(importlib.import_module(_WHERE[name]), name)
