"""RowTable: one changed cell re-renders its row only, with DataTable's exact output; and a
guard that fails when the DataTable internals it relies on move."""

from __future__ import annotations

import inspect
from typing import Any

from rich.text import Text
from textual.app import App, ComposeResult
from textual.containers import Horizontal
from textual.geometry import Region
from textual.widgets import DataTable
from textual.widgets._data_table import RowKey

from tui.ui.widgets.row_table import RELIES_ON, RowTable

ROWS = 30
COLUMNS = ("asset", "free", "total", "checked")


class TwoTables(App[None]):
    """A RowTable and a plain DataTable with the same rows, side by side."""

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield RowTable(id="fast", cursor_type="row", zebra_stripes=True)
            yield DataTable(id="plain", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        for table in self.query(DataTable):
            for key in COLUMNS:
                table.add_column(key.title(), key=key)
            for index in range(ROWS):
                table.add_row(
                    Text(f"A{index}"),
                    Text(f"{index}.5", justify="right"),
                    Text(f"{index * 2}", justify="right"),
                    Text("10 s ago  "),
                    key=f"row-{index}",
                )

    def both(self) -> list[DataTable[Any]]:
        return [self.query_one("#fast", DataTable), self.query_one("#plain", DataTable)]


def lines(table: DataTable[Any]) -> list[str]:
    width, height = table.size
    return [strip.text for strip in table.render_lines(Region(0, 0, width, height))]


def keys(cache: Any) -> list[Any]:
    return list(cache.keys())


def count_cells(table: DataTable[Any]) -> list[int]:
    """Count `_render_cell` calls of this table (the call still happens)."""
    calls: list[int] = []
    original = table._render_cell

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return original(*args, **kwargs)

    table._render_cell = counting  # type: ignore[method-assign]
    return calls


async def test_the_datatable_internals_it_relies_on_are_still_there() -> None:
    app = TwoTables()
    async with app.run_test(size=(120, 24)) as pilot:
        await pilot.pause()
        table = app.query_one("#plain", DataTable)
        lines(table)  # fill the caches
        for name in RELIES_ON:
            assert hasattr(table, name), f"DataTable lost {name}"
        parameters = inspect.signature(DataTable.update_cell).parameters
        assert list(parameters)[:4] == ["self", "row_key", "column_key", "value"]
        assert parameters["update_width"].kind is inspect.Parameter.KEYWORD_ONLY
        assert isinstance(table._update_count, int)
        assert table._row_locations.get(RowKey("row-3")) == 3
        assert table._y_offsets[3] == (RowKey("row-3"), 0)
        assert all(isinstance(key[0], RowKey) for key in keys(table._cell_render_cache))
        assert all(isinstance(key[0], RowKey) for key in keys(table._row_render_cache))
        assert all(
            isinstance(a, int) and isinstance(b, int) for a, b in keys(table._row_renderable_cache)
        )
        assert all(isinstance(key[0], int) for key in keys(table._line_cache))
        assert table._cell_render_cache and table._line_cache  # still caches to prune


async def test_one_changed_cell_renders_one_row_and_the_same_output() -> None:
    app = TwoTables()
    async with app.run_test(size=(120, 24)) as pilot:
        await pilot.pause()
        fast, plain = app.both()
        fast_cells, plain_cells = count_cells(fast), count_cells(plain)
        for table in (fast, plain):
            table.update_cell("row-4", "checked", Text("20 s ago  "))
        await pilot.pause()
        assert len(fast_cells) == len(COLUMNS)  # the one row, each of its cells once
        assert len(plain_cells) > 10 * len(COLUMNS)  # DataTable: every visible cell
        assert lines(fast) == lines(plain)
        assert "20 s ago" in lines(fast)[5]  # under the header


async def test_a_wider_cell_widens_its_column_like_datatable() -> None:
    app = TwoTables()
    async with app.run_test(size=(120, 24)) as pilot:
        await pilot.pause()
        fast, plain = app.both()
        for table in (fast, plain):
            table.update_cell(
                "row-2", "free", Text("123456789.25", justify="right"), update_width=True
            )
        await pilot.pause()
        assert lines(fast) == lines(plain)
        for table in (fast, plain):  # and narrower again: the widest cell shrank
            table.update_cell("row-2", "free", Text("2.5", justify="right"), update_width=True)
        await pilot.pause()
        assert lines(fast) == lines(plain)
        assert fast.columns[fast.ordered_columns[1].key].content_width == len("Free")


async def test_a_table_shown_again_at_its_size_renders_no_cell_and_the_same_output() -> None:
    app = TwoTables()
    async with app.run_test(size=(120, 24)) as pilot:
        await pilot.pause()
        fast, plain = app.both()
        app.set_focus(None)  # as the balance tables on the dashboard: the focus is elsewhere
        await pilot.pause()
        for round_trip in range(3):  # `v v v`: DataTable's Resize handler dropped the caches
            for table in (fast, plain):
                table.display = False
            await pilot.pause(0.1)  # a frame without them
            assert fast not in app.screen._compositor.widgets
            fast_cells, plain_cells = count_cells(fast), count_cells(plain)
            text = Text(f"{round_trip} min ago  ")
            for table in (fast, plain):
                table.update_cell("row-6", "checked", text)  # changed while hidden
                table.display = True
            await pilot.pause(0.1)
            assert len(fast_cells) == len(COLUMNS)  # only the row that changed while hidden
            assert len(plain_cells) > 10 * len(COLUMNS)  # DataTable: every visible cell again
            assert lines(fast) == lines(plain)
            assert f"{round_trip} min ago" in lines(fast)[7]


async def test_a_table_shown_at_a_new_size_renders_like_datatable() -> None:
    app = TwoTables()
    async with app.run_test(size=(120, 24)) as pilot:
        await pilot.pause()
        fast, plain = app.both()
        for table in (fast, plain):
            table.display = False
        await pilot.pause(0.1)
        await pilot.resize_terminal(100, 18)
        for table in (fast, plain):
            table.display = True
        await pilot.pause()
        assert fast.size == plain.size
        assert lines(fast) == lines(plain)
