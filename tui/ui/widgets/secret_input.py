"""Inputs for API keys: paste friendly, secrets masked with a reveal toggle.

`KeyInput` trims surrounding whitespace and newlines from a paste (a key copied from a web
page often carries them). `PemArea` takes a multi-line PEM private key and draws it masked
until revealed. Both toggle with ctrl+r.
"""

from __future__ import annotations

from typing import ClassVar

from rich.segment import Segment
from textual import events
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.reactive import reactive
from textual.strip import Strip
from textual.widgets import Input, TextArea

MASK_CHAR = "•"


def trim_paste(text: str) -> str:
    """Strip surrounding whitespace; keep what is inside so validation can name it."""
    return text.strip()


class KeyInput(Input):
    """A single-line credential input. Secret ones start masked."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+r", "toggle_reveal", "Show/hide", id="reveal_secret")
    ]

    def __init__(self, *, secret: bool, **kwargs: object) -> None:
        super().__init__(password=secret, **kwargs)  # type: ignore[arg-type]
        self.secret = secret
        self._focus_at_end = False

    def focus_at_end(self) -> None:
        """Focus with the cursor after the last character and nothing selected (a focus
        from Tab selects everything, so a paste replaces the key)."""
        if self.has_focus:
            self.cursor_position = len(self.value)
            return
        self._focus_at_end = True
        self.focus()

    def _on_focus(self, event: events.Focus) -> None:
        # Runs before Input's own focus handler, which selects all unless told not to.
        if self._focus_at_end:
            self._focus_at_end = False
            self.select_on_focus = False
            self.cursor_position = len(self.value)
            self.call_later(setattr, self, "select_on_focus", True)

    class TabbedPaste(Message):
        """A paste of several values separated by Tab (`key<Tab>secret`): the form fills
        this field and the next ones."""

        def __init__(self, input: KeyInput, parts: list[str]) -> None:
            super().__init__()
            self.input = input
            self.parts = parts

    def _on_paste(self, event: events.Paste) -> None:
        text = trim_paste(event.text)
        if "\t" in text:
            parts = [part.strip() for part in text.split("\t")]
            self.post_message(self.TabbedPaste(self, [part for part in parts if part]))
            event.stop()
            event.prevent_default()
            return
        # A single-line input cannot show a line break; a space keeps the fault visible
        # so validation can say "a line break inside the key".
        text = " ".join(text.splitlines())
        if text:
            selection = self.selection
            if selection.is_empty:
                self.insert_text_at_cursor(text)
            else:
                self.replace(text, *selection)
        event.stop()
        event.prevent_default()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "toggle_reveal":
            return self.secret
        return super().check_action(action, parameters)

    def action_toggle_reveal(self) -> None:
        self.password = not self.password


class PemArea(TextArea):
    """A multi-line input for PEM private keys, masked unless revealed."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+r", "toggle_reveal", "Show/hide", id="reveal_secret")
    ]

    revealed: reactive[bool] = reactive(False)

    def __init__(self, **kwargs: object) -> None:
        super().__init__(soft_wrap=True, tab_behavior="focus", show_line_numbers=False, **kwargs)  # type: ignore[arg-type]

    @property
    def value(self) -> str:
        return self.text

    def action_toggle_reveal(self) -> None:
        self.revealed = not self.revealed

    def watch_revealed(self) -> None:
        self.refresh()

    async def _on_paste(self, event: events.Paste) -> None:
        event.prevent_default()
        event.stop()
        if self.read_only:
            return
        text = trim_paste(event.text)
        if result := self._replace_via_keyboard(text, *self.selection):
            self.move_cursor(result.end_location)
            self.focus()

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        if self.revealed or not self.text:
            return strip
        return Strip(
            [Segment(_mask(segment.text), segment.style, segment.control) for segment in strip],
            strip.cell_length,
        )


def _mask(text: str) -> str:
    return "".join(ch if ch.isspace() else MASK_CHAR for ch in text)
