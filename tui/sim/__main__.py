"""`python -m tui.sim [--port P] [--scenario FILE] [--json] [--drift RATE]`.

Starts the simulator on 127.0.0.1 and runs until ctrl+c (SIGINT) or SIGTERM. With --json the
first stdout line is `Simulator.describe()` as one JSON object; otherwise a readable listing.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import signal
import sys
from typing import Any

from tui.sim.scenario import Scenario, ScenarioError
from tui.sim.server import Simulator


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m tui.sim",
        description="Keydeck's loopback exchange simulator (real wire protocols, fake money).",
    )
    parser.add_argument("--port", type=int, default=0, help="TCP port (default: a free one)")
    parser.add_argument("--scenario", metavar="FILE", help="scenario file (TOML or .json)")
    parser.add_argument(
        "--json", action="store_true", help="print one JSON line describing the simulator"
    )
    parser.add_argument(
        "--drift",
        type=float,
        default=None,
        metavar="RATE",
        help="move balances and prices by up to ±RATE (fraction) per second; default off",
    )
    return parser.parse_args(argv)


def listing(description: dict[str, Any]) -> str:
    lines = [f"Keydeck exchange simulator on {description['url']}", ""]
    for account in description["accounts"]:
        traits = account["traits"]
        lines.append(f"{account['exchange']} / {account['label']}  ->  {account['endpoint']}")
        for name, value in account["credentials"].items():
            shown = value if "\n" not in value else value.replace("\n", "\n" + " " * 14)
            lines.append(f"    {name:<9} {shown}")
        ips = ", ".join(traits["ip_allowlist"]) or "any address"
        where = f"sub-account {traits['sub_account']}" if traits["sub_account"] else "main account"
        lines.append(f"    traits    {', '.join(traits['permissions'])}; IPs: {ips}; {where}")
        assets = ", ".join(
            f"{asset} {amount['free']}+{amount['used']}"
            for asset, amount in traits["balances"].items()
        )
        lines.append(f"    balances  {assets}")
        lines.append("")
    lines.append("Press ctrl+c to stop.")
    return "\n".join(lines)


async def serve(args: argparse.Namespace) -> int:
    scenario = Scenario.load(args.scenario) if args.scenario else None
    simulator = Simulator(scenario=scenario, port=args.port, drift=args.drift)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):  # no signal handlers on Windows loops
            loop.add_signal_handler(signum, stop.set)
    async with simulator:
        description = simulator.describe()
        if args.json:
            print(json.dumps(description), flush=True)
        else:
            print(listing(description), flush=True)
        await stop.wait()
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        return asyncio.run(serve(args))
    except (ScenarioError, KeyError, OSError) as error:
        print(f"python -m tui.sim: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
