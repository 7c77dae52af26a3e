"""The Session's side of remembering a key's IP allowlist (see tui.connect.allowlist).

A report is explained with the allowlist the key had when it last worked; a good read of the
key's rights keeps the list in the account's notes, written only when it changed, once per
refresh round for all accounts, and never from a read-only keyfile (`keydeck check`/`watch`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from tui.base.redact import scrub

if TYPE_CHECKING:
    from tui.connect.models import AccountReport
    from tui.vault import Account

SetNotes = Callable[[str, Mapping[str, str]], None]
"""`set_notes(name, {account id: value})`: the Session's blocking writer, one save for all."""


log = logging.getLogger(__name__)


def explained(report: AccountReport, account: Account) -> AccountReport:
    from tui.connect.allowlist import explain_report

    return explain_report(report, account.notes, datetime.now(UTC).date())


def note_to_keep(read_only: bool, account: Account, report: AccountReport) -> str | None:
    """The allowlist note `account` should now hold after `report`; None: keep the stored one
    (it reads the same, the check failed, or the keyfile is read-only)."""
    from tui.connect.allowlist import updated_note

    if report.problem is not None or read_only:
        return None
    return updated_note(account.notes, report.permissions, datetime.now(UTC).date())


async def keep(set_notes: SetNotes, notes: Mapping[str, str]) -> None:
    """Write a round's new allowlist notes, `{account id: note}`, in one save (one per
    account rewrote the keyfile 100 times on a first round of 100 accounts). A failure only
    loses a later comparison: the next round finds the same notes to write."""
    from tui.connect.allowlist import NOTE

    if not notes:
        return
    try:
        await asyncio.to_thread(set_notes, NOTE, dict(notes))
    except Exception as error:
        log.warning("could not keep the keys' allowlists: %s", scrub(str(error)))
