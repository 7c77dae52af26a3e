"""Edit an account's label or endpoint without entering its secrets again."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from tui.ui.screens.key_form import MAX_LABEL_CHARS, label_fault
from tui.ui.screens.worker_errors import ReportsWorkerErrors
from tui.ui.widgets.field_error import FieldError

if TYPE_CHECKING:
    from tui.core.session import Session
    from tui.vault import Account


class EditAccountScreen(ReportsWorkerErrors, ModalScreen[bool]):
    """Dismisses with True when the change was saved."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="edit_account.cancel"),
    ]

    def __init__(self, session: Session, account: Account) -> None:
        super().__init__()
        self.session = session
        self.account = account

    def compose(self) -> ComposeResult:
        account = self.account
        with Vertical(classes="dialog"):
            yield Static(Text(f"Edit {account.exchange} · {account.label}"), classes="dialog-title")
            yield Static("Label", classes="field-label")
            yield Input(account.label, id="label")
            yield FieldError(id="error-label")
            yield Static("Endpoint (empty: the exchange's own API)", classes="field-label")
            yield Input(account.endpoint or "", id="endpoint", placeholder="https://…")
            yield FieldError(id="error-endpoint")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save", id="save", variant="primary")
                yield Button("Cancel", id="cancel")

    @on(Input.Changed, "#label")
    def _label_changed(self, event: Input.Changed) -> None:
        """Over the limit: said while typing (it used to stop silently at the limit)."""
        label = event.value.strip()
        fault = label_fault(label) if len(label) > MAX_LABEL_CHARS else None
        self.query_one("#error-label", FieldError).show(fault)

    @on(Input.Submitted)
    @on(Button.Pressed, "#save")
    def submit(self, event: Input.Submitted | Button.Pressed) -> None:
        from tui.connect.endpoint import EndpointError, normalize_endpoint

        event.stop()
        label = self.query_one("#label", Input).value.strip()
        fault = label_fault(label)
        clash = any(
            a.label.lower() == label.lower() and a.id != self.account.id
            for a in self.session.accounts_of(self.account.exchange)
        )
        if clash:
            fault = f"Another {self.account.exchange} account is labelled {label!r}."
        self.query_one("#error-label", FieldError).show(fault)
        text = self.query_one("#endpoint", Input).value.strip()
        endpoint: str | None = None
        endpoint_fault: str | None = None
        if text:
            try:
                endpoint = normalize_endpoint(text)
            except EndpointError as error:
                endpoint_fault = f"Endpoint: {error}"
        self.query_one("#error-endpoint", FieldError).show(endpoint_fault)
        if fault or endpoint_fault:
            return
        changed = self.account.replace(label=label, endpoint=endpoint)
        self._save(changed)

    @work(thread=True, exclusive=True, group="edit-account", exit_on_error=False)
    def _save(self, changed: Account) -> None:
        from tui.vault import VaultError

        try:
            self.session.save_account(changed, self.account)
        except (VaultError, ValueError, OSError) as error:
            self.app.call_from_thread(
                self.query_one("#error-label", FieldError).show, f"Not saved: {error}"
            )
            return
        self.app.call_from_thread(self.dismiss, True)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(False)
