"""Naming an account on the command line: `exchange` (when it has one account) or
`exchange/label`. Used by `keydeck exec` and `keydeck rotate`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tui.commands.preamble import Failed


def find_account(accounts: Sequence[Any], reference: str, code: int = 125) -> Any:
    """The one account `reference` names; `Failed(message, code)` when none or several do."""
    exchange, _, label = reference.partition("/")
    exchange = exchange.strip().lower()
    matches = [a for a in accounts if a.exchange == exchange]
    if label:
        matches = [a for a in matches if a.label == label]
    if len(matches) == 1:
        return matches[0]
    known = ", ".join(f"{a.exchange}/{a.label}" for a in accounts) or "none"
    if not matches:
        raise Failed(f"No account {reference!r} in the keyfile (accounts: {known}).", code)
    labels = ", ".join(f"{exchange}/{a.label}" for a in matches)
    raise Failed(f"{exchange} has several accounts: name one of {labels}.", code)
