"""Theme colours for Rich text (DataTable cells), which cannot use `$variables` directly."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from rich.color import Color, ColorParseError


@dataclass(frozen=True)
class Palette:
    variables: Mapping[str, str]

    def style(self, style: str) -> str:
        """Turn `$success`-style words into the current theme's colours."""
        words = []
        for word in style.split():
            if word.startswith("$"):
                colour = self.variables.get(word[1:], "")
                if _is_colour(colour):
                    words.append(colour)
            else:
                words.append(word)
        return " ".join(words)


def _is_colour(text: str) -> bool:
    try:
        Color.parse(text)
    except ColorParseError:
        return False
    return True
