"""What the create, unlock and change-password forms share while the KDF runs."""

from __future__ import annotations

from typing import ClassVar

from textual.screen import Screen
from textual.widgets import Button, Input
from textual.worker import Worker, WorkerState

from tui.ui.screens.worker_errors import ReportsWorkerErrors
from tui.ui.widgets.field_error import FieldError
from tui.ui.widgets.spinner import set_spinning


class PasswordFormMixin(ReportsWorkerErrors):
    """While the form's worker derives the key, its inputs and submit button (the unlock
    screen has none: Enter submits) are disabled and the `#working` line shows, with a
    spinner mounted for the time. A worker that
    fails or is cancelled makes the form usable again; the app reports the failure itself.
    Mix into a Screen before the Screen class."""

    SUBMIT_BUTTON: ClassVar[str | None]  # selector of the submit button, e.g. "#create"
    ERROR_LINE: ClassVar[str]  # selector of the form's FieldError, e.g. "#unlock-error"

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state in (WorkerState.ERROR, WorkerState.CANCELLED):
            self._set_busy(False)

    def follow_errors(self, new_field: str) -> None:
        """After a refused submit, the error line follows the fields as they change; a
        confirmation still being typed (a prefix of `new_field`) leaves it as it is. The form
        defines `problem()` -> (message, field) | None and sets `_touched` on a refusal."""
        assert isinstance(self, Screen)
        if not getattr(self, "_touched", False) or self.query_one("#working").display:
            return
        problem = self.problem()  # type: ignore[attr-defined]
        confirm = self.query_one("#confirm", Input)
        still_typing = self.query_one(new_field, Input).value.startswith(confirm.value)
        if problem is not None and problem[1] is confirm and still_typing:
            return
        self.query_one(self.ERROR_LINE, FieldError).show(problem[0] if problem else None)

    def _set_busy(self, busy: bool) -> None:
        assert isinstance(self, Screen)
        working = self.query_one("#working")
        working.display = busy
        set_spinning(working, busy)
        for field in self.query(Input):
            field.disabled = busy
        if self.SUBMIT_BUTTON is not None:
            self.query_one(self.SUBMIT_BUTTON, Button).disabled = busy
        if busy:
            self.query_one(self.ERROR_LINE, FieldError).show(None)
