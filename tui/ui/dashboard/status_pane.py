"""The status pane: one row per account, and the plain title and fix of every problem."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rich.console import Group, RenderableType
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable

from tui.base import format as fmt
from tui.ui.dashboard.model import AccountView, DashboardModel
from tui.ui.dashboard.quiet import QuietBorder, QuietStatic
from tui.ui.dashboard.table_sync import Row, forget_synced, sync_table
from tui.ui.widgets.row_table import RowTable
from tui.ui.widgets.states import STATE_WIDTH, look_of
from tui.ui.widgets.theme import Palette

COLUMNS: tuple[tuple[str, str], ...] = (
    ("state", "State"),
    ("account", "Account"),
    ("latency", "Latency"),
    ("clock", "Clock"),
    ("checked", "Checked"),
)


# "Checked" says "just now" for a check under a minute old, then "1 min ago", "2 min ago":
# with rounds every 15 s an age in seconds changed every row twice a round (at 10 s, and
# back at the next answer), each change a row re-rendered for nothing a trader acts on
# (docs/benchmarks.md, idle CPU). A late check still shows, from a minute on.
CHECKED_STEP_S = 60
ACCOUNT_WIDTH = 28
"""Widest "exchange · label" shown in the table (longer ones end in …; d shows it whole)."""
WIDE_PANE = 120
"""A status pane this wide shows every failing account's fix, not only the selected one's."""
LATENCY_HOLD = 0.2
"""A new latency within 20 % of the one shown leaves the figure as it is (see `_latency_shown`)."""


class StatusPane(Vertical, QuietBorder):
    """Connection state per account; problems spelled out below the table."""

    _last_model: DashboardModel | None = None
    _palette: Palette | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._rows: dict[str, tuple[tuple[object, ...], Row]] = {}
        self._latency: dict[str, float | None] = {}  # account id -> latency shown (ms)
        # account id -> when its "Checked" text can next change by the clock alone (None:
        # only a new answer or round changes it); emptied by every `show`.
        self._checked_due: dict[str, datetime | None] = {}

    def compose(self) -> ComposeResult:
        table = RowTable(id="status-table", cursor_type="row", zebra_stripes=True)
        for key, label in COLUMNS:
            table.add_column(label, key=key)
        yield table
        yield QuietStatic(id="status-problems", markup=False)

    def on_mount(self) -> None:
        self.show_title("Status")

    def show(self, model: DashboardModel, now: datetime, palette: Palette) -> None:
        table = self.query_one("#status-table", DataTable)
        sync_table(table, [self._row(view, now, palette) for view in model.views.values()])
        self._checked_due.clear()
        self._last_model, self._palette = model, palette
        self._show_problems(model, palette)
        ok = sum(1 for v in model.views.values() if v.report is not None and not v.failed)
        failing = sum(1 for v in model.views.values() if v.failed)
        # Counts that add up: an account answered before is "ok" or "failing" while it is
        # checked again ("7 ok · 6 checking" counted some twice); "new" ones have no answer.
        waiting = sum(1 for v in model.views.values() if v.loading)
        parts = [f"{ok} ok"]
        if failing:
            parts.append(f"{failing} failing")
        if waiting:
            parts.append(f"{waiting} checking")
        if any(v.refreshing and not v.loading for v in model.views.values()):
            parts.append("rechecking…")
        self.show_subtitle(" · ".join(parts))

    def forget_rows(self) -> None:
        self._rows.clear()
        self._latency.clear()
        self._checked_due.clear()

    def tick(self, model: DashboardModel, now: datetime) -> datetime | None:
        """The clock moved: renew only the "Checked" cells whose text changed, looking only
        at rows whose text can have changed (a second's tick at 100 accounts cost 0.6 ms).
        Returns when a "Checked" text can next change by the clock alone (None: never)."""
        table = self.query_one("#status-table", DataTable)
        due = self._checked_due
        for view in model.views.values():
            account_id = view.account_id
            if account_id in due:
                at = due[account_id]
                if at is None or now < at:
                    continue
            if account_id not in table.rows:
                continue
            text = self._checked_text(view, now)
            shown = table.get_cell(account_id, "checked")
            if getattr(shown, "plain", shown) != text:
                table.update_cell(account_id, "checked", Text(text))
                forget_synced(table, account_id)
            due[account_id] = self._checked_changes_at(view, now)
        return min((at for at in due.values() if at is not None), default=None)

    @staticmethod
    def _checked_changes_at(view: AccountView, now: datetime) -> datetime | None:
        """When `_checked_text` can next read differently with no new answer (None: never)."""
        status = view.report.status if view.report is not None else None
        if view.asked or status is None:
            return None
        if status.retry_at is not None and status.retry_at > now:
            return now  # "retry in …" counts down: look again at the next tick
        return fmt.ago_changes_at(status.checked_at, now, step_s=CHECKED_STEP_S)

    def _show_problems(self, model: DashboardModel, palette: Palette) -> None:
        problems = self.query_one("#status-problems", QuietStatic)
        failing = self._failing(model)
        selected = self._selected_id()
        every_fix = self.size.width >= WIDE_PANE  # room for each failing account's fix
        key = (tuple(failing), selected, palette, every_fix)
        problems.set_content(
            key, lambda: self._problems(failing, selected, palette, every_fix=every_fix)
        )
        shown = any(
            v.failed or (v.report and v.report.status.problem) for v in model.views.values()
        )
        if problems.display != shown:
            problems.display = shown

    def _row(self, view: AccountView, now: datetime, palette: Palette) -> Row:
        """The account's row, rebuilt only when what it shows changed (every round brings a
        new report for every account; most rows read the same)."""
        look = look_of(view.report)
        status = view.report.status if view.report is not None else None
        latency = self._latency_shown(view.account_id, status.latency_ms if status else None)
        clock = fmt.clock_offset(
            self._clock_shown(view), whole_seconds=view.exchange in fmt.WHOLE_SECOND_CLOCKS
        )
        checked = self._checked_text(view, now)
        shown = (look, view.name, latency, clock, checked, palette)
        cached = self._rows.get(view.account_id)
        if cached is not None and cached[0] == shown:
            return cached[1]
        row = Row(
            view.account_id,
            (
                Text(look.text.ljust(STATE_WIDTH), style=palette.style(look.style)),
                Text(fmt.fit(view.name, ACCOUNT_WIDTH)),  # a long label keeps Latency in view
                Text(fmt.latency(latency).rjust(7)),
                Text(clock.rjust(8)),
                Text(checked),
            ),
        )
        self._rows[view.account_id] = (shown, row)
        return row

    def _latency_shown(self, account_id: str, latency_ms: float | None) -> float | None:
        """The latency to show: the one shown before while the new one is within
        `LATENCY_HOLD` of it. A round trip varies by a few percent from check to check;
        showing each one re-rendered rows every round for a change no one acts on. The
        account's detail (d) shows the latest as measured."""
        before = self._latency.get(account_id)
        if latency_ms is None or before is None or abs(latency_ms - before) > before * LATENCY_HOLD:
            self._latency[account_id] = latency_ms
            return latency_ms
        return before

    @staticmethod
    def _clock_shown(view: AccountView) -> float | None:
        report = view.report
        if report is None:
            return None
        kind = report.problem.kind if report.problem is not None else None
        return fmt.clock_for_verdict(report.status.clock_offset_ms, kind)

    @staticmethod
    def _checked_text(view: AccountView, now: datetime) -> str:
        status = view.report.status if view.report is not None else None
        if view.asked or status is None:  # a scheduled round is said in the subtitle only
            checked = "checking…"
        elif status.retry_at is not None and status.retry_at > now:
            checked = fmt.retry_in(status.retry_at, now)  # a failing key in back-off
        else:
            checked = fmt.ago(status.checked_at, now, step_s=CHECKED_STEP_S)
        return checked.ljust(10)

    @staticmethod
    def _failing(model: DashboardModel) -> list[tuple[str, str, str, str, str, str]]:
        """(account id, glyph, name, style, title, fix) of every account with a problem."""
        failing = []
        for view in model.views.values():
            report = view.report
            if report is None:
                continue
            problem = report.problem or report.status.problem
            if problem is None:
                continue
            look = look_of(view.report)
            failing.append(
                (view.account_id, look.glyph, view.name, look.style, problem.title, problem.fix)
            )
        return failing

    @staticmethod
    def _problems(
        failing: list[tuple[str, str, str, str, str, str]],
        selected: str | None,
        palette: Palette,
        *,
        every_fix: bool = False,
    ) -> RenderableType:
        """One line per problem; the fix in full for the selected (or first) failing account,
        or for every one of them where the pane is wide."""
        if not failing:
            return Group()
        if every_fix:
            blocks = []
            for _, glyph, name, style, title, fix in failing:
                blocks.append(
                    Text.assemble((f"{glyph} {name}: ", palette.style(f"bold {style}")), title)
                )
                blocks.append(Text.assemble(("  Fix: ", "bold"), fix))
            blocks.append(Text("d (or Enter): everything about the selected account", "dim"))
            return Group(*blocks)
        lines = [
            Text.assemble((f"{glyph} {name}: ", palette.style(f"bold {style}")), title)
            for _, glyph, name, style, title, _ in failing
        ]
        chosen = next((index for index, item in enumerate(failing) if item[0] == selected), 0)
        fix = Text.assemble(
            ("Fix", "bold"),
            f" ({lines[chosen].plain.split(':')[0][2:]}): ",
            failing[chosen][5],
        )
        hint = Text(
            "↑↓ picks whose fix is shown · d (or Enter): everything about that account"
            if len(failing) > 1
            else "d (or Enter): everything about this account",
            style="dim",
        )
        return Group(*lines, fix, hint)

    def _selected_id(self) -> str | None:
        table = self.query_one("#status-table", DataTable)
        rows = list(table.ordered_rows)
        if 0 <= table.cursor_row < len(rows):
            return str(rows[table.cursor_row].key.value)
        return None

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if self._last_model is not None and self._palette is not None:
            self._show_problems(self._last_model, self._palette)
