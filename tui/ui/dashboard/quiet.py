"""A Static that redraws only when what it shows changes, and lays out only when it must.

The dashboard rebuilds its texts from the model on every report. Handing an unchanged text
to `Static.update` still costs a render, and `update()`'s default layout reflows the whole
screen (and re-wraps every auto-height text in it), which is most of a frame's cost.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Self

from textual.geometry import Region
from textual.visual import VisualType
from textual.widget import Widget
from textual.widgets import Static

_NOTHING = object()


class QuietStatic(Static):
    """`set_content(key, build)` skips the update while `key` stays the same."""

    _shown_key: object = _NOTHING

    def set_content(self, key: Hashable, build: Callable[[], VisualType]) -> bool:
        """Show `build()` unless `key` equals the key of what is shown; True if it changed.

        `key` is a cheap fingerprint of the content (its plain text and styles, or the model
        values it is made from); `build` runs only when the key differs. A layout is asked
        for only when the new content is another height at the current width.
        """
        if key == self._shown_key:
            return False
        self._shown_key = key
        content = build()
        width = self.content_size.width if self.is_mounted and self.display else 0
        if width <= 0:  # not laid out yet, or hidden: let the layout measure it
            self.update(content)
            return True
        height_before = self.content_size.height
        self.update(content, layout=False)
        # Cached by width, so a layout that follows reuses this measurement.
        height_after = self.get_content_height(self.container_size, self.app.size, width)
        if height_after != height_before:
            self.refresh(layout=True)
        return True

    def forget_content(self) -> None:
        """Make the next `set_content` update whatever its key (after a theme change)."""
        self._shown_key = _NOTHING


class QuietBorder(Widget):
    """Border titles that repaint only when their text changes, and then only their line.

    Setting `border_title`/`border_subtitle` repaints the whole widget, and for a pane that
    means compositing every line of it and its children: 4.5 ms a second for the balance
    pane's "updated N s ago" (docs/benchmarks.md, idle app CPU). Here only the border line
    the text sits on is repainted.

    A mixin: list it after the Textual base (`class Pane(Vertical, QuietBorder)`), since
    Textual takes default CSS from the first base only.
    """

    _shown_title: str | None = None
    _shown_subtitle: str | None = None
    _border_line: int | None = None
    """While a title is set: the line (0 top, -1 bottom) its repaint is limited to."""

    def show_title(self, text: str) -> None:
        if text != self._shown_title:
            self._shown_title = text
            self._border_line = 0
            try:
                self.border_title = text
            finally:
                self._border_line = None

    def show_subtitle(self, text: str) -> None:
        if text != self._shown_subtitle:
            self._shown_subtitle = text
            self._border_line = -1
            try:
                self.border_subtitle = text
            finally:
                self._border_line = None

    def refresh(
        self,
        *regions: Region,
        repaint: bool = True,
        layout: bool = False,
        recompose: bool = False,
    ) -> Self:
        line = self._border_line
        if line is not None and not regions and not layout and not recompose:
            outer = self.outer_size
            if outer.height > 0:
                # Regions are in content coordinates; the border is outside the content.
                offset = self.content_offset
                y = (outer.height - 1 if line < 0 else 0) - offset.y
                regions = (Region(-offset.x, y, outer.width, 1),)
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)
