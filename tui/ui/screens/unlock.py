"""Unlock the keyfile with the master password. The KDF runs in a thread worker."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Input, Static

from tui.base.paths import display_path
from tui.base.redact import Secret
from tui.ui.messages import KeyfileFailed, SessionStarted
from tui.ui.screens.password_form import PasswordFormMixin
from tui.ui.widgets.field_error import FieldError
from tui.ui.widgets.light_chrome import KeyLine, TitleLine

if TYPE_CHECKING:
    from tui.core.keyfile_access import KeyfileAccess

# What the Footer showed here (f1, ctrl+p), and quit: a trader who never unlocks needs it.
KEYS = (("f1", "Help"), ("^q", "Quit"), ("^p", "Palette"))

FORGOT_TEXT = (
    "Forgot it? There is no recovery. Revoke these keys at each exchange, move the keyfile "
    "aside, start a new one and add new keys."
)


class UnlockScreen(PasswordFormMixin, Screen[None]):
    SUBMIT_BUTTON = None  # Enter submits: no button (a Button is ~8 ms of the first frame)
    ERROR_LINE = "#unlock-error"
    AUTO_FOCUS = "#password"

    def __init__(self, keyfile: KeyfileAccess, *, notice: str | None = None) -> None:
        super().__init__()
        self.keyfile = keyfile
        self.notice = notice

    def compose(self) -> ComposeResult:
        yield TitleLine()  # not Header and Footer: ~10 ms of the first frame
        with Vertical(classes="panel unlock-panel"):
            yield Static("Unlock Keydeck", classes="panel-title")
            yield Static(
                f"Keyfile: {display_path(self.keyfile.keyfile)}", classes="dim", markup=False
            )
            if self.notice:  # the demo's password: the header cuts it off on narrow terminals
                yield Static(self.notice.splitlines()[0], id="unlock-notice", markup=False)
            yield Static("Master password (Enter unlocks)", classes="field-label")
            yield Input(password=True, id="password", placeholder="master password")
            yield FieldError(id="unlock-error")
            with Horizontal(id="working", classes="working"):
                yield Static("Unlocking: deriving the key from your password…")
            yield Static(FORGOT_TEXT, classes="dim hint")
        yield KeyLine(KEYS)

    def on_mount(self) -> None:
        self.query_one("#working").display = False
        self._inspected = threading.Event()
        # Once the first frame is out: the inspection loads the keyfile code (cryptography)
        # in a thread, which would slow the frame down (they share the interpreter).
        self.call_after_refresh(self._inspect)

    @work(thread=True, exit_on_error=False, group="inspect")
    def _inspect(self) -> None:
        """Explain a damaged, unsafe, locked or too-new keyfile before a password is typed
        for nothing: these checks need no password."""
        from tui.vault.errors import VaultError

        try:
            self.keyfile.inspect()
        except (VaultError, OSError) as error:
            self.post_message(KeyfileFailed(error))
        finally:
            self._inspected.set()

    @on(Input.Submitted, "#password")
    def submit(self, event: Input.Submitted) -> None:
        event.stop()
        field = self.query_one("#password", Input)
        if not field.value:
            self._show_error("Type your master password.")
            return
        password = Secret(field.value)
        field.value = ""
        self._set_busy(True)
        self._open(password)

    @work(thread=True, exclusive=True, exit_on_error=False, group="vault")
    def _open(self, password: Secret, accept_rollback: bool = False) -> None:
        from tui.vault.errors import KeyfileRolledBack, VaultError

        # The inspection holds the keyfile lock for an instant: a password submitted during
        # it (a password manager types fast) must not be told the keyfile is in use.
        self._inspected.wait(timeout=30)
        try:
            session = self.keyfile.open(password, accept_rollback=accept_rollback)
        except KeyfileRolledBack as error:
            self.app.call_from_thread(self._ask_about_rollback, error, password)
        except (VaultError, OSError) as error:
            self.post_message(KeyfileFailed(error))
        else:
            self.post_message(SessionStarted(session, created=False))

    def on_keyfile_failed(self, message: KeyfileFailed) -> None:
        """A wrong password is said here; anything else goes up to the app to explain."""
        from tui.vault.errors import WrongPassword

        if self.app.screen is not self:
            message.stop()  # the inspection and an unlock both found it: explain it once
            return
        self._set_busy(False)
        if isinstance(message.error, WrongPassword):
            message.stop()
            self._show_error("Wrong password. Try again.")
            self.query_one("#password", Input).focus()

    def _ask_about_rollback(self, error: Exception, password: Secret) -> None:
        """An older copy of the keyfile: open it only if the user put it back on purpose."""
        from tui.ui.screens.dialogs import ConfirmScreen

        def answered(accept: bool | None) -> None:
            if accept:
                self._open(password, accept_rollback=True)
            else:
                self._set_busy(False)
                self._show_error("Not opened: this keyfile is older than the last one used here.")

        self.app.push_screen(
            ConfirmScreen(
                "An older keyfile",
                Text(str(error)),
                confirm="Open this older keyfile",
                cancel="Do not open it",
                danger=True,
            ),
            answered,
        )

    def _show_error(self, text: str) -> None:
        self.query_one("#unlock-error", FieldError).show(text)
