"""Keydeck's reusable widgets.

Importing this package (every Keydeck screen does) makes every scrollbar draw whole cells:
see tui/ui/widgets/scrollbars.py. Done here, once per process, so that the app and a test's
host app draw the same scrollbars whatever ran before (not in the App: a class attribute
set by one app's mount would leak into the next test's)."""

from tui.ui.widgets.scrollbars import use_whole_cell_scrollbars

use_whole_cell_scrollbars()
