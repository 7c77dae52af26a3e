"""The one entry point that picks a source's reader (each reader imported on first use)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tui.keys_io.ccxt_keys import read_ccxt_keys
from tui.keys_io.dotenv_file import read_dotenv
from tui.keys_io.freqtrade import read_freqtrade
from tui.keys_io.hummingbot import read_hummingbot
from tui.keys_io.keyfile_source import read_keyfile
from tui.keys_io.sources import PasswordReader, SourceError, SourceRead, unreadable

SOURCES: dict[str, Callable[[Path, PasswordReader], SourceRead]] = {
    "hummingbot": read_hummingbot,
    "freqtrade": lambda path, _password: read_freqtrade(path),
    "env": lambda path, _password: read_dotenv(path),
    "ccxt": lambda path, _password: read_ccxt_keys(path),
    "keydeck": read_keyfile,
}


def read_source(name: str, path: Path, source_password: PasswordReader) -> SourceRead:
    """Read `path` as the source `name` (one of `SOURCES`)."""
    reader = SOURCES.get(name)
    if reader is None:
        raise SourceError(f"Unknown source {name!r}: use one of {', '.join(SOURCES)}.")
    try:
        return reader(path, source_password)
    except SourceError:
        raise
    except OSError as error:  # an unreadable directory, a permission error
        raise SourceError(unreadable(path, error)) from None
    except RecursionError:
        raise SourceError(f"The source could not be read: {path} is nested too deeply.") from None
    except ValueError:  # what a reader did not foresee in a hostile file (huge numbers...)
        raise SourceError(f"The source could not be read: {path} is not a valid file.") from None
