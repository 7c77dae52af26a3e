"""Restore the backup over a damaged keyfile: the password first, to check it opens."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from tui.base.redact import Secret
from tui.ui.screens.password_form import PasswordFormMixin
from tui.ui.widgets.field_error import FieldError

if TYPE_CHECKING:
    from tui.core.keyfile_access import KeyfileAccess


class RestoreBackupScreen(PasswordFormMixin, ModalScreen["Path | None"]):
    """Dismisses with where the damaged keyfile was kept, or None when nothing changed."""

    SUBMIT_BUTTON = "#restore"
    ERROR_LINE = "#restore-error"
    AUTO_FOCUS = "#password"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="restore_backup.cancel"),
    ]

    def __init__(self, keyfile: KeyfileAccess) -> None:
        super().__init__()
        self.keyfile = keyfile

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("Restore the backup", classes="dialog-title")
            yield Static(
                "Type the master password. Keydeck opens the backup with it first; only if "
                "it opens is the damaged keyfile moved aside (kept) and the backup put in "
                "its place.",
                classes="dialog-body",
            )
            yield Input(password=True, id="password", placeholder="master password")
            yield FieldError(id="restore-error")
            with Horizontal(id="working", classes="working"):
                yield Static("Checking the backup…")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Restore backup", id="restore", variant="warning")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#working").display = False

    @on(Input.Submitted, "#password")
    @on(Button.Pressed, "#restore")
    def submit(self, event: Input.Submitted | Button.Pressed) -> None:
        event.stop()
        field = self.query_one("#password", Input)
        if not field.value:
            self.query_one("#restore-error", FieldError).show("Type your master password.")
            return
        password = Secret(field.value)
        field.value = ""
        self._set_busy(True)
        self._restore(password)

    @work(thread=True, exclusive=True, exit_on_error=False, group="vault")
    def _restore(self, password: Secret) -> None:
        from tui.vault.errors import VaultError, WrongPassword

        try:
            aside = self.keyfile.restore_backup(password)
        except WrongPassword:
            self.app.call_from_thread(self._failed, "Wrong password: the backup did not open.")
        except (VaultError, OSError) as error:
            self.app.call_from_thread(self._failed, f"Not restored: {error}")
        else:
            self.app.call_from_thread(self.dismiss, aside)

    def _failed(self, text: str) -> None:
        self._set_busy(False)
        self.query_one("#restore-error", FieldError).show(text)
        self.query_one("#password", Input).focus()

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
