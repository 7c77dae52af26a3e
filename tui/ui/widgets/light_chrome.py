"""A title line and a key line that look like Textual's Header and Footer, for the unlock
screen: it is the first frame of every launch, and Header and Footer (an icon, a title, a
clock space, one widget per key, their modules and CSS) were ~10 ms of it, a quarter of what
Keydeck added to a one-line Textual app (docs/benchmarks.md, round seven). Each is one
Static here; the keys it lists are the ones that screen's footer showed, plus quit.
"""

from __future__ import annotations

from collections.abc import Iterable

from textual.content import Content
from textual.widgets import Static


class TitleLine(Static):
    """The app's title and subtitle on one line at the top, as Header draws them; it follows
    them as Header does (the idle lock's countdown is in the subtitle)."""

    DEFAULT_CSS = """
    TitleLine {
        dock: top;
        width: 100%;
        height: 1;
        background: $panel;
        color: $foreground;
        content-align: center middle;
    }
    """

    def on_mount(self) -> None:
        self.watch(self.app, "title", self._show)
        self.watch(self.app, "sub_title", self._show)

    def _show(self) -> None:
        title, sub_title = self.app.title, self.app.sub_title
        parts: list[str | tuple[str, str]] = [title]
        if sub_title:
            parts += [(" — ", "dim"), (sub_title, "dim")]
        self.update(Content.assemble(*parts))


class KeyLine(Static):
    """Keys and what they do on one line at the bottom, coloured as Footer colours them."""

    DEFAULT_CSS = """
    KeyLine {
        dock: bottom;
        width: 100%;
        height: 1;
        background: $footer-background;
        color: $footer-description-foreground;
    }
    """

    def __init__(self, keys: Iterable[tuple[str, str]]) -> None:
        parts: list[str | tuple[str, str]] = []
        for key, what in keys:
            parts += [(f" {key} ", "bold $footer-key-foreground"), f"{what} "]
        super().__init__(Content.assemble(*parts))
