"""What "Verify and save" found wrong, kept in view below the key form.

The box sits outside the form's scrolling area, between it and the footer, so a rejection
or "cannot reach" shows with its fix and its buttons at any terminal size (inside the form
it was drawn below the fold at 80x24). "Edit and try again" comes first and takes the focus:
Enter after a rejection edits the key; saving it unverified is a deliberate move (Tab).
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Static


class ProblemBox(Vertical):
    """The problem's title and fix (scrolling when long), then the two choices."""

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="problem-text"):
            yield Static("", id="problem-title", classes="error-title")
            yield Static("", id="problem-fix")
        with Horizontal(classes="buttons"):
            yield Button("Edit and try again", id="edit", variant="primary")
            yield Button("Save anyway (unverified)", id="save-anyway", variant="warning")

    def on_mount(self) -> None:
        self.display = False

    def show(self, title: str, fix: str) -> None:
        self.query_one("#problem-title", Static).update(Text(f"✗ {title}", style="bold"))
        self.query_one("#problem-fix", Static).update(Text(fix))
        self.display = True
        self.query_one("#problem-text", VerticalScroll).scroll_home(animate=False)
        self.query_one("#edit", Button).focus()

    def hide(self) -> None:
        self.display = False
