"""Keep the garbage collector's full collections off the key-press path.

After the first refresh round the process holds ~300-500k long-lived objects (ccxt's
clients and markets, Textual's widgets). A full collection walks all of them (200-450 ms on
the benchmark machine) and, landing at a random moment, was what every slow key press
overlapped (docs/benchmarks.md, responsiveness). Collecting once and then freezing what
survived moves those objects out of the collector's sight, so later collections walk only
what is new. Raising the thresholds instead only made the young collections slower.

Frozen objects that later become garbage in a reference cycle (a client closed on lock,
a removed account's markets) are not reclaimed while frozen: `release` unfreezes them, and
the next `settle` (after the next first round) collects them.
"""

from __future__ import annotations

import gc
import logging
import time

log = logging.getLogger(__name__)


def settle() -> None:
    """Collect everything, then freeze the survivors (the long-lived heap).

    Unfreezes first, so objects frozen by an earlier call that have become garbage since
    are collected too, and the frozen set is exactly what lives now.
    """
    started = time.perf_counter()
    gc.unfreeze()
    gc.collect()
    gc.freeze()
    log.debug(
        "heap settled: %d objects frozen in %.0f ms",
        gc.get_freeze_count(),
        (time.perf_counter() - started) * 1000,
    )


def release() -> None:
    """Hand the frozen objects back to the collector (the session that owned them ended)."""
    gc.unfreeze()
