"""Change the master password: current, new (with strength), confirm. KDF in a thread."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from tui.base.paths import display_path
from tui.base.redact import Secret
from tui.ui.messages import KeyfileFailed, PasswordChanged, TaskFailed
from tui.ui.screens.create import MIN_SCORE
from tui.ui.screens.dialogs import ConfirmScreen
from tui.ui.screens.password_form import PasswordFormMixin
from tui.ui.widgets.field_error import FieldError
from tui.ui.widgets.strength import StrengthMeter, score_password

if TYPE_CHECKING:
    from textual.app import App

    from tui.core.session import Session


class ChangePasswordScreen(PasswordFormMixin, ModalScreen[bool]):
    SUBMIT_BUTTON = "#change"
    ERROR_LINE = "#change-error"
    AUTO_FOCUS = "#current"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="change_password_cancel"),
    ]

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self._touched = False  # a try was refused: errors now follow every change

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("Change the master password", classes="dialog-title")
            yield Static("Current password", classes="field-label")
            yield Input(password=True, id="current")
            yield Static("New password", classes="field-label")
            yield Input(password=True, id="new")
            yield StrengthMeter(id="strength")
            yield Static("New password again", classes="field-label")
            yield Input(password=True, id="confirm")
            yield FieldError(id="change-error")
            with Horizontal(id="working", classes="working"):
                yield Static("Re-encrypting the keyfile…")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Change password", id="change", variant="primary")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#working").display = False

    @on(Input.Changed, "#new")
    def _new_changed(self, event: Input.Changed) -> None:
        self.query_one(StrengthMeter).show_for(event.value)

    @on(Input.Changed)
    def _recheck(self) -> None:
        self.follow_errors("#new")

    def problem(self) -> tuple[str, Input] | None:
        """What stops the change, and the field to fix."""
        current = self.query_one("#current", Input)
        new = self.query_one("#new", Input)
        confirm = self.query_one("#confirm", Input)
        if not current.value:
            return "Type your current password.", current
        if not new.value:
            return "Choose a new password.", new
        strength = score_password(new.value)
        if strength.score < MIN_SCORE:
            return f"The new password is too easy to guess. {strength.hint}".strip(), new
        if new.value != confirm.value:
            return "The new passwords differ. Type it again.", confirm
        return None

    @on(Input.Submitted, "#current")
    @on(Input.Submitted, "#new")
    def _next_field(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus_next()

    @on(Input.Submitted, "#confirm")
    @on(Button.Pressed, "#change")
    def submit(self, event: Input.Submitted | Button.Pressed) -> None:
        event.stop()
        current = self.query_one("#current", Input)
        new = self.query_one("#new", Input)
        confirm = self.query_one("#confirm", Input)
        problem = self.problem()
        if problem is not None:
            text, field = problem
            if field is confirm:
                confirm.value = ""
            self._fail(text, field)
            return
        old_secret, new_secret = Secret(current.value), Secret(new.value)
        # The new ones stay (disabled) while the key is derived: a wrong current password
        # should not cost the user retyping them. They go with the dialog on success.
        current.value = ""
        self._set_busy(True)
        self._change(old_secret, new_secret)

    @work(thread=True, exclusive=True, exit_on_error=False, group="vault")
    def _change(self, current: Secret, new: Secret) -> None:
        from tui.vault.errors import VaultError

        try:
            self.session.change_password(current, new)
        except VaultError as error:
            self.post_message(KeyfileFailed(error))
            return
        self.post_message(PasswordChanged())

    def on_keyfile_failed(self, message: KeyfileFailed) -> None:
        from tui.vault.errors import WrongPassword

        message.stop()
        self._set_busy(False)
        if isinstance(message.error, WrongPassword):
            self._fail("The current password is wrong. Nothing was changed.", "#current")
            return
        self._fail("The password was not changed.", "#current")
        from tui.ui.screens.keyfile_problem import explain_save_failure

        text = explain_save_failure(
            message.error, self.session.backup_path.parent, "choose Change password again"
        )
        self.app.post_message(TaskFailed("The password was not changed", text, blocking=True))

    def on_password_changed(self, message: PasswordChanged) -> None:
        message.stop()
        for field in self.query(Input):
            field.value = ""
        self.app.notify(
            "The keyfile is now encrypted with the new password.", title="Password changed"
        )
        self.dismiss(True)  # the app then offers to remove the old backup

    def _fail(self, text: str, field: Input | str) -> None:
        self._touched = True
        self.query_one("#change-error", FieldError).show(text)
        widget = self.query_one(field) if isinstance(field, str) else field
        widget.focus()

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(False)


def offer_backup_removal(app: App[object], session: Session) -> None:
    """The backup beside the keyfile still opens with the old password: offer to delete it."""
    backup = session.backup_path
    if session.closed or not backup.exists():
        return

    def answered(yes: bool | None) -> None:
        if yes and not session.closed:
            app.run_worker(
                session.remove_backup, thread=True, group="settings", exit_on_error=False
            )
            app.notify("Old backup removed.")

    app.push_screen(
        ConfirmScreen(
            "Remove the old backup?",
            Text(
                f"The backup {display_path(backup)} still opens with the OLD password. "
                "Remove it, unless you want to keep a way back."
            ),
            confirm="Remove backup",
            cancel="Keep it",
        ),
        answered,
    )
