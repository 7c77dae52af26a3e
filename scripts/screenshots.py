"""Regenerate screenshots/*.svg from the demo with deterministic data.

    .venv/bin/python scripts/screenshots.py [--out screenshots]

The demo runs with drift off, a fixed clock, a fixed simulator port and a fixed config
directory; measured values that vary from run to run (latency, clock offset) are replaced by
fixed ones before the screens see them, so the pictures change only when a screen does.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tui.connect.models import AccountReport  # noqa: E402
from tui.connect.service import Connector  # noqa: E402
from tui.ui.demo import DEMO_PASSWORD, start_demo  # noqa: E402

SIZE = (120, 36)
PORT = 47_231
CONFIG_DIR = Path("/tmp/keydeck-demo")  # noqa: S108 - shown on the unlock screen
NOW = datetime(2025, 11, 20, 14, 30, 0, tzinfo=UTC)
LATENCY_MS = {"binance": 42, "okx": 88, "kucoin": 64, "bybit": 120, "coinbase": 57, "kraken": 51}


def fixed_clock() -> datetime:
    return NOW


class SteadyConnector(Connector):
    """The real connector; its reports get fixed latencies, offsets and times."""

    async def refresh(  # type: ignore[override]
        self, accounts: Sequence[Any], *, with_permissions: bool = True, force: bool = False
    ) -> AsyncIterator[AccountReport]:
        reports = [
            report
            async for report in super().refresh(
                accounts, with_permissions=with_permissions, force=force
            )
        ]
        order = {account.id: index for index, account in enumerate(accounts)}
        for report in sorted(reports, key=lambda r: order.get(r.account_id, 0)):
            yield steady(report)


def steady(report: AccountReport) -> AccountReport:
    status = report.status
    offset = status.clock_offset_ms
    if offset is not None:
        offset = round(offset / 1000) * 1000 if abs(offset) >= 2000 else 12.0
    checked = NOW - timedelta(seconds=4)
    status = replace(
        status,
        latency_ms=float(LATENCY_MS.get(report.exchange, 77)),
        clock_offset_ms=offset,
        checked_at=checked,
        last_success_at=checked if status.last_success_at else None,
        retry_at=checked + timedelta(seconds=30) if status.retry_at else None,
    )
    balances = report.balances
    if balances is not None:
        balances = replace(balances, fetched_at=checked)
    return replace(report, status=status, balances=balances)


async def wait_until(pilot: Any, test: Callable[[], bool]) -> None:
    async with asyncio.timeout(30):
        while not test():
            await pilot.pause(0.1)


async def shoot(out: Path) -> list[Path]:
    from textual.widgets import Input

    from tui.base.settings import Settings
    from tui.ui.app import KeydeckApp
    from tui.vault import KdfParams

    shutil.rmtree(CONFIG_DIR, ignore_errors=True)
    fast = KdfParams.insecure_fast()
    session = start_demo(CONFIG_DIR, drift=0.0, kdf=fast, port=PORT)
    written: list[Path] = []
    try:
        app = KeydeckApp(
            session.locations,
            connector_factory=lambda: SteadyConnector(cache_dir=session.locations.cache_dir),
            vault_options={"kdf": fast},
            wall_clock=fixed_clock,
            notice=session.notice(),
            settings=Settings(refresh_interval_s=3600),  # one round: no second one mid-shoot
        )
        async with app.run_test(size=SIZE) as pilot:

            async def save(name: str, before: Callable[[], Awaitable[None]] | None = None) -> None:
                if before is not None:
                    await before()
                for field in app.screen.query(Input):
                    field.cursor_blink = False  # a blinking cursor would differ run to run
                await pilot.pause(0.5)
                await pilot.pause()
                path = out / f"{name}.svg"
                app.save_screenshot(str(path))
                written.append(path)

            def on(name: str) -> Callable[[], bool]:
                return lambda: type(app.screen).__name__ == name

            await wait_until(pilot, lambda: bool(app.screen.query("#password")))  # unlock form
            await save("unlock")
            app.screen.query_one("#password").value = DEMO_PASSWORD  # type: ignore[attr-defined]
            await pilot.press("enter")
            await wait_until(pilot, on("SessionDashboard"))
            dashboard = app.screen
            await wait_until(
                pilot, lambda: not dashboard.refreshing and bool(dashboard.model.history)
            )  # type: ignore[attr-defined]
            await save("dashboard")
            await pilot.press("v", "b")
            dashboard.query_one("#warnings-panel").focus()
            await save("permissions")
            await pilot.press("v", "b")
            table = dashboard.query_one("#status-table")
            table.focus()
            gate_row = [str(r.key.value) for r in table.ordered_rows]  # type: ignore[attr-defined]
            target = next(
                i
                for i, key in enumerate(gate_row)
                if "gate" in str(dashboard.model.views[key].exchange)
            )  # type: ignore[attr-defined]
            table.move_cursor(row=target)  # type: ignore[attr-defined]
            await save("problem")
            await pilot.press("d")  # the detail of the selected (failing) account
            await wait_until(pilot, on("AccountDetailScreen"))
            await save("account-detail")
            await pilot.press("escape")
            await wait_until(pilot, on("SessionDashboard"))
            await pilot.press("c")
            await wait_until(pilot, on("ExchangeListScreen"))
            await wait_until(pilot, lambda: app.catalog.loaded)
            await save("exchanges")
            await pilot.press(*"bitget")
            await pilot.press("enter")
            await wait_until(pilot, on("KeyEntryScreen"))
            await save("key-entry")
            await pilot.press("f2")
            await wait_until(pilot, on("SessionDashboard"))
    finally:
        session.close()
        shutil.rmtree(CONFIG_DIR, ignore_errors=True)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "screenshots")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for path in asyncio.run(shoot(args.out)):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
