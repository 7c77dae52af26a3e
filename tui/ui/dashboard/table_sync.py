"""Update a DataTable in place, so a refresh never moves the cursor or steals focus."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from weakref import WeakKeyDictionary

from rich.text import Text
from textual.widgets import DataTable

Cell = str | Text


@dataclass(frozen=True)
class Row:
    key: str
    cells: tuple[Cell, ...]


_SYNCED: WeakKeyDictionary[DataTable[Cell], dict[str, Row]] = WeakKeyDictionary()
"""Per table, the Row object each row key was last brought up to: a pane that hands the same
Row again (kept because its account's report did not change) costs no comparison."""


def forget_synced(table: DataTable[Cell], key: str) -> None:
    """A cell of `key` was changed outside `sync_table`: compare that row again next time."""
    _SYNCED.get(table, {}).pop(key, None)


def same_cell(before: object, after: Cell) -> bool:
    """Whether two cells look the same: Rich's `Text ==` ignores the base style and justify."""
    if before is after:  # a row kept from the last draw
        return True
    if isinstance(before, Text) and isinstance(after, Text):
        return (
            before.plain == after.plain
            and before.style == after.style
            and before.justify == after.justify
            and before.spans == after.spans
        )
    return before == after


def sync_table(table: DataTable[Cell], rows: Sequence[Row]) -> None:
    """Show `rows` in `table`, changing only the cells that differ when the row keys match.

    When rows come or go, the table is refilled and the cursor goes back to the row it was on
    (by key); a cursor at the top, or on a row that is gone, ends up at the top.
    """
    current = [row.key.value for row in table.ordered_rows]
    wanted = [row.key for row in rows]
    columns = list(table.columns)
    synced = _SYNCED.setdefault(table, {})
    if current == wanted:
        for row in rows:
            if synced.get(row.key) is row:
                continue
            old = table.get_row(row.key)
            for column, before, after in zip(columns, old, row.cells, strict=False):
                if not same_cell(before, after):
                    table.update_cell(row.key, column, after, update_width=True)
            synced[row.key] = row
        return
    synced.clear()
    cursor_key: str | None = None
    cursor_row = table.cursor_row
    if 0 < cursor_row < len(current):  # a cursor on the first row stays at the top
        cursor_key = current[cursor_row]
    table.clear()
    # clear() keeps each column as wide as its widest cell ever was; start over, so the
    # widths follow what is shown now (and do not depend on the order updates came in).
    for column in table.columns.values():
        column.content_width = column.label.cell_len
    for row in rows:
        table.add_row(*row.cells, key=row.key)
        synced[row.key] = row
    if not rows:
        return
    if cursor_key in wanted:
        table.move_cursor(row=wanted.index(cursor_key), scroll=True)
    else:  # a different view: start at the top
        table.move_cursor(row=0, scroll=False)
        table.scroll_to(y=0, animate=False, immediate=True)
