"""The balance pane: holdings of all accounts together or per account, with totals."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Input

from tui.base import format as fmt
from tui.ui.dashboard.model import (
    AccountSection,
    AccountView,
    BalanceFilter,
    BalanceRow,
    DashboardModel,
    section_of,
)
from tui.ui.dashboard.quiet import QuietBorder
from tui.ui.dashboard.table_sync import Cell, Row, sync_table
from tui.ui.widgets.row_table import RowTable
from tui.ui.widgets.states import look_of
from tui.ui.widgets.theme import Palette

# The value first, then the amounts: at 80 columns the right-hand columns are cut, and the
# USD value is what a trader looks for (issue 23).
COLUMNS: tuple[tuple[str, str], ...] = (
    ("asset", "Asset"),
    ("usd", "USD value"),
    ("share", "Share"),
    ("total", "Total"),
    ("free", "Free"),
    ("used", "In orders"),
)


def _ordered(**cells: Cell) -> tuple[Cell, ...]:
    """A row's cells in COLUMNS order; a column not named is empty."""
    return tuple(cells.get(key, Text("")) for key, _ in COLUMNS)


AGE_STEP_S = 30
""""updated N s ago" moves in 30 s steps ("just now", "30 s ago", "1 min ago"; the status
pane's "Checked" moves by the minute). In 1 s steps an idle dashboard painted a frame every
second, in 10 s steps once between any two rounds at the default 15 s refresh; in 30 s steps
it reads "just now" while the rounds come on time, and moves once they stop (issue 30). A
round that failed says so itself ("⚠ stale")."""

ACCOUNT_ROW = "acct:"
"""Row keys of the per-account view start with this, then the account id."""


class BalanceView(StrEnum):
    all = "all accounts"
    accounts = "per account"


TABLE_IDS: dict[BalanceView, str] = {
    BalanceView.all: "balance-table",
    BalanceView.accounts: "balance-accounts",
}
"""One table per view, both kept current: `v` shows the other."""


class BalancePane(Vertical, QuietBorder):
    """A filter box over one table per view. Both tables are kept current, so `v` only
    shows the other (one frame, no refill); each updates in place, changing only the cells
    that differ, and an account's rows are rebuilt only when its report changed."""

    _hidden = 0
    """Rows hidden as small by the last `show`, for the subtitle between two shows."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._sections: dict[str, tuple[tuple[object, ...], list[Row], AccountSection]] = {}
        self._hidden_by: dict[BalanceView, int] = {}

    def compose(self) -> ComposeResult:
        yield Input(placeholder="Filter assets (/)", id="balance-filter")
        for table_id in TABLE_IDS.values():
            table = RowTable(id=table_id, cursor_type="row", zebra_stripes=True)
            for key, label in COLUMNS:
                table.add_column(label, key=key)
            yield table

    @property
    def table(self) -> DataTable[Any]:
        """The table of the view shown."""
        return self.query_one(f"#{TABLE_IDS[self._view]}", DataTable)

    _view = BalanceView.all

    def show(
        self,
        model: DashboardModel,
        flt: BalanceFilter,
        view: BalanceView,
        now: datetime,
        palette: Palette,
    ) -> None:
        combined, hidden_all = self._combined(model, flt, palette)
        per_account, hidden_each = self._per_account(model, flt, palette)
        sync_table(self.query_one(f"#{TABLE_IDS[BalanceView.all]}", DataTable), combined)
        sync_table(self.query_one(f"#{TABLE_IDS[BalanceView.accounts]}", DataTable), per_account)
        self._hidden_by = {BalanceView.all: hidden_all, BalanceView.accounts: hidden_each}
        self.show_view(model, flt, view, now)

    def show_view(
        self, model: DashboardModel, flt: BalanceFilter, view: BalanceView, now: datetime
    ) -> None:
        """Show `view` as the last `show` left it: its table, title and subtitle."""
        self.switch(view)
        self._hidden = self._hidden_by.get(view, 0)
        self.show_title(self._title(model, view))
        self.show_subtitle(self._subtitle(model, flt, self._hidden, now))

    def switch(self, view: BalanceView) -> None:
        """Show `view`'s table (kept current by `show`); the focus follows it."""
        if view is self._view and self.table.display:
            return
        had_focus = self.screen.focused is self.table if self.is_attached else False
        self._view = view
        for each, table_id in TABLE_IDS.items():
            table = self.query_one(f"#{table_id}", DataTable)
            if table.display != (each is view):
                table.display = each is view
        if had_focus:
            self.table.focus()

    @staticmethod
    def _title(model: DashboardModel, view: BalanceView) -> str:
        """The total stays in the title, also where the value column or the portfolio pane
        has no room (80 columns)."""
        if not any(v.balances is not None for v in model.views.values()):
            return f"Balances · {view.value}"
        unpriced = " + unpriced" if model.unpriced_assets() else ""
        return f"Balances · {view.value} · {fmt.usd(model.total_usd())}{unpriced}"

    def tick(self, model: DashboardModel, flt: BalanceFilter, now: datetime) -> datetime | None:
        """The clock moved: renew "updated N s ago" in the subtitle, nothing else. Returns
        when that text can next change by the clock alone (None: never)."""
        self.show_subtitle(self._subtitle(model, flt, self._hidden, now))
        updated = model.last_balance_update()
        return None if updated is None else fmt.ago_changes_at(updated, now, step_s=AGE_STEP_S)

    # --- the two views ---------------------------------------------------------------------

    def _combined(
        self, model: DashboardModel, flt: BalanceFilter, palette: Palette
    ) -> tuple[list[Row], int]:
        rows, hidden = model.combined_rows(flt)
        out = [Row(f"all:{row.asset}", _asset_cells(row)) for row in rows]
        if flt.text:
            held = sum(1 for row in model.combined_assets() if row.total != 0)
            out.append(Row("total", _filtered_cells(rows, held, model, palette)))
        else:
            out.append(Row("total", _total_cells("All accounts", model, palette)))
        return out, hidden

    def _per_account(
        self, model: DashboardModel, flt: BalanceFilter, palette: Palette
    ) -> tuple[list[Row], int]:
        out: list[Row] = []
        hidden = 0
        grand = model.total_usd()
        shown: list[BalanceRow] = []
        held = 0
        fixed = (flt.hide_small, flt.threshold_usd, flt.text, flt.sort, palette, grand)
        for view in model.views.values():
            rows, section = self._section(view, flt, fixed, palette, grand)
            out += rows
            hidden += section.hidden
            shown += section.rows
            if view.balances is not None:
                held += sum(1 for row in view.balances.assets if row.total != 0)
        if flt.text:
            out.append(Row("total", _filtered_cells(shown, held, model, palette)))
        else:
            out.append(Row("total", _total_cells("All accounts", model, palette)))
        return out, hidden

    def _section(
        self,
        view: AccountView,
        flt: BalanceFilter,
        fixed: tuple[object, ...],
        palette: Palette,
        grand: Decimal,
    ) -> tuple[list[Row], AccountSection]:
        """One account's header and asset rows; kept while what they show is the same: the
        amounts, the account's state when it has no balances, staleness, name and filter
        (each round's answer is a new object; comparing amounts costs less than rebuilding
        every account's rows each round)."""
        balances = view.balances
        key = (
            balances.assets if balances is not None else None,
            balances.total_usd if balances is not None else None,
            look_of(view.report) if balances is None else None,
            view.stale,
            view.name,
            *fixed,
        )
        cached = self._sections.get(view.account_id)
        if cached is not None and cached[0] == key:
            return cached[1], cached[2]
        section = section_of(view, flt)
        row_key = f"{ACCOUNT_ROW}{view.account_id}"
        rows = [Row(row_key, _header(section, grand, palette))]
        rows += [
            Row(f"{row_key}:{row.asset}", _asset_cells(row, indent=True)) for row in section.rows
        ]
        self._sections[view.account_id] = (key, rows, section)
        return rows, section

    def forget_rows(self) -> None:
        """Rebuild every row at the next `show` (a new theme, other accounts)."""
        self._sections.clear()

    @staticmethod
    def _subtitle(model: DashboardModel, flt: BalanceFilter, hidden: int, now: datetime) -> str:
        parts = [f"by {flt.sort.value}"]
        if flt.hide_small:
            small = f"hiding < {fmt.usd(flt.threshold_usd)}"
            parts.append(f"{small} ({hidden} hidden)" if hidden else small)
        if flt.text:
            parts.append(f"filter “{flt.text}”")
        if model.refreshing:
            parts.append("refreshing…")
        parts.append(f"updated {fmt.ago(model.last_balance_update(), now, step_s=AGE_STEP_S)}")
        stale = model.stale_views()
        if stale:
            parts.append("⚠ stale: " + ", ".join(view.name for view in stale))
        return " · ".join(parts)


def _right(text: str, style: str = "") -> Text:
    return Text(text, style=style, justify="right")


def _asset_cells(row: BalanceRow, *, indent: bool = False) -> tuple[Cell, ...]:
    share = fmt.share(row.share, Decimal(1)) if row.share is not None else fmt.NONE
    return _ordered(
        asset=Text(("  " if indent else "") + row.asset),
        free=_right(fmt.amount(row.free)),
        used=_right(fmt.amount(row.used) if row.used else fmt.NONE, "" if row.used else "dim"),
        total=_right(fmt.amount(row.total)),
        usd=_right(fmt.usd(row.usd), "" if row.usd is not None else "italic"),
        share=_right(share),
    )


def _header(section: AccountSection, grand: Decimal, palette: Palette) -> tuple[Cell, ...]:
    view = section.view
    name = Text(view.name, style="bold")
    note = Text()
    if view.balances is None:
        look = look_of(view.report)
        note = Text(
            "loading…" if look.word == "checking" else f"{look.glyph} failed",
            style=palette.style(look.style),
        )
    elif view.stale:
        note = Text("⚠ stale", style=palette.style("bold $warning"))
    total = view.total_usd
    return _ordered(
        asset=name,
        total=note,
        usd=_right(fmt.usd(total) if total is not None else "", "bold"),
        share=_right(fmt.share(total, grand) if total is not None else "", "bold"),
    )


def _total_cells(label: str, model: DashboardModel, palette: Palette) -> tuple[Cell, ...]:
    total = model.total_usd()
    unpriced = model.unpriced_assets()
    note = f"+ {len(unpriced)} unpriced" if unpriced else ""
    known = any(view.balances is not None for view in model.views.values())
    return _ordered(
        asset=Text(label, style="bold"),
        total=_right(note, "italic"),
        usd=_right(fmt.usd(total) if known else "…", palette.style("bold $accent")),
        share=_right("100%" if total > 0 else fmt.NONE, "bold"),
    )


def _filtered_cells(
    shown: list[BalanceRow], held: int, model: DashboardModel, palette: Palette
) -> tuple[Cell, ...]:
    """The total row under a text filter: what is shown, and its share of the whole (not
    the unfiltered total at 100 %)."""
    value = sum((row.usd for row in shown if row.usd is not None), Decimal(0))
    unpriced = sum(1 for row in shown if row.usd is None)
    whole = model.total_usd()
    return _ordered(
        asset=Text(f"Filtered: {len(shown)} of {held} assets", style="bold"),
        total=_right(f"+ {unpriced} unpriced" if unpriced else "", "italic"),
        usd=_right(fmt.usd(value), palette.style("bold $accent")),
        share=_right(fmt.share(value, whole) if whole > 0 else fmt.NONE, "bold"),
    )
