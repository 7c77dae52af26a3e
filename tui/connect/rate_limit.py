"""Keydeck's client-side rate limiter: ccxt's leaky bucket, without the polling.

ccxt's own `Throttler` keeps a task per client that, while a request waits for tokens,
wakes every `delay` seconds (1 ms by default) to see whether enough have dripped in. With
a handful of accounts per exchange that polling was most of an idle dashboard's CPU
(docs/benchmarks.md, round six). `PacedLimiter` works out when the tokens will be there
and sleeps once, until then.

The bucket is ccxt's, read from the client's `tokenBucket` (`refillRate` tokens per ms,
`capacity`, `cost`, starting `tokens`): a request may go when the bucket holds 0 tokens or
more, and takes `cost` from it. Two differences, both deliberate:

- The bucket fills while nothing waits, up to `capacity - 1`: after a pause the first
  request goes at once (ccxt's waits a whole interval, because its bucket only fills while
  a request is waiting), and `capacity` requests may go back to back, the burst the
  exchange module configured (1 for most exchanges: no two requests due closer than
  `cost` intervals; as in ccxt, one the event loop wakes late does not hold back the next).
- Time is `time.monotonic()`, so a wall clock set forward cannot release requests early.

A request cancelled while it waits keeps its place spent: the next one still waits for it,
which errs on the slow side.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from typing import Any

LEAKY_BUCKET = "leakyBucket"


class TokenBucket:
    """The pacing arithmetic alone, in ccxt's units (tokens, milliseconds): `reserve`
    answers how long a request arriving at `now_ms` waits, and books its tokens, so that
    requests are served in the order they arrived."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        self.refill_per_ms = float(config["refillRate"])
        self.capacity = float(config["capacity"])
        self.default_cost = float(config["cost"])
        self.tokens = float(config.get("tokens", 0))
        self._at_ms: float | None = None

    def reserve(self, now_ms: float, cost: float | None = None) -> float:
        """Milliseconds until a request arriving at `now_ms` may go (0: at once)."""
        self._fill(now_ms)
        wait_ms = 0.0 if self.tokens >= 0 else -self.tokens / self.refill_per_ms
        self.tokens -= self.default_cost if cost is None else float(cost)
        return wait_ms

    def _fill(self, now_ms: float) -> None:
        if self._at_ms is not None and now_ms > self._at_ms:
            ceiling = max(self.capacity - 1, self.tokens)  # never takes away a starting burst
            self.tokens = min(self.tokens + (now_ms - self._at_ms) * self.refill_per_ms, ceiling)
        if self._at_ms is None or now_ms > self._at_ms:
            self._at_ms = now_ms


class PacedLimiter:
    """A drop-in for a ccxt client's `throttler` (`await throttler(cost)` before each
    request; ccxt sets `loop` when the client opens). `config` stays ccxt's dict."""

    def __init__(self, config: dict[str, Any], loop: asyncio.AbstractEventLoop | None = None):
        self.config = config
        self.loop = loop
        self.bucket = TokenBucket(config)

    async def __call__(self, cost: float | None = None) -> None:
        wait_ms = self.bucket.reserve(time.monotonic() * 1000, cost)
        if wait_ms > 0:
            await asyncio.sleep(wait_ms / 1000)


def install_paced_limiter(client: Any) -> None:
    """Give a ccxt client the paced limiter, in place of ccxt's polling one. A client whose
    bucket is not a leaky bucket (ccxt's rolling window already sleeps once) keeps its own."""
    bucket = client.tokenBucket
    if isinstance(bucket, dict) and bucket.get("algorithm", LEAKY_BUCKET) == LEAKY_BUCKET:
        client.throttler = PacedLimiter(bucket, client.asyncio_loop)
