"""Keeping keys out of crash reports.

Textual's crash screen (rich's `Traceback(show_locals=True)`) prints the local variables of
every frame of a traceback. Inside this package, frames hold the derived key, the decrypted
payload and parsed credential strings. Two defences:

- `SecretBytes`: a bytearray whose repr never shows its content, and which can be zeroed.
- `@scrubbed_traceback` on every public entry point: an exception leaving the function keeps
  its type and message, but loses the stack frames below the entry point (so their locals can
  never be rendered). Chained exceptions lose their frames too. For unexpected errors (bugs)
  a note records where they happened (file, line, function), which holds no values; registered
  secret values are scrubbed from their messages.
"""

from __future__ import annotations

import functools
import traceback
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from tui.base.redact import REDACTED, scrub
from tui.vault.errors import VaultError

_NOTE = "keydeck hid this error's inner frames to protect keys"
P = ParamSpec("P")
R = TypeVar("R")


class SecretBytes(bytearray):
    """Key material or plaintext: a mutable buffer with a redacted repr, zeroed by `wipe()`."""

    def __repr__(self) -> str:
        return f"SecretBytes({REDACTED}, {len(self)} bytes)"

    __str__ = __repr__

    def wipe(self) -> None:
        self[:] = bytes(len(self))


def scrubbed_traceback(function: Callable[P, R]) -> Callable[P, R]:
    """Decorate a public entry point so its failures carry no frames from inside it."""

    @functools.wraps(function)
    def entry_point(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return function(*args, **kwargs)
        except BaseException as error:
            # The caller's frame shows what it passed anyway; this frame must show nothing more.
            del args, kwargs
            _strip(error)
            raise error.with_traceback(None)  # noqa: B904 (re-raising the same error)

    return entry_point


def _strip(error: BaseException) -> None:
    """Drop every frame below the entry point, in `error` and in the exceptions it chains."""
    expected = isinstance(error, VaultError | ValueError | KeyError)  # messages say it all
    noted = any(_NOTE in note for note in getattr(error, "__notes__", ()))
    if not expected and not noted and error.__traceback__ is not None:
        where = traceback.extract_tb(error.__traceback__.tb_next)
        if where:
            steps = "; ".join(f"{f.filename}:{f.lineno} in {f.name}" for f in where)
            error.add_note(f"({_NOTE}: {steps})")
    if not isinstance(error, VaultError):
        error.args = tuple(scrub(a) if isinstance(a, str) else a for a in error.args)
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        current.__traceback__ = None
        following = current.__cause__ or current.__context__
        if current.__suppress_context__:
            current.__context__ = None
        current = following
