"""The exchange list: every exchange ccxt knows, connected ones first. Type to filter."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Static

from tui.ui.messages import AccountsChanged, CatalogChanged, ConnectRequested, RemoveRequested
from tui.ui.screens.worker_errors import ReportsWorkerErrors
from tui.ui.widgets.spinner import set_spinning
from tui.ui.widgets.states import STATE_WIDTH
from tui.ui.widgets.summaries import accounts_permission_summary, fuzzy_rank, status_summary
from tui.ui.widgets.theme import Palette

if TYPE_CHECKING:
    from tui.connect.catalog import ExchangeInfo
    from tui.core.exchange_catalog import ExchangeCatalog
    from tui.core.session import Session
    from tui.vault.account import Account


# The exchanges most traders connect, by spot volume and API use (2026), shown first.
POPULAR: tuple[str, ...] = (
    "binance",
    "okx",
    "bybit",
    "coinbase",
    "kraken",
    "bitget",
    "kucoin",
    "gate",
    "htx",
    "mexc",
    "bingx",
    "cryptocom",
    "bitfinex",
    "gemini",
    "bitstamp",
    "deribit",
    "hyperliquid",
)


class FilterInput(Input):
    """The filter box. Movement keys drive the list below so typing never has to stop."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down", "screen.move(1)", "Down", show=False, id="list_down"),
        Binding("up", "screen.move(-1)", "Up", show=False, id="list_up"),
        Binding("pagedown", "screen.page(1)", "Page down", show=False, id="list_page_down"),
        Binding("pageup", "screen.page(-1)", "Page up", show=False, id="list_page_up"),
        Binding("home", "screen.edge(0)", "First", show=False, id="list_first"),
        Binding("end", "screen.edge(1)", "Last", show=False, id="list_last"),
    ]


class ExchangeListScreen(ReportsWorkerErrors, Screen[None]):
    AUTO_FOCUS = "#filter"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "Connect", id="exchange_connect", priority=False),
        Binding("f8,delete", "remove", "Remove account", id="exchange_remove"),
        Binding("escape", "clear_filter", "Clear / back", id="exchange_clear_filter"),
        Binding("f5", "reload_catalog", "Reload list", show=False, id="exchange_reload"),
    ]
    HELP_NOTES: ClassVar[tuple[tuple[str, str], ...]] = (("type", "filter the exchange list"),)

    def __init__(self, session: Session, catalog: ExchangeCatalog) -> None:
        super().__init__()
        self.session = session
        self.catalog = catalog
        self._unsubscribe: list[Callable[[], None]] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield FilterInput(
            placeholder="Type to filter exchanges (e.g. bin, okx, coinbase)", id="filter"
        )
        with Horizontal(id="catalog-loading", classes="working"):
            yield Static("Loading the exchange list…", id="catalog-status")
        table: DataTable[Text | str] = DataTable(
            id="exchanges", cursor_type="row", zebra_stripes=True
        )
        table.add_column("Exchange", key="exchange", width=20)
        table.add_column("Accounts", key="accounts", width=16)
        table.add_column("Status", key="status", width=STATE_WIDTH)
        table.add_column("Permissions", key="permissions")
        yield table
        yield Static("", id="list-summary", classes="dim")
        yield Footer()

    def on_mount(self) -> None:
        # The services call back from any thread: a message brings the news to this one.
        self._unsubscribe = [
            self.catalog.subscribe(lambda: self.post_message(CatalogChanged())),
            self.session.subscribe(lambda: self.post_message(AccountsChanged()), reports=True),
        ]
        self.rebuild()

    def on_unmount(self) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()

    def on_catalog_changed(self, message: CatalogChanged) -> None:
        message.stop()
        self.rebuild()

    def on_accounts_changed(self, message: AccountsChanged) -> None:
        message.stop()
        self.rebuild()

    def on_screen_resume(self) -> None:
        self.rebuild()

    # ---- rows ----------------------------------------------------------------------------

    def _accounts_by_exchange(self) -> dict[str, list[Account]]:
        grouped: dict[str, list[Account]] = defaultdict(list)
        for account in self.session.accounts:
            grouped[account.exchange].append(account)
        return grouped

    def visible_exchanges(self) -> list[ExchangeInfo]:
        """Connected first, then the exchanges most traders use, then by name; with a filter,
        best match first."""
        grouped = self._accounts_by_exchange()
        query = self.query_one("#filter", Input).value.strip()
        keyed: list[tuple[tuple[object, ...], ExchangeInfo]] = []
        for info in self.catalog.exchanges or ():
            rank = fuzzy_rank(query, info.name, info.id)
            if rank is None:
                continue
            popular = POPULAR.index(info.id) if info.id in POPULAR else len(POPULAR)
            order = (info.id not in grouped, popular, info.name.lower())
            keyed.append(((rank, *order) if query else order, info))
        keyed.sort(key=lambda pair: pair[0])
        return [info for _, info in keyed]

    def rebuild(self) -> None:
        catalog = self.catalog
        loading = not catalog.loaded
        row = self.query_one("#catalog-loading", Horizontal)
        row.display = loading
        set_spinning(row, loading and catalog.problem is None)
        self.query_one("#catalog-status", Static).update(
            Text(
                f"The exchange list could not be loaded: {catalog.problem}. Press F5 to try again."
            )
            if catalog.problem
            else "Loading the exchange list…"
        )
        table = self.query_one("#exchanges", DataTable)
        table.display = not loading
        if loading:
            return
        selected = self.selected_exchange()
        grouped = self._accounts_by_exchange()
        palette = Palette(self.app.theme_variables)
        table.clear()
        exchanges = self.visible_exchanges()
        for info in exchanges:
            accounts = grouped.get(info.id, [])
            name = Text(info.name, style="bold" if accounts else "")
            labels = ", ".join(account.label for account in accounts)
            reports = self.session.reports
            table.add_row(
                name,
                Text(f"{len(accounts)} · {labels}") if accounts else Text("—", style="dim"),
                status_summary(accounts, reports, palette),
                accounts_permission_summary(accounts, reports, palette),
                key=info.id,
            )
        if selected is not None and selected in {info.id for info in exchanges}:
            table.move_cursor(row=table.get_row_index(selected))
        total = len(catalog.exchanges or ())
        connected = len([e for e in grouped if catalog.info(e) is not None])
        shown = (
            f"{len(exchanges)} of {total} exchanges"
            if len(exchanges) != total
            else (f"{total} exchanges")
        )
        self.query_one("#list-summary", Static).update(
            f"{shown} · {connected} connected · Enter connects · ctrl+p for commands"
        )

    def selected_exchange(self) -> str | None:
        table = self.query_one("#exchanges", DataTable)
        if table.row_count == 0:
            return None
        try:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        except Exception:
            return None
        return str(key.value) if key.value is not None else None

    # ---- keys ----------------------------------------------------------------------------

    @on(Input.Changed, "#filter")
    def _filter_changed(self) -> None:
        self.rebuild()
        table = self.query_one("#exchanges", DataTable)
        if table.row_count:
            table.move_cursor(row=0)

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_open()

    @on(DataTable.RowSelected, "#exchanges")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def action_move(self, delta: int) -> None:
        table = self.query_one("#exchanges", DataTable)
        if delta > 0:
            table.action_cursor_down()
        else:
            table.action_cursor_up()

    def action_page(self, direction: int) -> None:
        table = self.query_one("#exchanges", DataTable)
        if direction > 0:
            table.action_page_down()
        else:
            table.action_page_up()

    def action_edge(self, end: int) -> None:
        table = self.query_one("#exchanges", DataTable)
        if table.row_count:
            table.move_cursor(row=table.row_count - 1 if end else 0)

    def action_open(self) -> None:
        exchange = self.selected_exchange()
        if exchange is not None:
            self.post_message(ConnectRequested(exchange))

    def action_remove(self) -> None:
        exchange = self.selected_exchange()
        if exchange is not None and exchange in self._accounts_by_exchange():
            self.post_message(RemoveRequested(exchange))
        else:
            self.notify("No account to remove for this exchange.", severity="warning")

    def action_reload_catalog(self) -> None:
        if self.catalog.retry():
            self.rebuild()
            self.run_worker(
                self.catalog.load, thread=True, exclusive=True, group="catalog", exit_on_error=False
            )

    def action_clear_filter(self) -> None:
        """Esc clears the filter; with nothing to clear, it goes back (to the dashboard)."""
        field = self.query_one("#filter", Input)
        if not field.value and len(self.app.screen_stack) > 1:  # a screen under it
            self.dismiss(None)
            return
        field.value = ""
        field.focus()
