"""The anchor for idle CPU: a plain asyncio ccxt loop making the balance pane's requests.

    python -m benchmarks.anchor_loop DESCRIPTION.json INTERVAL_S [--keydeck-limiter]

For every account the simulator describes (clients of `benchmarks.plain_client`: Keydeck's
endpoint, rate limits and market types, ccxt's own rate limiter; markets loaded once per
exchange and shared, as Keydeck does), every INTERVAL_S: `fetch_balance`, then
`fetch_tickers` of the held assets that need a price. Nothing else: no clock, no key
permissions, no parsing beyond ccxt's, no screen. Prints "round N" after each round.

`--keydeck-limiter` builds the clients with `build_client` as it is, Keydeck's paced rate
limiter included: the second, reported-only anchor, which shows what the dashboard costs
beside requests made as cheaply as Keydeck makes them.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any


async def _balance(client: Any) -> None:
    from tui.connect.valuation import STABLECOINS, held_assets, plan_prices

    held = held_assets(await client.fetch_balance())
    plan = plan_prices((a for a in held if a not in STABLECOINS), client.markets)
    if plan.symbols:
        await client.fetch_tickers(plan.symbols)


async def main(
    description: dict[str, Any], interval_s: float, *, keydeck_limiter: bool = False
) -> None:
    import ccxt.async_support as ccxt_async

    from benchmarks.plain_client import plain_client
    from benchmarks.simproc import vault_accounts
    from tui.connect.clients import build_client

    make = build_client if keydeck_limiter else plain_client
    accounts = vault_accounts(description["accounts"])
    clients = [make(ccxt_async, account, 15.0) for account in accounts]
    loaded: dict[str, Any] = {}
    for account, client in zip(accounts, clients, strict=True):
        if account.exchange in loaded:
            client.set_markets_from_exchange(loaded[account.exchange])
        else:
            await client.load_markets()
            loaded[account.exchange] = client
    started = time.monotonic()
    rounds = 0
    try:
        while True:
            await asyncio.gather(*(_balance(client) for client in clients))
            rounds += 1
            print(f"round {rounds}", flush=True)
            await asyncio.sleep(started + rounds * interval_s - time.monotonic())
    finally:
        await asyncio.gather(*(client.close() for client in clients))


if __name__ == "__main__":
    asyncio.run(
        main(
            json.loads(Path(sys.argv[1]).read_text("utf-8")),
            float(sys.argv[2]),
            keydeck_limiter="--keydeck-limiter" in sys.argv[3:],
        )
    )
