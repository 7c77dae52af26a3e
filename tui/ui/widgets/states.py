"""How an account's state reads, everywhere in the UI: a glyph and a word as well as a colour.

Colour alone fails colour-blind users and monochrome terminals, so every state has its own
glyph and word ("✖ rejected", "◷ clock skew") and the colour only repeats them. Colours are
theme variables (`$error`), resolved for Rich text by `tui.ui.widgets.theme.Palette`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from tui.connect.problems import ProblemKind

if TYPE_CHECKING:
    from tui.connect.models import AccountReport


@dataclass(frozen=True)
class StateLook:
    glyph: str
    word: str
    style: str
    """A Textual style: a theme variable such as `$success`, or `dim`."""

    @property
    def text(self) -> str:
        return f"{self.glyph} {self.word}"


CHECKING = StateLook("◌", "checking", "dim")
OK = StateLook("✔", "ok", "$success")
WARNING = StateLook("▲", "warning", "$warning")
FAILING = StateLook("✖", "failing", "$error")
UNVERIFIED = StateLook("?", "unverified", "$warning")

SEVERITY_LOOKS: dict[str, StateLook] = {
    "critical": StateLook("✖", "critical", "bold $error"),
    "warning": StateLook("▲", "warning", "$warning"),
    "info": StateLook("i", "info", "$accent"),
}

_BY_PROBLEM: dict[ProblemKind, StateLook] = {
    ProblemKind.bad_credentials: StateLook("✖", "rejected", "$error"),
    ProblemKind.bad_passphrase: StateLook("✖", "rejected", "$error"),
    ProblemKind.clock_skew: StateLook("◷", "clock skew", "$error"),
    ProblemKind.ip_not_allowed: StateLook("✖", "IP refused", "$error"),
    ProblemKind.permission_missing: StateLook("✖", "no access", "$error"),
    ProblemKind.rate_limited: StateLook("◑", "rate limited", "$warning"),
    ProblemKind.unreachable: StateLook("✖", "unreachable", "$error"),
    ProblemKind.timeout: StateLook("✖", "timed out", "$error"),
    ProblemKind.blocked: StateLook("⊘", "blocked", "$error"),
    ProblemKind.maintenance: StateLook("✖", "maintenance", "$warning"),
    ProblemKind.unsupported: StateLook("▲", "unsupported", "$warning"),
    ProblemKind.redirected: StateLook("⊘", "redirected", "$error"),
    ProblemKind.bad_answer: StateLook("✖", "bad answer", "$error"),
    ProblemKind.too_large: StateLook("✖", "too large", "$error"),
    ProblemKind.tls_failed: StateLook("⊘", "TLS failed", "$error"),
    ProblemKind.insecure_endpoint: StateLook("⊘", "unsafe URL", "$error"),
}


def look_of(report: AccountReport | None) -> StateLook:
    """The look of an account's latest report (None: no answer yet)."""
    if report is None:
        return CHECKING
    status = report.status
    if report.problem is None and status.state != "failing":
        if status.state == "ok":
            return OK
        # Working, but something is off (a drifting clock, a slow answer): same word, amber.
        if status.problem is not None:
            look = _BY_PROBLEM.get(status.problem.kind, WARNING)
            return StateLook(look.glyph, look.word, "$warning")
        return WARNING
    problem = report.problem or status.problem
    if problem is None:
        return FAILING
    return _BY_PROBLEM.get(problem.kind, FAILING)


STATE_WIDTH = max(
    len(look.text) for look in (CHECKING, OK, WARNING, FAILING, *_BY_PROBLEM.values())
)
"""Every state padded to one width, so the column never jumps as states change."""
