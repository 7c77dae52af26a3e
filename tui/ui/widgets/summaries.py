"""Short, coloured summaries of an account's state for tables and dialogs.

Every state carries a glyph and a word as well as a colour, so it reads without colour too.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.text import Text

from tui.ui.widgets.states import OK, SEVERITY_LOOKS, UNVERIFIED, StateLook, look_of
from tui.ui.widgets.theme import Palette

if TYPE_CHECKING:
    from collections.abc import Mapping

    from tui.connect.models import AccountReport, Permissions
    from tui.vault import Account


def fuzzy_rank(query: str, *candidates: str) -> tuple[int, int, int] | None:
    """A sort key for how well `query` matches the best candidate (lower is better).

    Prefix beats substring beats letters-in-order; among the latter, the tightest and
    earliest match wins ("kcn" finds KuCoin before Blockchain.com). None: no match.
    """
    needle = "".join(query.lower().split())
    if not needle:
        return (0, 0, 0)
    best: tuple[int, int, int] | None = None
    for candidate in candidates:
        text = candidate.lower()
        if text.startswith(needle):
            key = (0, len(text), 0)
        elif needle in text:
            key = (1, text.index(needle), len(text))
        else:
            span = _tightest_span(needle, text)
            if span is None:
                continue
            key = (2, span[1] - span[0], span[0])
        best = key if best is None else min(best, key)
    return best


def _tightest_span(needle: str, text: str) -> tuple[int, int] | None:
    """(start, end) of the shortest window of `text` holding `needle`'s letters in order."""
    best: tuple[int, int] | None = None
    for start, ch in enumerate(text):
        if ch != needle[0]:
            continue
        position = start
        for letter in needle[1:]:
            position = text.find(letter, position + 1)
            if position < 0:
                break
        else:
            if best is None or position - start < best[1] - best[0]:
                best = (start, position)
    return best


def status_summary(
    accounts: Sequence[Account], reports: Mapping[str, AccountReport], palette: Palette
) -> Text:
    """The worst state among an exchange's accounts, in the dashboard's words and colours."""
    if not accounts:
        return Text("")
    looks = [_account_look(account, reports.get(account.id)) for account in accounts]
    failing = [look for look in looks if look.style.endswith("$error")]
    for candidates in (failing, [lk for lk in looks if lk is UNVERIFIED], looks):
        worst = next((look for look in candidates if look is not OK), None)
        if worst is not None:
            return look_text(worst, palette)
    return look_text(OK, palette)


def look_text(look: StateLook, palette: Palette) -> Text:
    return Text(look.text, style=palette.style(look.style))


def _account_look(account: Account, report: AccountReport | None) -> StateLook:
    if report is None and getattr(account, "verified_at", None) is None:
        return UNVERIFIED
    return look_of(report)


_PERMISSION_WORDS = (
    ("read", "read"),
    ("spot_trade", "trade"),
    ("margin", "margin"),
    ("futures", "futures"),
    ("internal_transfer", "transfer"),
)


def permission_words(permissions: Permissions | None) -> Text:
    """`read trade margin` from the rights a key reports; empty when nothing is known."""
    if permissions is None:
        return Text("")
    if not permissions.reported:
        return Text("not reported", style="dim")
    parts = [word for name, word in _PERMISSION_WORDS if getattr(permissions, name, None)]
    return Text(" ".join(parts) if parts else "none")


def accounts_permission_summary(
    accounts: Sequence[Account], reports: Mapping[str, AccountReport], palette: Palette
) -> Text:
    """Most urgent first: a withdraw mark, the number of issues, then the riskiest key's rights."""
    found = [reports[a.id] for a in accounts if a.id in reports]
    known = [check.permissions for check in found if check.permissions is not None]
    known.sort(key=lambda p: (not p.withdraw, p.ip_restricted is not False))
    findings = [f for check in found for f in check.findings if f.severity != "info"]
    parts: list[Text] = []
    if any(p.withdraw for p in known):
        parts.append(Text("⚠ WITHDRAW", style=palette.style("bold $error")))
    if findings:
        critical = any(f.severity == "critical" for f in findings)
        count = len(findings)
        parts.append(
            Text(
                f"{count} issue{'s' if count > 1 else ''}",
                style=palette.style(SEVERITY_LOOKS["critical" if critical else "warning"].style),
            )
        )
    if known:
        parts.append(permission_words(known[0]))
    return Text(" · ").join(part for part in parts if part)
