"""The dashboard's keys. A tooltip is the longer description that F1 help shows."""

from __future__ import annotations

from textual.binding import Binding

DASHBOARD_BINDINGS: tuple[Binding, ...] = (
    Binding(
        "r",
        "refresh_now",
        "Check all",
        id="dashboard.refresh",
        tooltip="Check all: every account now, failing ones too (their retry wait skipped)",
    ),
    Binding(
        "R",
        "recheck_selected",
        "Check row",
        id="dashboard.recheck",
        tooltip="Check row: the account selected in the status table, now",
    ),
    Binding(
        "v",
        "switch_view",
        "View",
        id="dashboard.view",
        tooltip="View: balances of all accounts together, or per account",
    ),
    Binding(
        "s",
        "cycle_sort",
        "Sort",
        id="dashboard.sort",
        tooltip="Sort balances: by value, asset, total or amount in orders",
    ),
    Binding(
        "h",
        "toggle_small",
        "Small balances",
        id="dashboard.small",
        tooltip="Small balances: hide or show them",
    ),
    Binding(
        "b",
        "switch_allocation",
        "Bars",
        id="dashboard.bars",
        tooltip="Bars: the portfolio picture by exchange or by asset",
    ),
    Binding(
        "k",
        "acknowledge",
        "Acknowledge risk",
        id="dashboard.acknowledge",
        tooltip="Acknowledge risk: accept the next critical warning for its key",
    ),
    Binding(
        "slash",
        "focus_filter",
        "Filter",
        id="dashboard.filter",
        tooltip="Filter: type an asset name to show only matching balances",
    ),
    Binding(
        "escape",
        "leave_filter",
        "Done",
        show=False,
        id="dashboard.leave_filter",
        tooltip="Leave the asset filter",
    ),
)

# Keys that act on the panes: hidden (footer and help) while there is no account.
PANE_ACTIONS = frozenset(
    {
        "refresh_now",
        "recheck_selected",
        "details",
        "history_span",
        "switch_view",
        "cycle_sort",
        "toggle_small",
        "switch_allocation",
        "acknowledge",
        "focus_filter",
        "leave_filter",
    }
)

PANE_NOTES: tuple[tuple[str, str], ...] = (
    ("Tab / shift+Tab", "move between the panes: status, asset filter, balances, permissions"),
    ("↑ ↓", "move in the focused table (the highlighted pane)"),
    ("← →", "scroll the focused table sideways when its columns are cut (a narrow terminal)"),
    (
        "d / R / Enter",
        "act on the account selected in the focused table: the status table's row, or an "
        "account's rows in the per-account balances (v)",
    ),
)
"""Keys no binding describes, for F1 help (how to move between the panes)."""
