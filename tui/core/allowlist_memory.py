"""The Session's side of remembering a key's IP allowlist (see tui.connect.allowlist).

A report is explained with the allowlist the key had when it last worked; a good read of the
key's rights keeps the list in the account's notes, written only when it changed and never
from a read-only keyfile (`keydeck check`/`watch`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Protocol

from tui.base.redact import scrub

if TYPE_CHECKING:
    from tui.connect.models import AccountReport
    from tui.vault import Account, Vault

SetNote = Callable[[str, str, str], None]


class NoteKeeper(Protocol):
    """What of the Session this needs: its vault (read-only or not) and its note writer."""

    def set_note(self, account_id: str, name: str, value: str) -> None: ...

    vault: Vault


async def track(keeper: NoteKeeper, account: Account, report: AccountReport) -> AccountReport:
    """The report explained; the allowlist it read kept (written only when it changed)."""
    await remember(keeper.set_note, keeper.vault.read_only, account, report)
    return explained(report, account)


log = logging.getLogger(__name__)


def explained(report: AccountReport, account: Account) -> AccountReport:
    from tui.connect.allowlist import explain_report

    return explain_report(report, account.notes, datetime.now(UTC).date())


async def remember(
    set_note: SetNote, read_only: bool, account: Account, report: AccountReport
) -> None:
    """`set_note(account_id, name, value)` is the Session's blocking, saving note writer."""
    from tui.connect.allowlist import NOTE, updated_note

    if report.problem is not None or read_only:
        return
    note = updated_note(account.notes, report.permissions, datetime.now(UTC).date())
    if note is None:
        return
    try:
        await asyncio.to_thread(set_note, account.id, NOTE, note)
    except Exception as error:  # only a later comparison is lost
        log.warning("could not keep the key's allowlist: %s", scrub(str(error)))
