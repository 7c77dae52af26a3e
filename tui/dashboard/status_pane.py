"""The status pane: one row per account, and the plain title and fix of every problem."""

from __future__ import annotations

from datetime import datetime

from rich.console import Group, RenderableType
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from tui.dashboard import format as fmt
from tui.dashboard.model import AccountView, DashboardModel
from tui.dashboard.states import STATE_WIDTH, look_of
from tui.dashboard.table_sync import Cell, Row, sync_table
from tui.dashboard.theme import Palette

COLUMNS: tuple[tuple[str, str], ...] = (
    ("state", "State"),
    ("account", "Account"),
    ("latency", "Latency"),
    ("clock", "Clock"),
    ("checked", "Checked"),
)


class StatusPane(Vertical):
    """Connection state per account; problems spelled out below the table."""

    _last_model: DashboardModel | None = None
    _palette: Palette | None = None

    def compose(self) -> ComposeResult:
        table: DataTable[Cell] = DataTable(id="status-table", cursor_type="row", zebra_stripes=True)
        for key, label in COLUMNS:
            table.add_column(label, key=key)
        yield table
        yield Static(id="status-problems", markup=False)

    def on_mount(self) -> None:
        self.border_title = "Status"

    def show(self, model: DashboardModel, now: datetime, palette: Palette) -> None:
        table = self.query_one("#status-table", DataTable)
        rows = [
            Row(view.account_id, self._cells(view, now, palette)) for view in model.views.values()
        ]
        sync_table(table, rows)
        problems = self.query_one("#status-problems", Static)
        self._last_model, self._palette = model, palette
        problems.update(self._problems(model, palette))
        problems.display = any(
            v.failed or (v.report and v.report.status.problem) for v in model.views.values()
        )
        ok = sum(1 for v in model.views.values() if v.report is not None and not v.failed)
        failing = sum(1 for v in model.views.values() if v.failed)
        waiting = sum(1 for v in model.views.values() if v.loading or v.refreshing)
        parts = [f"{ok} ok"]
        if failing:
            parts.append(f"{failing} failing")
        if waiting:
            parts.append(f"{waiting} checking")
        self.border_subtitle = " · ".join(parts)

    @staticmethod
    def _cells(view: AccountView, now: datetime, palette: Palette) -> tuple[Cell, ...]:
        look = look_of(view)
        status = view.report.status if view.report is not None else None
        if view.refreshing and view.report is not None:
            checked = "checking…"
        elif status is not None:
            checked = fmt.ago(status.checked_at, now)
        else:
            checked = "checking…"
        return (
            Text(look.text.ljust(STATE_WIDTH), style=palette.style(look.style)),
            Text(view.name),
            Text(fmt.latency(status.latency_ms if status else None).rjust(7)),
            Text(fmt.clock_offset(status.clock_offset_ms if status else None).rjust(8)),
            Text(checked.ljust(10)),
        )

    def _problems(self, model: DashboardModel, palette: Palette) -> RenderableType:
        """One line per problem; the fix in full for the selected (or first) failing account."""
        failing: list[tuple[str, Text, str]] = []
        for view in model.views.values():
            report = view.report
            if report is None:
                continue
            problem = report.problem or report.status.problem
            if problem is None:
                continue
            look = look_of(view)
            line = Text.assemble(
                (f"{look.glyph} {view.name}: ", palette.style(f"bold {look.style}")),
                problem.title,
            )
            failing.append((view.account_id, line, problem.fix))
        if not failing:
            return Group()
        selected = self._selected_id()
        chosen = next((item for item in failing if item[0] == selected), failing[0])
        fix = Text.assemble(("Fix", "bold"), f" ({chosen[1].plain.split(':')[0][2:]}): ", chosen[2])
        return Group(*(line for _, line, _ in failing), fix)

    def _selected_id(self) -> str | None:
        table = self.query_one("#status-table", DataTable)
        rows = list(table.ordered_rows)
        if 0 <= table.cursor_row < len(rows):
            return str(rows[table.cursor_row].key.value)
        return None

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if self._last_model is not None and self._palette is not None:
            self.query_one("#status-problems", Static).update(
                self._problems(self._last_model, self._palette)
            )
