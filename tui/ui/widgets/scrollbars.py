"""Scrollbars drawn in whole cells.

Textual draws a scroll thumb's ends with partial block glyphs (▁▂▃…▇, ▉▊…▏) for smoother
motion. In a small pane those glyphs are what a user sees of a scrollbar whose track has
the pane's own colour: a lone `▇▇` or `▎` in the middle of a pane, read as rubbish on the
screen (issue 23, at 80x24 and 60x20). Whole cells: the thumb is a solid bar, or nothing.
"""

from __future__ import annotations

from typing import ClassVar

from textual.scrollbar import ScrollBar, ScrollBarRender


class WholeCellScrollBarRender(ScrollBarRender):
    """A thumb of whole cells only (its ends are never a partial glyph)."""

    VERTICAL_BARS: ClassVar[list[str]] = [" "] * 8
    HORIZONTAL_BARS: ClassVar[list[str]] = [" "] * 8


def use_whole_cell_scrollbars() -> None:
    """Every scrollbar of this process draws whole cells (Textual's documented hook)."""
    ScrollBar.renderer = WholeCellScrollBarRender
