"""Two places where Textual keeps widgets that are gone, and the way Keydeck lets them go.

Found by scripts/soak.py (a day of locks and unlocks grew ~3 MB per lock):

- `StylesCache.get_inner_outer` is an `lru_cache` on a method, so its keys hold the
  `StylesCache` of every widget it drew, with the lines it rendered, up to 1024 of them
  (Textualize/textual#6665, open in Textual 8.2).
- `Widget.watch(app, "title")` (every `Header` does it, for the title and the sub-title) keeps
  `(widget, callback)` on the app until that reactive next changes, and Keydeck's title does
  not change: every screen with a header stayed alive through it.

`let_go(app)` drops both (the second only for widgets already closed, as Textual itself does
when the reactive changes); the dashboard calls it after each round and at lock.
"""

from __future__ import annotations

from typing import Any


def let_go(app: Any) -> None:
    """Forget the Textual caches that keep closed widgets alive (see the module)."""
    from textual._styles_cache import StylesCache

    clear = getattr(StylesCache.get_inner_outer, "cache_clear", None)
    if callable(clear):
        clear()
    watchers = getattr(app, "__watchers", None)
    if isinstance(watchers, dict):
        for entries in watchers.values():
            entries[:] = [(node, callback) for node, callback in entries if not node._closing]
