"""Typed messages that workers post back to screens and that screens post to the app.

Workers never touch widgets: they post one of these (thread-safe) and a handler on the UI
thread updates the screen. A screen asks the app for what only the app can do (start the
dashboard, open a screen it does not own) with a message; the app routes it. Payload types
from the vault, connector and session layers are named for type checkers only, so importing
this module pulls in neither ccxt nor the catalog.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message

from tui.core.session import describe

if TYPE_CHECKING:
    from tui.connect.models import AccountReport
    from tui.core.session import Session
    from tui.vault import Account

__all__ = [
    "AccountRemoved",
    "AccountSaved",
    "AccountsChanged",
    "CatalogChanged",
    "ConnectRequested",
    "KeyfileFailed",
    "PasswordChanged",
    "RecheckRequested",
    "RemoveRequested",
    "SessionStarted",
    "TaskFailed",
    "VerifyFinished",
    "describe",
]


class SessionStarted(Message):
    """The keyfile was unlocked or created: the app takes ownership of `session`."""

    def __init__(self, session: Session, *, created: bool) -> None:
        super().__init__()
        self.session = session
        self.created = created


class KeyfileFailed(Message):
    """Unlocking, creating or re-keying failed with a keyfile error (wrong password...)."""

    def __init__(self, error: Exception) -> None:
        super().__init__()
        self.error = error


class CatalogChanged(Message):
    """The exchange list finished loading (or failed to)."""


class AccountsChanged(Message):
    """Accounts or their reports changed; screens showing them redraw."""


class ConnectRequested(Message):
    """Open key entry for this exchange (the app owns the session the form needs)."""

    def __init__(self, exchange_id: str) -> None:
        super().__init__()
        self.exchange_id = exchange_id


class RemoveRequested(Message):
    """Start removing an account of this exchange (None: any), or exactly `account_id`."""

    def __init__(self, exchange_id: str | None, account_id: str | None = None) -> None:
        super().__init__()
        self.exchange_id = exchange_id
        self.account_id = account_id


class RecheckRequested(Message):
    """Check this account now, back-off bypassed (the dashboard runs the check)."""

    def __init__(self, account_id: str) -> None:
        super().__init__()
        self.account_id = account_id


class VerifyFinished(Message):
    """Key entry's verification is done: `report.problem` is None when the key works."""

    def __init__(self, account: Account, report: AccountReport) -> None:
        super().__init__()
        self.account = account
        self.report = report


class AccountSaved(Message):
    def __init__(self, account: Account, *, replaced: bool, verified: bool) -> None:
        super().__init__()
        self.account = account
        self.replaced = replaced
        self.verified = verified


class AccountRemoved(Message):
    """An account was removed from the keyfile and the keyfile saved; `forget_history`: the
    user also asked to drop its past balances from the portfolio history."""

    def __init__(self, account: Account, *, forget_history: bool = False) -> None:
        super().__init__()
        self.account = account
        self.forget_history = forget_history


class PasswordChanged(Message):
    pass


class TaskFailed(Message):
    """A worker failed in a way the user must hear about; `blocking` asks for a modal."""

    def __init__(self, title: str, error: BaseException | str, *, blocking: bool = False) -> None:
        super().__init__()
        self.title = title
        self.error = error
        self.blocking = blocking
