"""Deterministic accounts and reports for the dashboard tests (no drift, fixed clock)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from tui.connect.models import (
    AccountReport,
    AccountStatus,
    AssetBalance,
    Balances,
    Finding,
    Permissions,
)
from tui.connect.problems import Problem, ProblemKind

NOW = datetime(2025, 11, 20, 14, 30, 0, tzinfo=UTC)
D = Decimal


def fixed_clock() -> datetime:
    return NOW


@dataclass(frozen=True)
class SampleAccount:
    id: str
    exchange: str
    label: str


ACCOUNTS = [
    SampleAccount("acc-binance", "binance", "main"),
    SampleAccount("acc-okx", "okx", "bot"),
    SampleAccount("acc-bybit", "bybit", "swing"),
    SampleAccount("acc-kucoin", "kucoin", "desk"),
    SampleAccount("acc-kraken", "kraken", "legacy"),
    SampleAccount("acc-gate", "gate", "main"),
]


def asset(name: str, free: str, used: str, price: str | None) -> AssetBalance:
    total = D(free) + D(used)
    usd = None if price is None else (total * D(price)).quantize(D("0.01"))
    return AssetBalance(name, D(free), D(used), total, usd)


def balances(*assets: AssetBalance, at: datetime = NOW) -> Balances:
    priced = [a.usd for a in assets if a.usd is not None]
    return Balances(
        assets=tuple(assets),
        total_usd=sum(priced, D(0)),
        unpriced_assets=tuple(a.asset for a in assets if a.usd is None),
        fetched_at=at,
    )


def status(latency: float, offset: float = 12, problem: Problem | None = None) -> AccountStatus:
    state = "failing" if problem else "ok"
    return AccountStatus(
        state=state,
        reachable=problem is None or problem.kind != ProblemKind.unreachable,
        latency_ms=latency,
        clock_offset_ms=offset,
        checked_at=NOW - timedelta(seconds=4),
        last_success_at=None if problem else NOW - timedelta(seconds=4),
        problem=problem,
    )


WITHDRAW = Finding(
    "critical",
    "withdraw_enabled",
    "This key can withdraw funds.",
    "Edit the key and turn withdrawals off; Keydeck only needs Read.",
    "https://www.okx.com/account/my-api",
)
NO_IP = Finding(
    "warning",
    "no_ip_allowlist",
    "This key is not restricted to an IP address.",
    "Restrict the key to your IP address so a leaked key is useless elsewhere.",
    "https://www.kucoin.com/account/api",
)
EXPIRING = Finding(
    "warning",
    "expires_soon",
    "This key expires in 3 days.",
    "Create a new key before it expires and replace it in Keydeck.",
    "https://www.bybit.com/app/user/api-management",
)
TRADE_INFO = Finding(
    "info",
    "can_trade",
    "This key can trade spot.",
    "Fine for a trading bot; use a read-only key if you only watch balances.",
    None,
)

REJECTED = Problem(
    ProblemKind.bad_credentials,
    "Kraken rejected this API key.",
    "Check that the API key and secret were copied whole, or create a new key.",
    "EAPI:Invalid key",
)
SKEW = Problem(
    ProblemKind.clock_skew,
    "Your computer's clock is out of sync with Gate.",
    "Turn on automatic time sync and try again.",
    "REQUEST_EXPIRED",
)


def reports() -> dict[str, AccountReport]:
    """One report per sample account: healthy, withdraw, expiring, no IP, rejected, skew."""
    perms = Permissions(reported=True, read=True, spot_trade=True, ip_restricted=True)
    return {
        "acc-binance": AccountReport(
            "acc-binance",
            "binance",
            "main",
            status(42),
            balances(
                asset("BTC", "0.5", "0.1", "65000"),
                asset("ETH", "4.2", "0.8", "3200"),
                asset("USDT", "12500.5", "500", "1"),
                asset("SOL", "30", "0", "150"),
                asset("DOGE", "3", "0", "0.1"),
                asset("NOPX", "1000", "0", None),
            ),
            perms,
            (TRADE_INFO,),
        ),
        "acc-okx": AccountReport(
            "acc-okx",
            "okx",
            "bot",
            status(88, -35),
            balances(asset("USDT", "2500", "0", "1"), asset("BTC", "0.02", "0", "65000")),
            replace(perms, withdraw=True),
            (WITHDRAW,),
        ),
        "acc-bybit": AccountReport(
            "acc-bybit",
            "bybit",
            "swing",
            status(120, 4),
            balances(asset("ETH", "1.5", "0", "3200"), asset("USDT", "800", "120", "1")),
            perms,
            (EXPIRING,),
        ),
        "acc-kucoin": AccountReport(
            "acc-kucoin",
            "kucoin",
            "desk",
            status(64, 150),
            balances(asset("SOL", "12", "3", "150"), asset("USDC", "0.4", "0", "1")),
            replace(perms, ip_restricted=False),
            (NO_IP,),
        ),
        "acc-kraken": AccountReport(
            "acc-kraken",
            "kraken",
            "legacy",
            status(51, 8, REJECTED),
            None,
            None,
            (),
            REJECTED,
        ),
        "acc-gate": AccountReport(
            "acc-gate",
            "gate",
            "main",
            status(77, 31_500, SKEW),
            None,
            None,
            (),
            SKEW,
        ),
    }


class ScriptedConnector:
    """Plays back prepared reports, one per account, in account order.

    `hold` lists account ids whose report waits until `release()` is called, so a test can
    look at the screen while a slow exchange is still loading.
    """

    def __init__(
        self,
        script: dict[str, AccountReport] | None = None,
        *,
        hold: Sequence[str] = (),
    ) -> None:
        self.script = script if script is not None else reports()
        self.hold = set(hold)
        self._released = asyncio.Event()
        self.rounds = 0
        self.forced: list[object] = []

    def release(self) -> None:
        self._released.set()

    async def refresh(
        self, accounts: Sequence[Any], *, force: object = False
    ) -> AsyncIterator[AccountReport]:
        self.rounds += 1
        self.forced.append(force)
        held = []
        for account in accounts:
            report = self.script.get(account.id)
            if report is None:
                continue
            if account.id in self.hold:
                held.append(report)
                continue
            await asyncio.sleep(0)
            yield report
        if held:
            await self._released.wait()
            for report in held:
                yield report
