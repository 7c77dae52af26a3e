"""Changes to an open vault written in ONE save, and undone in memory if anything fails.

    with vault_change(vault, "an import") as change:
        for account in accounts:
            change.add(account)
    # written; or, on any error (a duplicate, a failed write), the accounts in memory are
    # as they were and the error is raised

so a later save never writes a change the user was told had failed.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from tui.base.redact import scrub

if TYPE_CHECKING:
    from tui.vault.account import Account
    from tui.vault.vault import Vault

log = logging.getLogger(__name__)


class VaultChange:
    """The changes made so far, each with its undo."""

    def __init__(self, vault: Vault) -> None:
        self.vault = vault
        self._undo: list[Callable[[], object]] = []

    def add(self, account: Account) -> Account:
        added = self.vault.add(account)
        self._undo.append(lambda: self.vault.remove(added.id))
        return added

    def update(self, account: Account) -> Account:
        previous = self.vault.get_by_id(account.id)
        stored = self.vault.update(account)
        if previous is not None:
            self._undo.append(lambda: self.vault.update(previous))
        return stored

    def remove(self, account_id: str) -> Account:
        removed = self.vault.remove(account_id)
        self._undo.append(lambda: self.vault.add(removed))
        return removed

    def undo(self) -> None:
        while self._undo:
            self._undo.pop()()


@contextlib.contextmanager
def vault_change(vault: Vault, what: str) -> Iterator[VaultChange]:
    """Make changes in the block, then save; `what` names them in the log if undone."""
    change = VaultChange(vault)
    try:
        yield change
        vault.save()
    except BaseException:
        try:
            change.undo()
        except Exception as error:
            log.warning("undoing %s failed: %s", what, scrub(str(error) or type(error).__name__))
        raise
