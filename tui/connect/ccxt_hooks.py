"""Every place Keydeck relies on how ccxt works inside, in one module.

tests/connect/test_ccxt_hooks.py fails if a ccxt release changes any of these:

- ccxt's async `Exchange.fetch` sends every REST request through `self.session` (the
  `session` given in the constructor config, which sets `own_session = False`) with
  `session.<method>(...)`, and reads the body with `response.text()`;
- an exchange given a session neither opens a session of its own nor closes the one given,
  so `close_client` closes it after the client;
- `on_json_response(text)` is the one call that turns a body into JSON;
- with `enableRateLimit`, `fetch2` waits in `self.throttle(cost)` before each request.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from tui.connect.problems import MalformedResponse


def session_config(session: Any) -> dict[str, Any]:
    """The constructor config that makes a ccxt exchange use `session` for REST calls."""
    return {"session": session}


async def close_client(client: Any) -> None:
    """Close a ccxt client, then the session Keydeck gave it (ccxt leaves that one open)."""
    session = client.session if not client.own_session else None
    try:
        await client.close()
    finally:
        if session is not None:
            await session.close()


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def install_strict_json(client: Any) -> None:
    """Bodies are parsed strictly: no NaN or Infinity, bounded nesting, and a body that
    looks like JSON but does not parse is an error.

    ccxt otherwise returns None or the raw text, and some exchanges then parse that into an
    empty balance: a cut-off answer would show as "no funds" instead of a problem. NaN would
    pass every `<` and `>` check (a clock "in sync", a balance "not negative").
    """
    exchange_id = client.id

    def strict(text: str) -> Any:
        try:
            return json.loads(text, parse_constant=_refuse_constant)
        except (ValueError, RecursionError) as error:
            reason = "nested too deeply" if isinstance(error, RecursionError) else "not valid JSON"
            raise MalformedResponse(
                f"{exchange_id}: an answer of {len(text)} characters was {reason}"
            ) from None

    client.on_json_response = strict


@dataclass
class ThrottleMeter:
    """The seconds a client's requests have waited in ccxt's rate limiter, in all."""

    waited_s: float = 0.0


def meter_throttle(client: Any) -> ThrottleMeter:
    """Count the client's rate-limiter waits, so a round trip can be told from ccxt pacing
    its own requests (Kraken's balance otherwise read "3.2 s" against a 200 ms exchange).
    The wrapper holds the throttler and the meter, never the client: no reference cycle."""
    meter = ThrottleMeter()
    throttler = client.throttler

    async def throttle(cost: Any = None) -> Any:
        started = time.perf_counter()
        try:
            return await throttler(cost)
        finally:
            meter.waited_s += time.perf_counter() - started

    client.throttle = throttle
    client.keydeck_throttle_meter = meter
    return meter


def throttle_waits_s(client: Any) -> float:
    """`ThrottleMeter.waited_s` of a client built by Keydeck; 0 for any other."""
    meter = getattr(client, "keydeck_throttle_meter", None)
    return meter.waited_s if isinstance(meter, ThrottleMeter) else 0.0
