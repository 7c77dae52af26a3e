"""A DataTable that re-renders only the row whose cell changed.

Textual's `DataTable.update_cell` bumps `_update_count`, which is part of the key of every
render cache (cells, row lines, table lines, row renderables), so changing one cell
re-renders every visible cell: 126 cells for one changed "Checked" text in a 20-row table,
270 in an 81-row one (docs/benchmarks.md). `RowTable.update_cell` keeps the count, drops
only the changed row's cache entries and repaints only that row's region; when the change
can move a column's width, it takes DataTable's own path (whole-table invalidation).

A table shown again at the size it had (the other balance view's `v`) keeps its renderings
too: DataTable drops every cache on each Resize, and Textual sends one to every widget it
shows, so each `v` rendered every visible cell of the table it showed, twice.

This relies on DataTable internals, listed in `RELIES_ON`; tests/dashboard/test_row_table.py
fails when one of them moves, and compares the output with a plain DataTable's.
"""

from __future__ import annotations

from typing import Any

from rich.console import RenderableType
from textual import events
from textual.geometry import Region, Size
from textual.strip import Strip
from textual.widgets import DataTable
from textual.widgets._data_table import ColumnKey, RowKey, default_cell_formatter, measure

RELIES_ON: dict[str, str] = {
    "_data": "row key -> column key -> cell value",
    "_row_locations": "row key <-> row index (a TwoWayDict)",
    "_y_offsets": "(row key, line in row) for every line below the header",
    "_cell_render_cache": "LRUCache keyed (row key, column key, ...)",
    "_row_render_cache": "LRUCache keyed (row key, line in row, ...)",
    "_row_renderable_cache": "LRUCache keyed (update count, row index)",
    "_line_cache": "LRUCache keyed (y including the header, ...)",
    "_update_count": "bumped by every change DataTable makes; part of every cache key",
    "_on_resize": "DataTable's only Resize handler: bumps _update_count (drops every cache)",
}
"""The private parts of DataTable this module reads or prunes, and what it assumes."""


class RowTable(DataTable[Any]):
    """`update_cell` re-renders one row, unless a column's width changes."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._dirty_rows: set[RowKey] = set()
        self._sized: Size | None = None

    def update_cell(
        self,
        row_key: RowKey | str,
        column_key: ColumnKey | str,
        value: Any,
        *,
        update_width: bool = False,
    ) -> None:
        row_key = RowKey(row_key) if isinstance(row_key, str) else row_key
        column_key = ColumnKey(column_key) if isinstance(column_key, str) else column_key
        row_index = self._row_locations.get(row_key)
        if (
            row_index is None
            or column_key not in self.columns
            or not self.is_attached
            or (update_width and self._moves_width(row_key, column_key, value))
        ):
            super().update_cell(row_key, column_key, value, update_width=update_width)
            return
        self._data[row_key][column_key] = value
        self._dirty_rows.add(row_key)
        self.refresh_row(row_index)

    def _on_resize(self, event: events.Resize) -> None:
        """Keep the caches when the size did not change (the table was shown again): what
        a cached rendering depends on besides the size already bumps `_update_count`."""
        if event.size == self._sized:
            event.prevent_default()  # DataTable's handler would drop every cache
        self._sized = event.size

    def _moves_width(self, row_key: RowKey, column_key: ColumnKey, value: Any) -> bool:
        """Whether the new value can make its column wider or narrower."""
        column = self.columns[column_key]
        height = self.rows[row_key].height
        old = self._width_of(self._data[row_key].get(column_key), height)
        new = self._width_of(value, height)
        if new > column.content_width:
            return True
        return new < old == column.content_width  # the widest cell may have shrunk

    def _width_of(self, value: Any, height: int) -> int:
        if value is None:
            return 0
        renderable: RenderableType = default_cell_formatter(value, wrap=height != 1, height=height)
        return measure(self.app.console, renderable, 1)

    def render_lines(self, crop: Region) -> list[Strip]:
        self._forget_dirty_rows()
        return super().render_lines(crop)

    def _forget_dirty_rows(self) -> None:
        """Drop every cached rendering of the rows changed since the last render."""
        if not self._dirty_rows:
            return
        dirty, self._dirty_rows = self._dirty_rows, set()
        indices = {self._row_locations.get(key) for key in dirty}
        header = self.header_height if self.show_header else 0
        lines = {header + y for y, (row_key, _) in enumerate(self._y_offsets) if row_key in dirty}
        for cache, position, wanted in (
            (self._cell_render_cache, 0, dirty),
            (self._row_render_cache, 0, dirty),
            (self._row_renderable_cache, 1, indices),
            (self._line_cache, 0, lines),
        ):
            for key in [key for key in cache.keys() if key[position] in wanted]:  # noqa: SIM118 - LRUCache has no __iter__
                cache.discard(key)
