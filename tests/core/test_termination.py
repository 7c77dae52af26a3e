"""tui/termination.py: SIGTERM and SIGHUP are recorded, never fatal, while Keydeck holds them;
the handlers before are back afterwards; a signal ignored at start (nohup) stays ignored."""

from __future__ import annotations

import asyncio
import os
import signal
import threading

import pytest

from tui import termination

pytestmark = pytest.mark.skipif(
    threading.current_thread() is not threading.main_thread() or not hasattr(signal, "SIGHUP"),
    reason="signals are handled in the main thread of a POSIX process only",
)


def test_a_signal_while_held_is_recorded_and_the_handlers_come_back() -> None:
    before = {sig: signal.getsignal(sig) for sig in termination.SIGNALS}
    with termination.held():
        os.kill(os.getpid(), signal.SIGTERM)
        os.kill(os.getpid(), signal.SIGHUP)  # a second one changes nothing
        assert termination.received() == signal.SIGTERM
        assert termination.exit_code(0) == 128 + signal.SIGTERM
    assert {sig: signal.getsignal(sig) for sig in termination.SIGNALS} == before


def test_the_loop_handler_calls_back_once_and_hands_back_to_the_recorder() -> None:
    calls: list[int] = []

    async def main() -> None:
        loop = asyncio.get_running_loop()
        done = asyncio.Event()

        def on_signal(signum: int) -> None:
            calls.append(signum)
            done.set()

        with termination.attached(loop, on_signal):
            os.kill(os.getpid(), signal.SIGHUP)
            await asyncio.wait_for(done.wait(), 10)
            os.kill(os.getpid(), signal.SIGTERM)
            await asyncio.sleep(0)  # let the loop run the handler of the second one

    with termination.held():
        recorder = signal.getsignal(signal.SIGTERM)
        asyncio.run(main())
        assert signal.getsignal(signal.SIGTERM) is recorder
        assert calls == [signal.SIGHUP]
        assert termination.exit_code(0) == 128 + signal.SIGHUP


def test_a_signal_recorded_before_the_loop_is_delivered_when_it_starts() -> None:
    calls: list[int] = []

    async def main() -> None:
        with termination.attached(asyncio.get_running_loop(), calls.append):
            await asyncio.sleep(0)

    with termination.held():
        os.kill(os.getpid(), signal.SIGTERM)
        asyncio.run(main())
    assert calls == [signal.SIGTERM]


def test_a_hangup_ignored_at_start_stays_ignored() -> None:
    previous = signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        with termination.held():
            assert signal.getsignal(signal.SIGHUP) == signal.SIG_IGN
            os.kill(os.getpid(), signal.SIGHUP)
            assert termination.received() is None
        assert signal.getsignal(signal.SIGHUP) == signal.SIG_IGN
    finally:
        signal.signal(signal.SIGHUP, previous)
