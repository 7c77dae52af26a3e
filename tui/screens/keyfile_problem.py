"""A keyfile that cannot be opened: say exactly what is wrong and how to fix it.

Nothing here writes to the keyfile. The user fixes the cause outside Keydeck and chooses
"Try again", or quits.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Static

from tui.messages import describe
from tui.paths import display_path, shell_path


@dataclass(frozen=True)
class KeyfileTrouble:
    title: str
    what: str
    fix: str


def explain_keyfile_error(error: BaseException, keyfile: Path) -> KeyfileTrouble:
    """Plain words for each keyfile error, with the command or step that fixes it."""
    path = shell_path(keyfile)
    kind = type(error).__name__
    detail = (getattr(error, "reason", "") or describe(error)).rstrip(".")
    detail = detail[:1].upper() + detail[1:]
    if kind == "UnsafePermissions":
        command = str(getattr(error, "fix", "") or "chmod 600 PATH").replace("PATH", path)
        return KeyfileTrouble(
            "The keyfile is not private",
            f"{detail}.\n\nOther users on this machine could read or replace it, so Keydeck "
            "refuses to use it.",
            f"Make it yours and private, then try again:\n\n  {command}",
        )
    if kind == "KeyfileTooNew":
        return KeyfileTrouble(
            "The keyfile was written by a newer Keydeck",
            f"{detail}.\n\nThis version cannot read it and will not change it.",
            "Upgrade Keydeck (pip install -U keydeck), then open it again.",
        )
    if kind == "KeyfileCorrupt":
        return KeyfileTrouble(
            "The keyfile is damaged",
            f"{detail}.\n\nKeydeck has not changed it and will not overwrite it.",
            f"Restore it from the backup Keydeck keeps beside it ({path}.bak, if it exists), "
            f"or move it aside and start a new keyfile:\n\n  mv {path} {path}.damaged",
        )
    if kind == "KeyfileLocked":
        return KeyfileTrouble(
            "Another Keydeck is using this keyfile",
            "Another Keydeck window, a `keydeck check` run or a script has it open. Two "
            "programs writing the same keyfile could lose keys.",
            "Close the other Keydeck (or `keydeck check`), then choose Try again.",
        )
    if kind == "KeyfileUnsupported":
        return KeyfileTrouble(
            "This system cannot open the keyfile",
            f"{detail}.\n\nThe file was not changed.",
            "Open it where the algorithm is available, or upgrade the 'cryptography' package "
            "(Argon2id needs OpenSSL 3.2 or later).",
        )
    if isinstance(error, PermissionError):
        return KeyfileTrouble(
            "Keydeck may not read the keyfile",
            detail,
            f"Check that the file and its folder belong to you:\n\n  ls -l {path}",
        )
    if isinstance(error, OSError):
        return KeyfileTrouble(
            "The keyfile could not be read",
            detail,
            "Check the disk and the path, then try again.",
        )
    return KeyfileTrouble(
        "The keyfile could not be opened",
        describe(error),
        f"Restore it from a backup, or move it aside to start a new one:\n\n  mv {path} {path}.old",
    )


class KeyfileProblemScreen(Screen[str]):
    """Dismisses with "retry" or "quit"."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "retry", "Try again", id="keyfile_retry"),
        Binding("q", "quit_app", "Quit", id="keyfile_quit"),
    ]

    def __init__(self, trouble: KeyfileTrouble, keyfile: Path) -> None:
        super().__init__()
        self.trouble = trouble
        self.keyfile = keyfile

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(classes="panel problem-panel"):
            yield Static(
                self.trouble.title, classes="panel-title error-title", id="title", markup=False
            )
            yield Static(f"Keyfile: {display_path(self.keyfile)}", classes="dim", markup=False)
            yield Static(self.trouble.what, id="what", classes="problem-what", markup=False)
            yield Static("How to fix it", classes="section-title")
            yield Static(self.trouble.fix, id="fix", classes="problem-fix", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Try again", id="retry", variant="primary")
                yield Button("Quit", id="quit")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#retry", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "retry":
            self.action_retry()
        else:
            self.action_quit_app()

    def action_retry(self) -> None:
        self.dismiss("retry")

    def action_quit_app(self) -> None:
        self.dismiss("quit")
