"""Import keys from the tools traders already use (command palette: Import keys...).

Pick the source and its file, see every key found in a table (never a secret), include or
skip each row, then verify and save the chosen ones in ONE keyfile write. The same readers
and rules as `keydeck import` (tui/keys_io); duplicates of stored keys are never saved.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Input, Select, Static, Switch

from tui.base.redact import Secret
from tui.keys_io.sources import SOURCE_NAMES
from tui.ui.screens.worker_errors import ReportsWorkerErrors

if TYPE_CHECKING:
    from tui.core.exchange_catalog import ExchangeCatalog
    from tui.core.session import Session
    from tui.keys_io.plan import Plan
    from tui.keys_io.sources import SourceRead

_NEEDS_PASSWORD = {"hummingbot", "keydeck"}
_HINTS = {
    "hummingbot": "the conf folder (with connectors/ and .password_verification)",
    "freqtrade": "config.json (comments allowed)",
    "env": "a .env file: BINANCE_API_KEY=..., OKX_API_PASSPHRASE=...",
    "ccxt": 'keys.json: {"binance": {"apiKey": ..., "secret": ...}}',
    "keydeck": "another Keydeck keyfile, or a `keydeck backup`",
}


@dataclass
class Row:
    key: str
    exchange: str
    label: str
    fields: str
    state: str
    include: bool
    account: Any = None


class ImportKeysScreen(ReportsWorkerErrors, ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="import.close"),
        Binding("space", "toggle", "Include / skip", id="import.toggle"),
    ]

    def __init__(self, session: Session, catalog: ExchangeCatalog) -> None:
        super().__init__()
        self.session = session
        self.catalog = catalog
        self.rows: list[Row] = []
        self._read: SourceRead | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog import-dialog"):
            yield Static("Import keys", classes="dialog-title")
            options = [(name, name) for name in SOURCE_NAMES]
            yield Select(options, value="freqtrade", allow_blank=False, id="source")
            yield Input(placeholder=_HINTS["freqtrade"], id="path")
            yield Input(password=True, placeholder="the source's own password", id="source-pw")
            with Horizontal(classes="switch-row"):
                yield Switch(value=True, id="verify")
                yield Static("Check each key with its exchange before saving it")
            yield Static("", id="import-status", markup=False)
            table: DataTable[Text | str] = DataTable(id="import-rows", cursor_type="row")
            for column in ("", "Exchange", "Label", "Fields", "What happens"):
                table.add_column(column)
            yield table
            with Horizontal(classes="dialog-buttons"):
                yield Button("Preview", id="preview", variant="primary")
                yield Button("Import", id="import", variant="warning", disabled=True)
                yield Button("Close", id="close")

    def on_mount(self) -> None:
        self.query_one("#source-pw").display = False
        self.query_one("#path", Input).focus()

    @on(Select.Changed, "#source")
    def _source_changed(self, event: Select.Changed) -> None:
        name = str(event.value)
        self.query_one("#path", Input).placeholder = _HINTS.get(name, "")
        self.query_one("#source-pw").display = name in _NEEDS_PASSWORD
        self._clear()

    def _clear(self) -> None:
        self.rows = []
        self._read = None
        self.query_one("#import-rows", DataTable).clear()
        self.query_one("#import", Button).disabled = True

    def _status(self, text: str) -> None:
        self.query_one("#import-status", Static).update(text)

    # ---- preview ---------------------------------------------------------------------------

    @on(Input.Submitted, "#path")
    @on(Input.Submitted, "#source-pw")
    @on(Button.Pressed, "#preview")
    def _preview_pressed(self, event: Input.Submitted | Button.Pressed) -> None:
        event.stop()
        path = self.query_one("#path", Input).value.strip()
        if not path:
            self._status("Give the file (or folder) to read.")
            return
        source = str(self.query_one("#source", Select).value)
        password = Secret(self.query_one("#source-pw", Input).value)
        self._clear()
        self._status("Reading…")
        self._preview(source, Path(path).expanduser(), password)

    @work(thread=True, exclusive=True, group="import", exit_on_error=False)
    def _preview(self, source: str, path: Path, password: Secret) -> None:
        from tui.keys_io.dispatch import read_source
        from tui.keys_io.plan import plan_import
        from tui.keys_io.sources import SourceError

        try:
            read = read_source(source, path, lambda _prompt: password.reveal())
        except SourceError as error:
            self.app.call_from_thread(self._status, str(error))
            return
        plan = plan_import(read.candidates, self.session.accounts, default_label=source)
        self.app.call_from_thread(self._show_plan, read, plan)

    def _show_plan(self, read: SourceRead, plan: Plan) -> None:
        from tui.keys_io.plan import field_names

        self._read = read
        rows = []
        for number, planned in enumerate(plan.rows):
            account = planned.account
            new = planned.state == "new"
            state = "added" if new else f"skipped: already stored as {planned.duplicate_of}"
            rows.append(
                Row(
                    f"row{number}",
                    account.exchange,
                    account.label,
                    field_names(planned),
                    state,
                    new,
                    account,
                )
            )
        for number, skipped in enumerate([*read.skipped, *plan.invalid]):
            rows.append(Row(f"skip{number}", skipped.origin, "", "", skipped.reason, False))
        self.rows = rows
        self._redraw()
        found = len(plan.rows)
        self._status(
            f"{found} key{'s' if found != 1 else ''} found. Space includes or skips the selected "
            "row; Import checks and saves the included ones in one write."
        )

    def _redraw(self) -> None:
        table = self.query_one("#import-rows", DataTable)
        table.clear()
        for row in self.rows:
            mark = Text("✔" if row.include else "·", style="bold" if row.include else "dim")
            table.add_row(mark, row.exchange, Text(row.label), row.fields, Text(row.state))
        chosen = sum(1 for row in self.rows if row.include)
        button = self.query_one("#import", Button)
        button.disabled = chosen == 0
        button.label = f"Import {chosen}"

    def action_toggle(self) -> None:
        table = self.query_one("#import-rows", DataTable)
        if not self.rows or table.cursor_row >= len(self.rows):
            return
        row = self.rows[table.cursor_row]
        if row.account is None or row.state.startswith("skipped: already"):
            self.notify("This row cannot be imported.", title="Import")
            return
        row.include = not row.include
        row.state = "added" if row.include else "skipped by you"
        cursor = table.cursor_row
        self._redraw()
        table.move_cursor(row=cursor)

    # ---- import ----------------------------------------------------------------------------

    @on(Button.Pressed, "#import")
    def _import_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        chosen = [row for row in self.rows if row.include and row.account is not None]
        if chosen:
            self.query_one("#import", Button).disabled = True
            self._status("Checking and saving…")
            self._import(chosen, self.query_one("#verify", Switch).value)

    @work(exclusive=True, group="import", exit_on_error=False)
    async def _import(self, chosen: list[Row], verify: bool) -> None:
        import asyncio

        from tui.vault import VaultError

        accepted, reports = [], {}
        for row in chosen:
            if verify:
                report = await self.session.verify(row.account)
                if report.problem is not None:
                    row.include, row.state = False, f"not saved: {report.problem.title}"
                    continue
                reports[row.account.id] = report
            accepted.append(row.account)
        try:
            if accepted:
                await asyncio.to_thread(self.session.save_accounts, accepted, reports)
        except (VaultError, ValueError, OSError) as error:
            self._status(f"Nothing was saved: {error}")
            self._redraw()
            return
        for row in chosen:
            if row.account in accepted:
                row.include, row.state = False, "saved" if verify else "saved (unverified)"
        self._redraw()
        self._status(self._summary(len(accepted), len(chosen)))

    def _summary(self, saved: int, chosen: int) -> str:
        text = f"{saved} of {chosen} saved."
        read = self._read
        if saved and read is not None and read.plain_text:
            text += (
                f" {read.path} still holds these keys in clear: take them out of it "
                f"({read.cleanup_hint or 'delete the values'}). Keydeck never changes it."
            )
        return text

    @on(Button.Pressed, "#close")
    def action_close(self) -> None:
        self.dismiss(None)
