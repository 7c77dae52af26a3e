"""Process-wide safety for Keydeck's commands: no core dumps, one quiet ctrl+c, closed pipes.

No Textual, no ccxt: the app and the headless commands (`keydeck check`) share it.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Awaitable, Iterable, Mapping
from types import FrameType
from typing import TextIO, TypeVar

T = TypeVar("T")

EXIT_INTERRUPTED = 130  # 128 + SIGINT, what shells report for ctrl+c

_interrupted = False


_PR_SET_DUMPABLE = 4  # <linux/prctl.h>
KEYDECK_PREFIX = "KEYDECK_"


def disable_core_dumps() -> None:
    """A core dump would hold the decrypted keys and the derived key: never write one.

    `RLIMIT_CORE` 0 (soft and hard, so no child of ours can raise it back), and on Linux
    not dumpable either (`prctl(PR_SET_DUMPABLE, 0)`): that also covers a `core_pattern`
    pipe, which ignores the limit, and keeps other processes of the user from attaching
    (ptrace) or reading /proc/<pid>/mem and environ. Called before any secret is read.
    """
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    except (ImportError, ValueError, OSError):
        pass
    if sys.platform.startswith("linux"):
        _not_dumpable()


def _not_dumpable() -> None:
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_DUMPABLE, 0, 0, 0, 0)
    except (OSError, AttributeError):  # no libc symbol (static builds, musl oddities)
        pass


def child_environ(
    parent: Mapping[str, str] | None = None, keep: Iterable[str] = ()
) -> dict[str, str]:
    """`parent` (default: this process's environment) without any `KEYDECK_*` variable
    but those in `keep`: a child never sees Keydeck's passwords, webhooks or a new key."""
    kept = set(keep)
    source = os.environ if parent is None else parent
    return {
        name: value
        for name, value in source.items()
        if not name.upper().startswith(KEYDECK_PREFIX) or name in kept
    }


def _interrupt_once(signum: int, frame: FrameType | None) -> None:
    global _interrupted
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # first, so a second ctrl+c cannot land here
    _interrupted = True
    raise KeyboardInterrupt


def interrupt_once() -> None:
    """Make ctrl+c raise KeyboardInterrupt at most once; later ones are ignored.

    So the one handler that turns it into exit 130 cannot itself be interrupted, and the
    cleanup it unwinds through (closing exchange clients, releasing the keyfile lock) runs
    to the end. asyncio.run keeps this handler (it installs its own only over Python's
    default one). No-op outside the main thread, where signals cannot be handled.
    """
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, _interrupt_once)


def ignore_interrupts() -> None:
    """From here to the exit, ctrl+c changes nothing (the answer is already decided)."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)


async def cancelled_by_interrupt(work: Awaitable[T]) -> T:
    """Await `work` so that ctrl+c cancels it at an await instead of raising KeyboardInterrupt
    between any two bytecodes of aiohttp or ccxt (which leaves "coroutine was never awaited"
    warnings and unclosed sockets). The first ctrl+c cancels, later ones are ignored, so the
    unwinding (closing the exchange clients) runs to the end; then CancelledError leaves
    and `was_interrupted()` is true. The previous SIGINT handler is back afterwards.
    """
    import asyncio  # only the commands that run a loop pay for it

    loop = asyncio.get_running_loop()
    task = asyncio.current_task()
    previous = signal.getsignal(signal.SIGINT)

    def cancel_once() -> None:
        global _interrupted
        if not _interrupted and task is not None:
            _interrupted = True
            task.cancel()

    try:
        loop.add_signal_handler(signal.SIGINT, cancel_once)
    except (NotImplementedError, RuntimeError, ValueError):  # not the main thread, Windows
        return await work
    try:
        return await work
    finally:
        loop.remove_signal_handler(signal.SIGINT)
        if _interrupted and previous is _interrupt_once:
            previous = signal.SIG_IGN
        signal.signal(signal.SIGINT, previous)


def forget_caught_interrupt() -> None:
    """Let an exit code decided after a ctrl+c (130) be the process's exit code.

    CPython marks a KeyboardInterrupt that leaves the evaluation of source *text* as
    unhandled, even when an outer `except` catches it, and at exit re-raises SIGINT for
    that mark (bpo-1054041's "exit properly after an uncaught ^C"). `dataclasses` and
    `namedtuple` build their methods from text, so a ctrl+c that lands while a module
    defining one is imported made the process die "killed by SIGINT" (-2 to a parent
    that waits on it) instead of 130, depending on the instant. Evaluating any text
    clears the mark. Call it once ctrl+c can no longer raise (`ignore_interrupts`).
    """
    exec("")  # noqa: S102 - a constant empty string: no code runs


def spare_the_exit_collections() -> None:
    """Let the interpreter's shutdown skip collecting the objects alive now.

    At exit CPython clears every module and runs full garbage collections over what is
    left: with ccxt loaded (thousands of classes, each exchange's API tables) that is
    0.2-0.3 s of CPU, a fifth of a whole `keydeck check`, to free memory the OS takes back
    anyway. `gc.freeze()` moves the live objects to the permanent generation, which those
    collections skip. What reference counting frees (files, sockets, the keyfile lock)
    and the atexit handlers (logging's flush) run as before. The process entry point
    only: a caller that goes on living should not freeze its heap.
    """
    import gc

    gc.freeze()


def default_interrupts() -> None:
    """Python's own ctrl+c handling, for the full-screen app (it reads ctrl+c as a key)."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.default_int_handler)


def was_interrupted() -> bool:
    """Whether ctrl+c arrived, even if some library swallowed the KeyboardInterrupt."""
    return _interrupted


def silence(stream: TextIO) -> None:
    """After a BrokenPipeError: point the stream's descriptor at /dev/null.

    Python's documented advice (library/signal, "Note on SIGPIPE"): otherwise the flush at
    exit fails again and prints "Exception ignored ... BrokenPipeError" to stderr.
    """
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, stream.fileno())
        finally:
            os.close(devnull)


def say(stream: TextIO | None, text: str) -> None:
    """One line to `stream` (stderr, usually); a reader that went away is not an error.
    None (Python started without that descriptor): nothing is said, never to stdout."""
    if stream is None:
        return
    try:
        print(text, file=stream, flush=True)
    except BrokenPipeError:
        silence(stream)
    except (OSError, ValueError):  # a closed or broken stream: nowhere left to say it
        pass


def flush_stdout() -> None:
    """Flush stdout now, so a closed pipe shows here and not in the interpreter's exit."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        silence(sys.stdout)
    except (OSError, ValueError, AttributeError):
        pass
