"""F1: what Keydeck does, its keys, and how the keyfile is protected."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown, Static

HELP_TEXT = """\
## Keydeck

Connect your exchange API keys, check that they work, and see what each key is allowed to do.
Keys are kept in one encrypted keyfile, opened with your master password.

### Keys

| Key | Does |
|---|---|
| type | filter the exchange list |
| ↑ ↓ PgUp PgDn Home End | move in the list |
| Enter | connect the selected exchange (add or replace a key) |
| F8 (or Delete in the list) | remove an account of the selected exchange |
| ctrl+r | show or hide the secret in a key field |
| ctrl+l | lock: forget the decrypted keys until you unlock again |
| ctrl+p | command palette: connect, lock, change password, remove account, theme |
| F1 | this help |
| Esc | back / close |
| ctrl+q | quit |

### Safe keys

Grant **Read** and **Trade** only, **never Withdraw**, and restrict each key to your IP
address at the exchange. Keydeck checks every key and warns when it can withdraw.

### The keyfile

Everything you enter is encrypted with a key derived from your master password. There is no
recovery: if you forget the password, revoke the keys at each exchange, start a new keyfile
and add new keys. Keydeck locks itself after a while without input.

### Settings

Theme (ctrl+p, then "theme"), idle lock (`idle_lock_minutes`, 0 turns it off) and refresh
interval live in {settings}. No secret is ever written there.
"""


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="help_close"),
        Binding("f1", "close", "Close", show=False, id="help_close_f1"),
    ]

    def __init__(self, settings_path: Path | None = None) -> None:
        super().__init__()
        self.settings_path = settings_path

    def compose(self) -> ComposeResult:
        where = f"`{self.settings_path}`" if self.settings_path else "the settings file"
        with Vertical(classes="dialog help-dialog"):
            yield Static("Help", classes="dialog-title")
            with VerticalScroll():
                yield Markdown(HELP_TEXT.format(settings=where))

    def action_close(self) -> None:
        self.dismiss(None)
