"""A one-line error under a form field: hidden until there is something to say."""

from __future__ import annotations

from textual.widgets import Static


class FieldError(Static):
    DEFAULT_CSS = """
    FieldError {
        color: $error;
        height: auto;
        display: none;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id, markup=False)

    def show(self, text: str | None) -> None:
        self.update(text or "")
        self.display = bool(text)
