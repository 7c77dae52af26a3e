"""The one preamble every command goes through, and the one mapping of failures to exits.

`run_command(spec, args, locations, body)` does, in this order: core dumps off (before any
secret is read); the log (only where the config directory already exists, unless the
command may create it); `body(context)`. The context reads Keydeck's password once, as a
`Secret` (registered, so the log is scrubbed of it), and opens the keyfile read-only for
commands that only read. Whatever `body` raises becomes one line on stderr and a
documented exit code, never a traceback:

- `Failed(message, code)`: the command's own refusal, with its code;
- no password, a password that is not UTF-8, any keyfile error (`VaultError`), a keyfile
  that cannot be read (`OSError`): `spec.keyfile_exit`;
- ctrl+c: 130 (a command that writes says whether it had written);
- a closed stdout (`keydeck import ... | head -1`): output is dropped from then on and the
  command finishes its work and returns its own code; nothing is said;
- anything else: logged with its (scrubbed) traceback, `spec.failure_exit`.
"""

from __future__ import annotations

import errno
import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TextIO

from tui.base import process
from tui.commands.passwords import PasswordUnavailable, read_password

if TYPE_CHECKING:
    import argparse

    from tui.base.paths import Locations
    from tui.base.redact import Secret
    from tui.vault import Vault

log = logging.getLogger(__name__)

EXIT_INTERRUPTED = process.EXIT_INTERRUPTED


@dataclass(frozen=True)
class Spec:
    """What the preamble needs to know of a command."""

    name: str
    keyfile_exit: int = 3
    """The keyfile (or its password) could not be had."""
    failure_exit: int = 3
    """An unexpected error."""
    read_only: bool = True
    """Opens the keyfile read-only and creates nothing in the config directory."""
    writes: bool = False
    """Says "nothing was written" when it stops before its write."""
    unbuffered_stdin: bool = False
    """--password-stdin reads the first line byte by byte (the rest is someone else's)."""


class Failed(Exception):
    """Stop the command with this message (one line on stderr) and exit code."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


class QuietStream:
    """A text stream whose reader may go away: after EPIPE, writes are dropped quietly
    (the descriptor is pointed at /dev/null), so the command finishes what it was doing
    and returns its own code. `closed_pipe` says whether that happened."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self.closed_pipe = False

    def write(self, text: str) -> int:
        if not self.closed_pipe:
            self._guard(lambda: self._stream.write(text))
        return len(text)

    def flush(self) -> None:
        if not self.closed_pipe:
            self._guard(self._stream.flush)

    def _guard(self, action: Callable[[], object]) -> None:
        try:
            action()
        except BrokenPipeError:
            self._closed()
        except OSError as error:
            if error.errno != errno.EPIPE:
                raise
            self._closed()

    def _closed(self) -> None:
        self.closed_pipe = True
        process.silence(self._stream)

    def __getattr__(self, name: str) -> Any:  # isatty, fileno, encoding...
        return getattr(self._stream, name)


@dataclass
class Context:
    """What a command's body gets: its arguments, streams and the shared steps."""

    spec: Spec
    args: argparse.Namespace
    locations: Locations
    out: Any
    err: TextIO | None
    logged: bool = False
    wrote: bool = False
    """Set by a writing command once its write is done (so no "nothing was written")."""
    _password: Secret | None = field(default=None, repr=False)

    def say(self, text: str) -> None:
        """One line on stderr, prefixed with the command's name."""
        process.say(self.err, f"keydeck {self.spec.name}: {text}")

    def password(self) -> Secret:
        """Keydeck's password, read once (stdin, KEYDECK_PASSWORD, prompt)."""
        if self._password is None:
            from tui.base.redact import Secret

            given = read_password(
                bool(getattr(self.args, "password_stdin", False)),
                unbuffered=self.spec.unbuffered_stdin,
            )
            self._password = Secret(given)  # registered: scrubbed from the log
        return self._password

    def set_password(self, password: str) -> Secret:
        """A password the command got itself (a new keyfile's, asked twice)."""
        from tui.base.redact import Secret

        self._password = Secret(password)
        return self._password

    def open_vault(self, *, read_only: bool | None = None, **options: Any) -> Vault:
        """The keyfile with Keydeck's password; read-only (no write lock, works beside the
        app and on a read-only filesystem) unless the command writes it (`read_only`: this
        run's choice, e.g. a --dry-run)."""
        from tui.vault import Vault

        password = self.password()
        try:
            return Vault.open(
                self.locations.keyfile,
                password,
                read_only=self.spec.read_only if read_only is None else read_only,
                state_dir=self.locations.state_dir,
                **options,
            )
        except OSError as error:
            raise Failed(
                f"cannot open the keyfile: {error.strerror or error}", self.spec.keyfile_exit
            ) from None


Body = Callable[[Context], int]


def run_command(
    spec: Spec,
    args: argparse.Namespace,
    locations: Locations,
    body: Body,
    *,
    out: TextIO | None = None,
    err: TextIO | None = None,
    log_to_file: bool = True,
) -> int:
    """Run `body` through the preamble; its exit code, or the code its failure maps to."""
    process.disable_core_dumps()  # first: nothing secret has been read yet
    stream = out if out is not None else sys.stdout
    context = Context(
        spec,
        args,
        locations,
        QuietStream(stream) if stream is not None else None,
        err if err is not None else sys.stderr,
    )
    try:
        if log_to_file:
            context.logged = _start_log(context)
        code = body(context)
        if context.out is not None:
            context.out.flush()
        return code
    except Failed as error:
        context.say(str(error))
        return error.code
    except PasswordUnavailable as error:
        context.say(str(error))
        return spec.keyfile_exit
    except BrokenPipeError:  # a write outside the quiet stream (a flush at the end)
        process.silence(stream)
        return 0
    except KeyboardInterrupt:
        return _interrupted(context)
    except Exception as error:
        from tui.vault import VaultError

        if isinstance(error, VaultError):
            context.say(str(error))
            return spec.keyfile_exit
        return _unexpected(context, error)
    except BaseException as error:
        import asyncio

        if isinstance(error, asyncio.CancelledError) and process.was_interrupted():
            return _interrupted(context)
        raise


def _interrupted(context: Context) -> int:
    log.info("keydeck %s interrupted", context.spec.name)
    if context.spec.writes:
        context.say(
            "interrupted; " + ("the write was done" if context.wrote else "nothing was written")
        )
    return EXIT_INTERRUPTED


def _unexpected(context: Context, error: BaseException) -> int:
    log.error("keydeck %s failed", context.spec.name, exc_info=error)  # scrubbed by the filter
    where = (
        f"details in the log: {context.locations.log_file}"
        if context.logged
        else "no log was written"
    )
    written = ""
    if context.spec.writes and not context.wrote:
        written = "nothing was written; "
    context.say(f"unexpected error ({type(error).__name__}); {written}{where}")
    return context.spec.failure_exit


def _start_log(context: Context) -> bool:
    """The log file, if it can be had; logging is a nicety and commands run without it.
    A command that only reads never creates the config directory for it (a mistyped
    --config-dir leaves no trace)."""
    from tui.base.logs import setup_logging

    locations = context.locations
    if context.spec.read_only and not locations.config_dir.is_dir():
        return False
    try:
        setup_logging(locations.log_file)
    except OSError as error:
        context.say(f"cannot write the log ({error.strerror or error})")
        return False
    return True


def add_password_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--password-stdin",
        action="store_true",
        help="read Keydeck's password from the first line of stdin (else KEYDECK_PASSWORD, "
        "else a prompt; never from the command line)",
    )
