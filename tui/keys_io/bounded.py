"""Running key derivations so that ctrl+c stops them at once.

A KDF runs in C (hashlib, pycryptodome) for seconds; Python delivers ctrl+c to the main
thread only between bytecodes, and a `ThreadPoolExecutor` joins its workers on the way out
(and again at interpreter exit). Here the work runs in daemon threads and the main thread
waits in short, interruptible joins: ctrl+c raises `KeyboardInterrupt` at once, no further
job starts, and the process can exit without waiting for the derivation in flight.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

_POLL_S = 0.1


def interruptible_map(call: Callable[[T], R], items: Sequence[T], workers: int) -> list[R]:
    """`[call(item) for item in items]` on up to `workers` daemon threads, in order. An
    exception from a call is raised here (the first one in item order)."""
    results: list[tuple[bool, Any]] = [(False, None)] * len(items)
    pending = iter(range(len(items)))
    lock = threading.Lock()
    stop = threading.Event()

    def work() -> None:
        while not stop.is_set():
            with lock:
                index = next(pending, None)
            if index is None:
                return
            try:
                results[index] = (True, call(items[index]))
            except BaseException as error:  # handed to the caller below
                results[index] = (False, error)

    threads = [
        threading.Thread(target=work, name="keydeck-kdf", daemon=True)
        for _ in range(max(1, min(workers, len(items))))
    ]
    for thread in threads:
        thread.start()
    try:
        for thread in threads:
            while thread.is_alive():
                thread.join(_POLL_S)
    except BaseException:
        stop.set()
        raise
    values: list[R] = []
    for ok, value in results:
        if not ok:
            raise value
        values.append(value)
    return values
