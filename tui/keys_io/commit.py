"""Saving an import: every account added in memory, then ONE keyfile write.

If an add or the write fails, every addition is undone in memory and the error raised; the
keyfile on disk is then exactly as it was (the vault writes atomically). The in-app import
uses the same function on `session.vault`.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Sequence

from tui.vault import Account, Vault

log = logging.getLogger(__name__)


def add_all(vault: Vault, accounts: Sequence[Account], *, created_now: bool = False) -> None:
    """Add `accounts` and save once. `created_now`: the keyfile was created for this import
    and is removed again if the save fails (there was none before)."""
    added: list[Account] = []
    try:
        for account in accounts:
            added.append(vault.add(account))
        vault.save()
    except BaseException:
        for account in reversed(added):
            with contextlib.suppress(KeyError):
                vault.remove(account.id)
        if created_now:
            with contextlib.suppress(OSError):
                os.unlink(vault.path)
        raise
    if created_now:
        vault.remove_backup()  # the previous version is the empty file just created
    log.info("saved %d imported account(s) in one write", len(added))
