"""A password strength meter (zxcvbn's 0-4 score shown as a bar, a word and advice)."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.widgets import Static

from tui.base.redact import Secret
from tui.vault.password import MIN_SCORE

__all__ = ["MIN_SCORE", "StrengthMeter", "score_password"]

_WORDS = ("very weak", "weak", "fair", "strong", "very strong")
_STYLES = ("bold red", "red", "yellow", "green", "bold green")


@dataclass(frozen=True)
class Strength:
    score: int  # 0..4
    hint: str


def score_password(password: str | Secret) -> Strength:
    """zxcvbn's score and advice, as the keyfile layer computes it."""
    from tui.vault.password import password_strength

    if not (password.reveal() if isinstance(password, Secret) else password):
        return Strength(0, "")
    score, hint = password_strength(password)
    return Strength(score, hint)


class StrengthMeter(Static):
    """Shows how hard the typed password is to guess. Call `show_for(password)`."""

    DEFAULT_CSS = """
    StrengthMeter { height: auto; min-height: 1; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id)
        self.strength = Strength(0, "")

    def show_for(self, password: str) -> Strength:
        self.strength = score_password(password)
        if not password:
            self.update("")
            return self.strength
        score = self.strength.score
        bar = Text("■" * (score + 1), style=_STYLES[score]) + Text("□" * (4 - score), style="dim")
        line = Text.assemble("Strength ", bar, " ", (_WORDS[score], _STYLES[score]))
        if self.strength.hint:
            line.append(f"  {self.strength.hint}", style="dim")
        self.update(line)
        return self.strength
