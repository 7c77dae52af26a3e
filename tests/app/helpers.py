"""Small helpers for Pilot tests."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from rich.console import Console
from rich.text import Text
from textual.pilot import Pilot
from textual.widgets import Input

from tests.support.app import PASSWORD
from tests.support.pilot import screen_name, wait_until

__all__ = ["screen_name", "wait_for"]


async def wait_for(
    pilot: Pilot[Any], predicate: Callable[[], object], limit: float = 10.0, what: str = ""
) -> None:
    """Let the app run until `predicate()` holds (workers finish, screens change)."""
    await wait_until(pilot, predicate, what, limit)


async def type_keys(pilot: Pilot[Any], text: str) -> None:
    """Type `text` key by key, as a user would."""
    await pilot.press(*["space" if ch == " " else ch for ch in text])


def set_value(pilot: Pilot[Any], selector: str, text: str) -> None:
    """Fill a field at once (like a paste that is not being tested)."""
    field = pilot.app.screen.query_one(selector)
    if isinstance(field, Input):
        field.value = text
    else:
        field.text = text  # type: ignore[attr-defined]


async def unlock(pilot: Pilot[Any], password: str = PASSWORD, *, to_list: bool = True) -> None:
    """Unlock; the dashboard comes first (the exchange list above it for an empty keyfile).
    With `to_list`, end on the exchange list, opening it with `c` if needed."""
    await wait_for(pilot, lambda: screen_name(pilot) == "UnlockScreen", what="unlock screen")
    field = pilot.app.screen.query_one("#password", Input)
    field.value = password
    await pilot.press("enter")
    homes = {"ExchangeListScreen", "SessionDashboard", "KeyEntryScreen"}  # a kept form
    await wait_for(pilot, lambda: screen_name(pilot) in homes, what="the dashboard")
    await wait_for(pilot, lambda: pilot.app.catalog.loaded, what="catalog")
    if to_list and screen_name(pilot) == "SessionDashboard":
        await pilot.press("c")
        await wait_for(pilot, lambda: screen_name(pilot) == "ExchangeListScreen", what="list")
    await pilot.pause()


def text_of(where: Pilot[Any] | Any, selector: str) -> str:
    """The plain text a Static shows (strings, rich Text, tables); `where`: pilot or app."""
    app = where.app if isinstance(where, Pilot) else where
    widget = app.screen.query_one(selector)
    content = getattr(widget, "content", None)
    if content is None:
        return str(widget.render())
    if isinstance(content, str):
        return content
    if isinstance(content, Text):
        return content.plain
    console = Console(width=200, record=True, file=io.StringIO())
    console.print(content)
    return console.export_text()
