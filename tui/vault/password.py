"""Master password rules: how it is encoded, which are refused, how strong one is.

There is no password recovery: the key is derived from the password alone.
"""

from __future__ import annotations

import re
import unicodedata

from tui.base.redact import Secret
from tui.vault.errors import PasswordNotUtf8, PasswordRejected
from tui.vault.guard import SecretBytes, scrubbed_traceback

PasswordLike = str | Secret

_ZXCVBN_MAX = 72  # zxcvbn raises ValueError above this many characters
STRONG_ENOUGH = 3  # the score from which the UI need not warn
MIN_SCORE = 1  # below: refused wherever a password is set (0: a dictionary word, 123456...)
# Lone surrogates: what Python makes of non-UTF-8 bytes (surrogateescape) in the environment,
# argv or stdin. They are the only str that UTF-8 cannot encode.
_SURROGATE = re.compile("[\ud800-\udfff]")


def reveal(password: PasswordLike) -> str:
    if isinstance(password, Secret):
        return password.reveal()
    if isinstance(password, str):
        return password
    raise TypeError("a password is a str or a tui.base.redact.Secret")


def encode_password(password: PasswordLike) -> SecretBytes:
    """NFC-normalised UTF-8, so the same password typed on any system gives the same key.

    Raises `PasswordNotUtf8` (checked first, so no UnicodeEncodeError ever holds the text).
    """
    plain = reveal(password)
    if _SURROGATE.search(plain):
        raise PasswordNotUtf8()
    return SecretBytes(unicodedata.normalize("NFC", plain).encode("utf-8"))


def check_new_password(password: PasswordLike) -> None:
    """Raise `PasswordRejected` for a password that may not protect a keyfile (the empty one)."""
    if not reveal(password):
        raise PasswordRejected(
            "The password is empty. Choose a password; it cannot be recovered if lost, so "
            "keep it somewhere safe."
        )


@scrubbed_traceback
def password_strength(password: PasswordLike) -> tuple[int, str]:
    """zxcvbn score (0 very weak .. 4 very strong) and one line of advice for the UI.

    Passwords longer than zxcvbn's 72-character limit are scored on their first 72
    characters, a lower bound on their strength.
    """
    from zxcvbn import zxcvbn

    plain = reveal(password)
    if not plain:
        return 0, "Enter a password."
    result = zxcvbn(plain[:_ZXCVBN_MAX])
    score = int(result["score"])
    feedback = result.get("feedback") or {}
    parts = [str(feedback.get("warning") or "")]
    parts.extend(str(s) for s in feedback.get("suggestions") or [])
    advice = " ".join(p.strip() for p in parts if p and p.strip())
    if not advice:
        advice = "Strong password." if score >= STRONG_ENOUGH else "Add more words or characters."
    return score, advice


def weak_password(password: PasswordLike) -> str | None:
    """Why `password` may not protect a keyfile or a backup, or None. The one rule for every
    place that sets a password: the first-run and change-password screens, `keydeck import`
    creating a keyfile and `keydeck backup` with a new password."""
    if not reveal(password):
        return "Choose a master password."
    score, hint = password_strength(password)
    if score < MIN_SCORE:
        return f"This password is too easy to guess.{f' {hint}' if hint else ''}"
    return None
