"""Typed messages that workers post back to screens and to the app.

Workers never touch widgets: they post one of these (thread-safe) and a handler on the UI
thread updates the screen. Payload types from the vault and connector layers are named for
type checkers only, so importing this module pulls in neither ccxt nor the catalog.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from textual.message import Message

if TYPE_CHECKING:
    from tui.connect.catalog import ExchangeInfo
    from tui.connect.models import AccountReport, Finding, Permissions
    from tui.connect.problems import Problem
    from tui.vault import Account, Vault


class VaultOpened(Message):
    """The keyfile was unlocked or created; the app takes ownership of `vault`."""

    def __init__(self, vault: Vault, *, created: bool) -> None:
        super().__init__()
        self.vault = vault
        self.created = created


class VaultOpenFailed(Message):
    """Unlocking or creating failed with a keyfile error (wrong password, damaged file...)."""

    def __init__(self, error: Exception) -> None:
        super().__init__()
        self.error = error


class CatalogLoaded(Message):
    def __init__(self, exchanges: list[ExchangeInfo]) -> None:
        super().__init__()
        self.exchanges = exchanges


class CatalogFailed(Message):
    def __init__(self, error: Exception) -> None:
        super().__init__()
        self.error = error


@dataclass
class AccountCheck:
    """What this session learnt about one account (never persisted, dropped on lock)."""

    verified: bool | None = None
    problem: Problem | None = None
    latency_ms: float | None = None
    permissions: Permissions | None = None
    findings: list[Finding] = field(default_factory=list)
    report: AccountReport | None = None

    @classmethod
    def from_report(cls, report: AccountReport) -> AccountCheck:
        """What one refresh round said about the account."""
        status = report.status
        return cls(
            verified=report.problem is None and status.state != "failing",
            problem=report.problem or status.problem,
            latency_ms=status.latency_ms,
            permissions=report.permissions,
            findings=list(report.findings),
            report=report,
        )


class VerifyFinished(Message):
    """Key entry's verification is done: `check.verified` says how it went."""

    def __init__(self, account: Account, check: AccountCheck) -> None:
        super().__init__()
        self.account = account
        self.check = check


class AccountSaved(Message):
    def __init__(self, account: Account, *, replaced: bool, verified: bool) -> None:
        super().__init__()
        self.account = account
        self.replaced = replaced
        self.verified = verified


class AccountRemoved(Message):
    """An account was removed from the keyfile and the keyfile saved."""

    def __init__(self, account: Account) -> None:
        super().__init__()
        self.account = account


class AccountsChanged(Message):
    """Accounts or their checks changed; lists showing them should redraw."""


class ReportArrived(Message):
    """One account's background check finished (status, permissions, findings)."""

    def __init__(self, account_id: str, check: AccountCheck) -> None:
        super().__init__()
        self.account_id = account_id
        self.check = check


class PasswordChanged(Message):
    pass


class TaskFailed(Message):
    """A worker failed in a way the user must hear about; `blocking` asks for a modal."""

    def __init__(self, title: str, error: BaseException | str, *, blocking: bool = False) -> None:
        super().__init__()
        self.title = title
        self.error = error
        self.blocking = blocking


def describe(error: BaseException | str | Any) -> str:
    """A one-line, secret-free description of an error for the screen."""
    from tui.redact import scrub

    if isinstance(error, str):
        return scrub(error)
    text = str(error) or type(error).__name__
    return scrub(text)
