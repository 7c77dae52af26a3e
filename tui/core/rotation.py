"""Rotating a key: what the new key gains over the old one, and whether the old one is dead.

No Textual. The Session does the one write (`Session.rotate_key`); this module compares the
two keys' rights and checks, once, that the replaced key no longer works at the exchange.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from tui.core.session import RETIRED_OF

if TYPE_CHECKING:
    from tui.connect.models import Permissions
    from tui.core.session import Session
    from tui.vault import Account

# (attribute, what it means, dangerous): the rights compared between the old and new key.
RIGHTS: tuple[tuple[str, str, bool], ...] = (
    ("withdraw", "withdraw funds", True),
    ("internal_transfer", "transfer between accounts", True),
    ("futures", "trade futures", False),
    ("margin", "trade on margin", False),
    ("spot_trade", "trade spot", False),
    ("read", "read balances", False),
)

Revocation = Literal["revoked", "works", "unknown"]


def retired_keys(session: Session, account_id: str) -> list[Account]:
    """Replaced keys of this account still kept for their revocation check."""
    return [a for a in session.vault.accounts if a.notes.get(RETIRED_OF) == account_id]


def compare_rights(
    old: Permissions | None, new: Permissions | None
) -> list[tuple[str, bool | None, bool | None, bool]]:
    """(right, old key, new key, gained and dangerous) for each right either key reports."""
    rows = []
    for name, words, dangerous in RIGHTS:
        before = getattr(old, name, None) if old is not None and old.reported else None
        after = getattr(new, name, None) if new is not None and new.reported else None
        if before is None and after is None:
            continue
        rows.append((words, before, after, dangerous and bool(after) and not before))
    return rows


def gained(old: Permissions | None, new: Permissions | None) -> list[str]:
    """Rights the new key has that the old one did not (dangerous ones first)."""
    rows = compare_rights(old, new)
    return [w for w, before, after, danger in rows if after and not before and danger] + [
        w for w, before, after, danger in rows if after and not before and not danger
    ]


async def check_revoked(session: Session, retired: Account) -> tuple[Revocation, Any]:
    """Try the old key once: "revoked" when the exchange refuses it as a key, "works" when
    it still answers, "unknown" when the exchange could not say (unreachable...). The
    report comes along for its problem text."""
    report = await session.verify(retired)
    await session.forget_client(retired.id)
    problem = report.problem
    if problem is None:
        return "works", report
    if problem.kind in ("bad_credentials", "bad_passphrase"):
        return "revoked", report
    return "unknown", report
