"""The connector against the loopback simulator, for every exchange it serves."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.connect.conftest import EXCHANGES, account_for
from tui.connect import Connector
from tui.connect.models import AccountReport
from tui.sim import Simulator
from tui.sim.market import UNPRICED_ASSET

# Exchanges whose permission endpoint tells main keys from sub-account keys.
REPORTS_SUB_ACCOUNT = {"okx", "bybit", "kucoin", "coinbase", "bitget"}
# Exchanges whose permission endpoint gives the key's creation time.
REPORTS_CREATED = {"binance", "bybit", "kucoin", "kraken", "gate"}
# Exchanges whose permission endpoint says nothing about IP allowlists.
NO_IP_INFO = {"coinbase"}


async def _refresh(connector: Connector, accounts: list) -> dict[str, AccountReport]:
    return {r.label: r async for r in connector.refresh(accounts)}


def _expected_usd(sim: Simulator, asset: str, total: Decimal) -> Decimal | None:
    if asset in ("USDT", "USDC", "USD"):
        return total.quantize(Decimal("0.01"))
    market = sim.state.markets.get(asset, "USDT")
    return None if market is None else (total * market.price).quantize(Decimal("0.01"))


@pytest.mark.parametrize("exchange", EXCHANGES)
async def test_default_keys(sim: Simulator, connector: Connector, exchange: str) -> None:
    accounts = [account_for(sim, exchange, label) for label in ("main", "risky", "sub")]
    reports = await _refresh(connector, accounts)
    assert set(reports) == {"main", "risky", "sub"}
    for label, report in reports.items():
        assert report.problem is None, (label, report.problem)
        assert report.status.state == "ok" and report.status.reachable
        assert report.status.latency_ms is not None
        assert report.status.clock_offset_ms is not None
        assert abs(report.status.clock_offset_ms) < 2000

    # Balances: every held asset, USD from the exchange's own prices, NOPX unknown.
    main = reports["main"]
    assert main.balances is not None
    simulated = sim.account(exchange, "main").traits.balances
    rows = {row.asset: row for row in main.balances.assets}
    assert set(rows) == set(simulated)
    for asset, row in rows.items():
        assert row.free == simulated[asset].free and row.used == simulated[asset].used
        assert row.total == simulated[asset].total
        assert row.usd == _expected_usd(sim, asset, row.total), asset
    assert rows[UNPRICED_ASSET].usd is None
    assert main.balances.unpriced_assets == (UNPRICED_ASSET,)
    assert main.balances.total_usd == sum(r.usd for r in rows.values() if r.usd is not None)

    # Permissions per trait, and the findings they lead to.
    main_p, risky_p, sub_p = (reports[x].permissions for x in ("main", "risky", "sub"))
    assert main_p and risky_p and sub_p
    assert main_p.reported and main_p.read and main_p.spot_trade and main_p.withdraw is False
    assert risky_p.withdraw is True
    assert sub_p.spot_trade is False and sub_p.withdraw is False
    if exchange in NO_IP_INFO:
        assert main_p.ip_restricted is None and risky_p.ip_restricted is None
    else:
        assert main_p.ip_restricted is True and risky_p.ip_restricted is False
    if exchange in REPORTS_SUB_ACCOUNT:
        assert sub_p.sub_account is True and main_p.sub_account is False
    if exchange in REPORTS_CREATED:
        assert main_p.created_at is not None and main_p.created_at.year == 2025

    codes = {label: [f.code for f in r.findings] for label, r in reports.items()}
    assert codes["risky"][0] == "withdraw_enabled"
    assert reports["risky"].findings[0].severity == "critical"
    assert ("no_ip_allowlist" in codes["risky"]) is (exchange not in NO_IP_INFO)
    assert "withdraw_enabled" not in codes["main"] and "no_ip_allowlist" not in codes["main"]
    assert "read_only" in codes["sub"]
    if exchange in REPORTS_CREATED:
        assert "key_old" in codes["risky"]


async def test_not_reported_exchange_gets_checklist(connector: Connector) -> None:
    from tui.vault.account import Account

    account = Account(exchange="htx", label="x", credentials={"apiKey": "a", "secret": "b"})
    permissions = await connector.permissions(account)
    assert permissions.reported is False
    findings = connector.findings(account, permissions)
    assert [f.code for f in findings] == ["permissions_not_reported"]
    assert findings[0].link and "withdrawals are OFF" in findings[0].advice
