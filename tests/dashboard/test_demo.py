"""`keydeck --demo`'s seeding, and the dashboard live against the simulator and the connector."""

from __future__ import annotations

import time
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from textual.widgets import DataTable, Input

from tests.dashboard.conftest import SIZE, DashboardHost, settle
from tui.connect.problems import ProblemKind
from tui.connect.service import Connector
from tui.ui.dashboard import DashboardScreen, DashboardSettings
from tui.ui.demo import DEMO_PASSWORD, DemoSession, start_demo
from tui.vault import KdfParams, Vault


@pytest.fixture
def demo(tmp_path) -> Iterator[DemoSession]:
    session = start_demo(tmp_path / "demo", drift=0.0, kdf=KdfParams.insecure_fast())
    try:
        yield session
    finally:
        session.close()


def open_accounts(demo: DemoSession) -> list[Any]:
    with Vault.open(demo.locations.keyfile, DEMO_PASSWORD, kdf=KdfParams.insecure_fast()) as v:
        return list(v.accounts)


async def test_demo_keyfile_shows_every_state_together(demo: DemoSession) -> None:
    accounts = open_accounts(demo)
    assert len({a.exchange for a in accounts}) >= 5
    assert all(a.endpoint and a.endpoint.startswith("http://127.0.0.1:") for a in accounts)
    async with Connector(cache_dir=demo.locations.cache_dir) as connector:
        by_key = {(r.exchange, r.label): r async for r in connector.refresh(accounts)}
    refused = by_key.pop(("okx", "vps")).problem
    assert refused is not None and refused.kind is ProblemKind.ip_not_allowed
    assert refused.seen_ip is not None and f"OKX saw this request from {refused.seen_ip}." in (
        refused.fix
    )
    reports = {exchange: r for (exchange, _), r in by_key.items()}
    codes = {ex: {f.code for f in r.findings} for ex, r in reports.items()}
    assert reports["binance"].problem is None and reports["binance"].balances is not None
    assert "withdraw_enabled" in codes["okx"]
    assert "no_ip_allowlist" in codes["kucoin"]
    assert "expires_soon" in codes["bybit"]
    assert reports["kraken"].problem is not None
    assert reports["kraken"].problem.kind is ProblemKind.bad_credentials
    gate = reports["gate"]
    problem = gate.problem or gate.status.problem
    assert problem is not None and problem.kind is ProblemKind.clock_skew
    assert reports["mexc"].findings[0].code == "withdraw_enabled"
    assert "no_ip_allowlist" in codes["mexc"]
    [lapse] = [f for f in reports["mexc"].findings if f.code == "unbound_key_expires"]
    assert lapse.title.startswith("Without an IP allowlist, MEXC disables this key on ")
    assert "expires_soon" in codes["htx"]
    assert codes["bingx"] == {"read_only"}
    with_balances = {ex for ex, r in reports.items() if r.balances is not None}
    assert len(with_balances) >= 5


async def test_the_hand_credentials_work_and_are_not_in_the_keyfile(demo: DemoSession) -> None:
    from tui.vault import Account

    assert demo.hand is not None
    assert DEMO_PASSWORD in demo.notice() and demo.hand.endpoint in demo.notice()
    assert demo.hand.exchange not in {a.exchange for a in open_accounts(demo)}
    account = Account(
        exchange=demo.hand.exchange,
        label="by-hand",
        credentials=demo.hand.credentials,
        endpoint=demo.hand.endpoint,
    )
    async with Connector(cache_dir=demo.locations.cache_dir) as connector:
        result = await connector.verify(account)
    assert result.ok, result.problem


def test_a_kept_demo_directory_is_reused_and_a_foreign_keyfile_refused(tmp_path) -> None:
    from tui.ui.demo import DemoError

    where = tmp_path / "kept"
    first = start_demo(where, drift=0.0, kdf=KdfParams.insecure_fast())
    first.close()
    second = start_demo(where, drift=0.0, kdf=KdfParams.insecure_fast())
    try:
        endpoints = {a.endpoint for a in open_accounts(second)}
        assert all(e.startswith(second.simulator.url) for e in endpoints)
    finally:
        second.close()
    foreign = tmp_path / "foreign"
    foreign.mkdir(mode=0o700)
    Vault.create(foreign / "keys.kdk", "someone else", kdf=KdfParams.insecure_fast()).close()
    with pytest.raises(DemoError):
        start_demo(foreign, drift=0.0, kdf=KdfParams.insecure_fast())


async def test_live_balances_follow_the_simulators_drift(tmp_path) -> None:
    session = start_demo(
        tmp_path / "live", drift=0.05, drift_interval=0.2, kdf=KdfParams.insecure_fast()
    )
    try:
        accounts = [a for a in open_accounts(session) if a.exchange in {"binance", "okx"}]
        async with Connector(cache_dir=session.locations.cache_dir) as connector:
            screen = DashboardScreen(connector, accounts, DashboardSettings(refresh_interval_s=0))
            app = DashboardHost(screen)
            async with app.run_test(size=SIZE) as pilot:
                await settle(pilot)
                table = screen.query_one("#balance-table", DataTable)
                first_total = screen.model.total_usd()
                first_cell = str(table.get_row("all:BTC")[1])
                await pilot.pause(0.5)
                await pilot.press("r")
                await settle(pilot)
                assert len(screen.model.history) == 2
                assert screen.model.total_usd() != first_total
                assert str(table.get_row("all:BTC")[1]) != first_cell
                assert screen.focused is screen.query_one("#status-table", DataTable)
    finally:
        session.close()


async def test_typing_stays_responsive_while_twenty_accounts_refresh(tmp_path) -> None:
    """Loose: 20 accounts on a slow simulator refresh while the user types a filter."""
    from tui.sim.model import Balance, SimAccount, Traits
    from tui.vault import Account

    session = start_demo(tmp_path / "many", drift=0.0, kdf=KdfParams.insecure_fast())
    try:
        sim = session.simulator.simulator
        accounts = []
        for index in range(20):
            exchange = ("binance", "okx", "bybit", "kucoin")[index % 4]
            label = f"load{index}"
            credentials = type(sim.exchanges[exchange]).default_credentials(label)
            sim.add_account(
                SimAccount(
                    exchange,
                    label,
                    credentials,
                    Traits(balances={"BTC": Balance(Decimal("0.1")), "USDT": Balance(100)}),
                )
            )
            sim.set_faults(exchange, label, latency_ms=300)
            accounts.append(
                Account(
                    exchange=exchange,
                    label=label,
                    credentials=credentials,
                    endpoint=session.simulator.endpoint(exchange),
                )
            )
        async with Connector(cache_dir=session.locations.cache_dir) as connector:
            screen = DashboardScreen(connector, accounts, DashboardSettings(refresh_interval_s=0))
            app = DashboardHost(screen)
            async with app.run_test(size=SIZE) as pilot:
                await pilot.pause()
                assert screen.refreshing
                await pilot.press("slash")
                started = time.monotonic()
                await pilot.press(*"usdt")
                typed_in = time.monotonic() - started
                field = screen.query_one("#balance-filter", Input)
                assert field.value == "usdt"
                assert typed_in < 10  # very loose: keys are handled while requests run
                await settle(pilot)
                assert all(view.report is not None for view in screen.model.views.values())
                assert screen.focused is field
    finally:
        session.close()
