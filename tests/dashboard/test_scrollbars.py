"""Issue 23: no stray scrollbar glyphs in the dashboard's panes on a small terminal.

Textual draws a thumb's ends as partial blocks (▇, ▎); where the track has the pane's own
colour those were all a user saw of a scrollbar: a lone glyph in the middle of a pane. The
dashboard's tables have no horizontal scrollbar (←/→ scroll them, F1 says so), and every
scrollbar draws whole cells (tui/ui/widgets/scrollbars.py)."""

from __future__ import annotations

import pytest
from textual.widget import Widget

from tests.dashboard.conftest import make_host, settle
from tui.ui.dashboard.keys import PANE_NOTES

PARTIAL_BLOCKS = set("▁▂▃▄▅▆▇▉▊▋▌▍▎▏")


def scrollbar_text(widget: Widget) -> str:
    """What the widget's scrollbars draw, as text (empty when they are not shown)."""
    text = []
    for shown, bar in (
        (widget.show_vertical_scrollbar, widget.vertical_scrollbar),
        (widget.show_horizontal_scrollbar, widget.horizontal_scrollbar),
    ):
        if shown:
            text += [bar.render_line(y).text for y in range(bar.size.height)]
    return "".join(text)


@pytest.mark.parametrize("size", [(80, 24), (60, 20)])
async def test_small_panes_draw_no_partial_scrollbar_glyphs(size: tuple[int, int]) -> None:
    app = make_host()
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        screen = app.dashboard
        balances = screen.query_one("#balance-table")
        assert balances.max_scroll_x > 0  # columns cut at this width: it scrolls sideways
        assert balances.styles.scrollbar_size_horizontal == 0  # ... with no scrollbar drawn
        drawn = 0
        for selector in ("#status-table", "#balance-table", "#warnings-panel"):
            widget = screen.query_one(selector)
            for y in range(4):  # thumbs at several positions: ends fall mid-cell
                widget.scroll_to(y=y * 1.37, animate=False, immediate=True)
                await pilot.pause()
                text = scrollbar_text(widget)
                drawn += len(text)
                assert not PARTIAL_BLOCKS & set(text), (selector, y, text)
        assert drawn  # some scrollbar was drawn and looked at
        balances.focus()
        await pilot.press("right")  # a cut table still scrolls sideways
        await pilot.pause()
        assert balances.scroll_x > 0


def test_help_says_how_to_scroll_a_cut_table_sideways() -> None:
    assert any("sideways" in text for _keys, text in PANE_NOTES)
