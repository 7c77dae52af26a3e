"""Checking what a user typed or pasted into the key form. No Textual here.

Every message names the field and the fault, never the secret itself.
"""

from __future__ import annotations

import unicodedata

MAX_FIELD_CHARS = 4096
MAX_LABEL_CHARS = 40
PEM_MARKER = "-----BEGIN"

# Fields a user chooses (passphrases) may hold spaces; keys issued by an exchange never do.
_SPACES_ALLOWED = frozenset({"password", "login"})


def clean_value(raw: str, *, multiline: bool) -> str:
    """Trim surrounding whitespace; for a PEM pasted from JSON, turn literal \\n into lines."""
    value = raw.strip()
    if multiline and PEM_MARKER in value and "\\n" in value:
        value = value.replace("\\r\\n", "\n").replace("\\n", "\n").strip()
    if multiline:
        value = "\n".join(line.strip() for line in value.splitlines())
    return value


def credential_fault(
    name: str, label: str, value: str, *, secret: bool, multiline: bool, required: bool = True
) -> str | None:
    """Why `value` cannot be this credential, or None when it looks usable."""
    if not value:
        return f"{label} is empty." if required else None
    if len(value) > MAX_FIELD_CHARS:
        return (
            f"{label} is {len(value):,} characters long; keys are far shorter than 4 KB. "
            "Did you paste something else?"
        )
    if multiline and PEM_MARKER in value:
        return _pem_fault(label, value)
    for position, ch in enumerate(value, start=1):
        if ch.isspace():
            if name in _SPACES_ALLOWED and ch == " ":
                continue
            what = "a line break" if ch in "\r\n" else "a space"
            return f"{label} has {what} inside it (character {position}). Copy the key again."
        if not (ch.isascii() and ch.isprintable()):
            shown = "" if secret else f" {ch!r}"
            return (
                f"{label} contains a character the exchange cannot accept{shown} "
                f"({_char_name(ch)}, character {position}). Copy the key again."
            )
    return None


def _char_name(ch: str) -> str:
    return f"U+{ord(ch):04X} {unicodedata.name(ch, 'unnamed character').lower()}"


def _pem_fault(label: str, value: str) -> str | None:
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    if "-----END" not in value:
        return f"{label} is cut short: copy every line from -----BEGIN to -----END."
    try:
        load_pem_private_key(value.encode("ascii", "strict"), password=None)
    except UnicodeEncodeError:
        return f"{label} contains characters that cannot be in a PEM key. Copy it again."
    except TypeError:
        return f"{label} is encrypted with a password. Export it without one."
    except Exception:  # cryptography raises several kinds for bad input
        return (
            f"{label} does not parse as a PEM private key. Copy every line from -----BEGIN "
            "to -----END, exactly as the exchange showed it."
        )
    return None


def label_fault(label: str) -> str | None:
    if not label:
        return "Label is empty. Name the account, e.g. main or bot."
    if len(label) > MAX_LABEL_CHARS:
        return f"Label is {len(label)} characters long; keep it to {MAX_LABEL_CHARS} or fewer."
    if any(not ch.isprintable() for ch in label):
        return "Label contains control characters."
    return None
