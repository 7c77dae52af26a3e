"""One `keydeck check`, or the plain ccxt script that makes the same requests, in a fresh
process (so its wall and CPU time are the whole command's, start-up included).

    python -m benchmarks.check_probe keydeck CONFIG_DIR OUT.json [--record]
    python -m benchmarks.check_probe plain DESCRIPTION.json OUT.json [--record]

`keydeck` runs `tui.cli.main(["check", "--json"])` as the `keydeck` command does (password
from KEYDECK_PASSWORD) and times the unlock (`Vault.open`) inside it, so the benchmark can
leave it out. `plain` does, per account and concurrently, what a script using ccxt directly
would: `fetch_time`,
`load_markets` (once per exchange, shared with ccxt's `set_markets_from_exchange`, as
Keydeck does), `fetch_balance`, `fetch_tickers` of the held assets, and the exchange's
key-permission call; the clients are `benchmarks.plain_client`'s (Keydeck's endpoint, rate
limits and market types, ccxt's own rate limiter), so both make the same requests, and nothing of
Keydeck's session, parsing, valuation or findings runs. `--record` writes the (method,
path) of every HTTP request to OUT.json, so the benchmark can check that both sides asked
the simulator the same things; timed runs do not record. `--frozen-exit` makes the plain
script end as `keydeck` does (`gc.freeze()`, so the interpreter's shutdown skips collecting
ccxt's heap): the benchmark reports Keydeck against that script too.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import resource
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit


def _cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _record_requests(into: Counter[str]) -> None:
    from ccxt.async_support.base.exchange import Exchange

    original = Exchange.fetch

    async def fetch(self: Any, url: str, method: str = "GET", *args: Any, **kwargs: Any) -> Any:
        into[f"{self.id} {method} {urlsplit(url).path}"] += 1
        return await original(self, url, method, *args, **kwargs)

    Exchange.fetch = fetch  # type: ignore[method-assign]


def run_keydeck(config_dir: str, unlock: dict[str, float]) -> int:
    from tui import cli
    from tui.vault import Vault

    original = Vault.open.__func__  # type: ignore[attr-defined]

    def timed_open(cls: Any, *args: Any, **kwargs: Any) -> Any:
        wall, cpu = time.perf_counter(), _cpu_s()
        try:
            return original(cls, *args, **kwargs)
        finally:
            unlock["wall_s"] = time.perf_counter() - wall
            unlock["cpu_s"] = _cpu_s() - cpu

    Vault.open = classmethod(timed_open)  # type: ignore[method-assign, assignment]
    with contextlib.redirect_stdout(io.StringIO()):
        return cli.main(["check", "--json", "--config-dir", config_dir])


async def _plain_account(
    ccxt_async: Any, account: Any, markets: dict[str, asyncio.Future[Any]]
) -> None:
    from benchmarks.plain_client import plain_client
    from tui.connect.exchanges import permission_reader
    from tui.connect.valuation import STABLECOINS, held_assets, plan_prices

    client = plain_client(ccxt_async, account, 15.0)
    try:
        await client.fetch_time()
        loaded = markets.get(account.exchange)
        if loaded is None:  # the first client of this exchange loads, the others share
            loaded = markets[account.exchange] = asyncio.get_running_loop().create_future()
            try:
                await client.load_markets()
            finally:
                loaded.set_result(client)
        else:
            client.set_markets_from_exchange(await asyncio.shield(loaded))
        balance = await client.fetch_balance()
        held = held_assets(balance)
        plan = plan_prices((a for a in held if a not in STABLECOINS), client.markets)
        if plan.symbols:
            await client.fetch_tickers(plan.symbols)
        reader = permission_reader(account.exchange)
        if reader is not None:
            await reader.fetch(client)
    finally:
        await client.close()


async def run_plain(description: dict[str, Any]) -> None:
    import ccxt.async_support as ccxt_async

    from benchmarks.simproc import vault_accounts

    accounts = vault_accounts(description["accounts"])
    markets: dict[str, asyncio.Future[Any]] = {}
    await asyncio.gather(*(_plain_account(ccxt_async, a, markets) for a in accounts))


def main(argv: list[str]) -> int:
    mode, source, out = argv[:3]
    record = "--record" in argv
    requests: Counter[str] = Counter()
    if record:
        _record_requests(requests)
    unlock: dict[str, float] = {}
    code = 0
    if mode == "keydeck":
        code = run_keydeck(source, unlock)
    else:
        asyncio.run(run_plain(json.loads(Path(source).read_text(encoding="utf-8"))))
        if "--frozen-exit" in argv:
            import gc

            gc.freeze()
    result = {"code": code, "unlock": unlock, "cpu_s": _cpu_s(), "requests": dict(requests)}
    Path(out).write_text(json.dumps(result), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
