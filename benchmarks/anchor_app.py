"""The anchor for the dashboard's figures: a plain Textual app of the same shape.

    python benchmarks/anchor_app.py N

A status table of N rows over a bordered pane holding two prebuilt tables of the balances
N benchmark accounts hold (`simproc.BENCH_BALANCES`): all accounts together, and per
account (a header row per account and its assets). `v` flips which table shows and sets the
pane's title to "Balances · all accounts" / "Balances · per account", as Keydeck's does;
nothing else ever changes. What Keydeck costs beyond this is Keydeck's own work.
"""

from __future__ import annotations

import sys

from rich.text import Text
from textual.app import App, ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Footer, Header

ASSETS = (("BTC", "0.6", "60,000.00"), ("ETH", "4", "14,000.00"), ("USDT", "1,050", "1,050.00"))
COLUMNS = ("Asset", "USD value", "Share", "Total", "Free", "In orders")


def _right(text: str) -> Text:
    return Text(text, justify="right")


class AnchorApp(App[None]):
    CSS = """
    #status { height: 1fr; }
    #balances { height: 1fr; border: round $primary; }
    #per-account { display: none; }
    """
    BINDINGS = [("v", "flip", "View")]  # noqa: RUF012 - Textual's own pattern

    def __init__(self, accounts: int) -> None:
        super().__init__()
        self.accounts = accounts
        self.view = "all accounts"

    def compose(self) -> ComposeResult:
        yield Header()
        status = DataTable(id="status", cursor_type="row", zebra_stripes=True)
        status.add_columns("State", "Account", "Latency", "Clock", "Checked")
        for index in range(self.accounts):
            status.add_row("● ok", f"exchange · bench-{index}", "201 ms", "+0.0 s", "just now")
        yield status
        with Vertical(id="balances"):
            combined = DataTable(id="all-accounts", cursor_type="row", zebra_stripes=True)
            per_account = DataTable(id="per-account", cursor_type="row", zebra_stripes=True)
            for table in (combined, per_account):
                table.add_columns(*COLUMNS)
            for asset, total, usd in ASSETS:
                combined.add_row(asset, _right(usd), _right("33%"), _right(total), _right(total))
            for index in range(self.accounts):
                per_account.add_row(Text(f"exchange · bench-{index}", style="bold"))
                for asset, total, usd in ASSETS:
                    per_account.add_row(f"  {asset}", _right(usd), "", _right(total))
            for table in (combined, per_account):
                table.add_row(Text("All accounts", style="bold"), _right("75,050.00"))
            yield combined
            yield per_account
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#balances").border_title = f"Balances · {self.view}"

    def action_flip(self) -> None:
        self.view = "per account" if self.view == "all accounts" else "all accounts"
        per_account = self.view == "per account"
        self.query_one("#all-accounts").display = not per_account
        self.query_one("#per-account").display = per_account
        self.query_one("#balances").border_title = f"Balances · {self.view}"


if __name__ == "__main__":
    AnchorApp(int(sys.argv[1]) if len(sys.argv) > 1 else 20).run()
