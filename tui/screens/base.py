"""Typed access to the running KeydeckApp from any widget or screen."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.dom import DOMNode

if TYPE_CHECKING:
    from tui.app import KeydeckApp


def keydeck(node: DOMNode) -> KeydeckApp:
    return cast("KeydeckApp", node.app)
