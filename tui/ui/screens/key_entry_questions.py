"""The questions key entry asks before it saves (replace, stored twice, can withdraw)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from rich.text import Text

from tui.base.redact import mask
from tui.ui.screens.dialogs import ConfirmScreen

if TYPE_CHECKING:
    from tui.vault import Account


def field_title(label: str, hint: str = "") -> Text:
    title = Text(label, style="bold")
    if hint:
        title.append(f"  ({hint})", style="dim")
    return title


def find_account(accounts: Any, exchange: str, label: str) -> Account | None:
    for account in accounts:
        if account.exchange == exchange and account.label.lower() == label.lower():
            return account
    return None


def first_free_label(taken: set[str]) -> str:
    if "main" not in taken:
        return "main"
    number = 2
    while f"account {number}" in taken:
        number += 1
    return f"account {number}"


def existing_text(accounts: Sequence[Account]) -> str:
    """The accounts of this exchange already in the keyfile, keys masked."""
    parts = []
    for account in accounts:
        key = account.credentials.get("apiKey")
        shown = f" (key {key.masked()})" if key is not None else ""
        parts.append(f"{account.label}{shown}")
    return (
        f"Already connected: {', '.join(parts)}. Use the same label to replace that "
        "account's key, or a new label to add another account."
    )


def replace_key(exchange_name: str, old: Account) -> ConfirmScreen:
    old_key = old.credentials.get("apiKey")
    shown = old_key.masked() if old_key is not None else mask("")
    body = Text.assemble(
        f"{exchange_name} · {old.label} already has a key ",
        (shown, "bold"),
        ".\nReplace it with the one you entered? The old key stays valid at the exchange "
        "until you revoke it there.",
    )
    return ConfirmScreen("Replace the key?", body, confirm="Replace", danger=True)


def stored_twice(exchange_name: str, twin: Account) -> ConfirmScreen:
    body = Text.assemble(
        "This API key is already stored as ",
        (f"{exchange_name} · {twin.label}", "bold"),
        ".\nKeydeck keeps each key once, so balances are not counted twice. Update that "
        "account with what you entered (its label stays), or go back and check the key.",
    )
    return ConfirmScreen(
        "This key is already stored",
        body,
        confirm=f"Update {twin.label}",
        cancel="Back to the form",
    )


def dangerous_key(criticals: Sequence[Any]) -> ConfirmScreen:
    body = Text()
    for finding in criticals:
        body.append(f"✖ {finding.title}\n", style="bold")
        body.append(f"{finding.advice}\n")
        if finding.link:
            body.append(f"{finding.link}\n", style="dim")
    body.append(
        "\nThe safest fix is at the exchange: edit the key (turn Withdraw off), then verify "
        "again here. Saved anyway, it stays flagged in red until you fix or accept it."
    )
    return ConfirmScreen(
        "This key can move your money",
        body,
        confirm="Save anyway",
        cancel="Cancel, fix it first",
        danger=True,
    )
