"""What every import source produces, and the one entry point that picks the reader.

A reader never writes anything and never puts a secret in a message: a `SourceError` says
what is wrong with the file (which field, which line), never the value.
"""

from __future__ import annotations

import functools
import os
import stat
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from tui.base.inert import LABEL_LIMIT, TEXT_LIMIT, inert, inert_all, inert_or_none
from tui.base.redact import Secret

PasswordReader = Callable[[str], str]
"""Asked only when a source is encrypted: takes a prompt, returns the source's password."""


class SourceError(Exception):
    """The source cannot be read at all (missing, malformed, wrong password): the message
    says why in plain words. Nothing is imported."""


@dataclass(frozen=True)
class Candidate:
    """One key found in a source, not yet in the keyfile."""

    exchange: str
    """The ccxt id."""
    credentials: Mapping[str, Secret]
    """ccxt credential names (apiKey, secret, password, uid, ...) to values."""
    origin: str
    """Where in the source it came from, for the preview (`connectors/okx.yml`)."""
    label: str | None = None
    """A label the source gives (a Keydeck keyfile); None: the source's name."""
    sandbox: bool = False
    endpoint: str | None = None
    notes: tuple[str, ...] = ()
    """Non-secret remarks for the preview (`OKX host from okx_registration_sub_domain`)."""

    def __post_init__(self) -> None:
        # Whoever wrote the file chose these: inert before the preview or the keyfile.
        object.__setattr__(self, "label", inert_or_none(self.label, LABEL_LIMIT))
        object.__setattr__(self, "origin", inert(self.origin, LABEL_LIMIT))
        object.__setattr__(self, "notes", inert_all(self.notes, TEXT_LIMIT))


@dataclass(frozen=True)
class Skipped:
    """Something in the source that is not imported, and why."""

    origin: str
    reason: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "origin", inert(self.origin, LABEL_LIMIT))
        object.__setattr__(self, "reason", inert(self.reason, TEXT_LIMIT))


@dataclass
class SourceRead:
    """Everything one source holds."""

    source: str
    path: Path
    candidates: list[Candidate] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    plain_text: bool = False
    """True when the file keeps the keys in clear (closing reminder)."""
    cleanup_hint: str = ""
    """How to take the keys out of the file once they are in Keydeck."""


def secrets_of(values: Mapping[str, str]) -> dict[str, Secret]:
    """Non-empty values as Secrets (registered for scrubbing as soon as they are read)."""
    return {name: Secret(value) for name, value in values.items() if value}


@functools.cache
def ccxt_exchange_ids() -> frozenset[str]:
    """Every exchange id ccxt knows (imports ccxt: about a second, once)."""
    import ccxt

    return frozenset(ccxt.exchanges)


MAX_SOURCE_BYTES = 2 * 1024 * 1024
"""Any source file: the tools' configs are a few KB; a larger one is not one of them."""


def read_text(path: Path, what: str, limit: int = MAX_SOURCE_BYTES) -> str:
    """A source file's text, or a SourceError that says why it cannot be read.

    Regular files only, opened non-blocking (a FIFO never hangs the import; a device such
    as a symlink to /dev/zero is refused before a byte is read), at most `limit` bytes.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        descriptor = os.open(path, flags | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise SourceError(f"No {what} at {path}.") from None
    except IsADirectoryError:
        raise SourceError(f"{path} is a directory; give the {what} itself.") from None
    except OSError as error:
        raise SourceError(unreadable(path, error)) from None
    with os.fdopen(descriptor, "rb") as handle:
        status = os.fstat(descriptor)
        if stat.S_ISDIR(status.st_mode):
            raise SourceError(f"{path} is a directory; give the {what} itself.")
        if not stat.S_ISREG(status.st_mode):
            raise SourceError(
                f"The source could not be read: {path} is not a regular file (a pipe, device "
                f"or socket); give the {what} itself."
            )
        if status.st_size > limit:
            raise SourceError(_too_large(path, what, limit))
        try:
            data = handle.read(limit + 1)
        except OSError as error:
            raise SourceError(unreadable(path, error)) from None
    if len(data) > limit:
        raise SourceError(_too_large(path, what, limit))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise SourceError(f"{path} is not a text file (not UTF-8); is it the {what}?") from None


def _too_large(path: Path, what: str, limit: int) -> str:
    size = f"{limit // 2**20} MB" if limit % 2**20 == 0 else f"{limit // 1024} KB"
    return f"The source could not be read: {path} is larger than {size}; is it the {what}?"


def unreadable(path: Path, error: OSError) -> str:
    """The message for a file or directory the system will not let us read."""
    return f"The source could not be read: {path}: {error.strerror or error}."


SOURCE_NAMES: tuple[str, ...] = ("hummingbot", "freqtrade", "env", "ccxt", "keydeck")
"""The sources `keydeck import` reads (readers in tui.keys_io.dispatch)."""
