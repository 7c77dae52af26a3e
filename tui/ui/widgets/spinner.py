"""A spinner that exists only while something is under way.

Textual's LoadingIndicator redraws 16 times a second from the moment it is mounted, shown or
hidden: a hidden one kept a waiting screen busy (the unlock screen of a locked app sat at
~1.2 % of a core, docs/benchmarks.md). A row that shows work mounts one for the time.
"""

from __future__ import annotations

from textual.widget import Widget
from textual.widgets import LoadingIndicator


def set_spinning(row: Widget, spinning: bool) -> None:
    """Give `row` a LoadingIndicator as its first child while `spinning`, none otherwise."""
    present = row.query(LoadingIndicator)
    if spinning and not present:
        row.mount(LoadingIndicator(), before=0)
    elif not spinning and present:
        present.remove()
