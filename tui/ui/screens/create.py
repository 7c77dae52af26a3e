"""First run: choose the master password and create the keyfile."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Input, Static

from tui.base.paths import display_path
from tui.base.redact import Secret
from tui.ui.messages import KeyfileFailed, SessionStarted
from tui.ui.screens.password_form import PasswordFormMixin
from tui.ui.widgets.field_error import FieldError
from tui.ui.widgets.strength import MIN_SCORE, StrengthMeter, score_password

if TYPE_CHECKING:
    from tui.core.keyfile_access import KeyfileAccess


NO_RECOVERY_TEXT = (
    "There is no password recovery. Keydeck cannot open the keyfile without this password "
    "and nobody can reset it. If you forget it: revoke your keys at each exchange, start a "
    "new keyfile, and add new keys."
)


class CreateKeyfileScreen(PasswordFormMixin, Screen[None]):
    SUBMIT_BUTTON = "#create"
    ERROR_LINE = "#create-error"
    AUTO_FOCUS = "#password"

    def __init__(self, keyfile: KeyfileAccess) -> None:
        super().__init__()
        self.keyfile = keyfile
        self._touched = False  # a submit was refused: errors now follow every change

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(classes="panel create-panel"):
            yield Static("Welcome to Keydeck", classes="panel-title")
            yield Static(
                "Your exchange API keys will be kept in one encrypted keyfile. Choose the "
                "master password that opens it.",
            )
            yield Static(
                f"Keyfile: {display_path(self.keyfile.keyfile)}", classes="dim", markup=False
            )
            yield Static("Master password", classes="field-label")
            yield Input(password=True, id="password", placeholder="a long passphrase is best")
            yield StrengthMeter(id="strength")
            yield Static("Type it again", classes="field-label")
            yield Input(password=True, id="confirm", placeholder="the same password")
            yield FieldError(id="create-error")
            yield Static(NO_RECOVERY_TEXT, id="no-recovery", classes="warning-box")
            with Horizontal(classes="buttons"):
                yield Button("Create keyfile", id="create", variant="primary")
            with Horizontal(id="working", classes="working"):
                yield Static("Creating the keyfile: deriving the key from your password…")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#working").display = False

    @on(Input.Changed, "#password")
    def _password_changed(self, event: Input.Changed) -> None:
        self.query_one(StrengthMeter).show_for(event.value)

    @on(Input.Changed)
    def _recheck(self) -> None:
        self.follow_errors("#password")
        problem = self.problem() if self._touched else None
        if problem is not None:
            self._place_error(problem[1])

    def _place_error(self, field: Input) -> None:
        """The error line goes under the field it is about (issue 23: "Choose a master
        password." showed under the second field); the first's is under its meter."""
        error = self.query_one("#create-error", FieldError)
        anchor = self.query_one("#strength") if field.id == "password" else field
        if error.parent is not None:
            error.parent.move_child(error, after=anchor)

    def problem(self) -> tuple[str, Input] | None:
        """What stops the keyfile being created, and the field to fix."""
        first = self.query_one("#password", Input)
        second = self.query_one("#confirm", Input)
        if not first.value:
            return "Choose a master password.", first
        strength = score_password(first.value)
        if strength.score < MIN_SCORE:
            hint = f" {strength.hint}" if strength.hint else ""
            return f"This password is too easy to guess.{hint}", first
        if first.value != second.value:
            return "The two passwords differ. Type it again.", second
        return None

    @on(Input.Submitted, "#password")
    def _to_confirm(self, event: Input.Submitted) -> None:
        event.stop()
        first = self.query_one("#password", Input)
        if not first.value:  # Enter on an empty field said nothing and moved on (issue 23)
            self._touched = True
            self._fail("Choose a master password.", first)
            return
        self.query_one("#confirm", Input).focus()

    @on(Input.Submitted, "#confirm")
    @on(Button.Pressed, "#create")
    def submit(self, event: Input.Submitted | Button.Pressed) -> None:
        event.stop()
        first = self.query_one("#password", Input)
        second = self.query_one("#confirm", Input)
        problem = self.problem()
        if problem is not None:
            self._touched = True
            text, field = problem
            if field is second:
                second.value = ""
            self._fail(text, field)
            return
        password = Secret(first.value)
        first.value = ""
        second.value = ""
        self._set_busy(True)
        self._create(password)

    @work(thread=True, exclusive=True, exit_on_error=False, group="vault")
    def _create(self, password: Secret) -> None:
        from tui.vault.errors import VaultError

        try:
            session = self.keyfile.create(password)
        except (VaultError, OSError) as error:
            self.post_message(KeyfileFailed(error))
        else:
            self.post_message(SessionStarted(session, created=True))

    def on_keyfile_failed(self, _message: KeyfileFailed) -> None:
        """The app explains the problem; the form becomes usable again."""
        self._set_busy(False)

    def _fail(self, text: str, field: Input) -> None:
        self._place_error(field)
        self.query_one("#create-error", FieldError).show(text)
        field.focus()
