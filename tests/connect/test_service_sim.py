"""The connector against the loopback simulator, for every exchange it serves."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from tests.connect.conftest import EXCHANGES, NO_SERVER_TIME, account_for
from tui.connect import Connector
from tui.connect.clients import UNTHROTTLED_LOOPBACK_ENV
from tui.connect.models import AccountReport
from tui.sim import Balance, SimAccount, Simulator, Traits
from tui.sim.market import UNPRICED_ASSET

# Exchanges whose permission endpoint tells main keys from sub-account keys.
REPORTS_SUB_ACCOUNT = {"okx", "bybit", "kucoin", "coinbase", "bitget"}
# Exchanges whose permission endpoint gives the key's creation time.
REPORTS_CREATED = {"binance", "bybit", "kucoin", "kraken", "gate"}
# Exchanges whose permission endpoint says nothing about IP allowlists.
NO_IP_INFO = {"coinbase", "gemini", "bitfinex"}


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
        if exchange in NO_SERVER_TIME:
            assert report.status.clock_offset_ms is None
            continue
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

    account = Account(exchange="bitstamp", label="x", credentials={"apiKey": "a", "secret": "b"})
    permissions = await connector.permissions(account)
    assert permissions.reported is False
    findings = connector.findings(account, permissions)
    assert [f.code for f in findings] == ["permissions_not_reported"]
    assert findings[0].link and "withdrawals are OFF" in findings[0].advice


# What each exchange's permission endpoint can tell apart.
# (Binance's tradingAuthorityExpirationTime is the trading right's expiry, not the key's.)
REPORTS_EXPIRY = {"bybit", "kraken", "mexc", "htx"}
TRANSFER_SEEN_AS = {
    "binance": "transfer_enabled",
    "bybit": "transfer_enabled",
    "kucoin": "transfer_enabled",
    "bitget": "transfer_enabled",
    "coinbase": "withdraw_enabled",  # can_transfer: sending funds off the exchange
    "gate": "transfer_enabled",  # wallet read-write: fund transfers (withdrawal is its own group)
    "mexc": "transfer_enabled",
    "bingx": "transfer_enabled",
    "gemini": "withdraw_enabled",  # Fund Manager: withdrawals and transfers in one role
    "bitfinex": "transfer_enabled",  # wallets write
    "deribit": "withdraw_enabled",  # one wallet scope for transfers and withdrawals
}
REPORTS_FUTURES = {
    "binance",
    "bybit",
    "kucoin",
    "gate",
    "bitget",
    "okx",
    "mexc",
    "bingx",
    "deribit",
}


def _key(sim: Simulator, exchange: str, label: str, permissions: set[str], **traits: object):
    sim.add_account(
        SimAccount(
            exchange=exchange,
            label=label,
            credentials=sim.exchanges[exchange].default_credentials(label),
            traits=Traits(
                permissions=frozenset(permissions),
                ip_allowlist=(sim.state.client_ip,),
                created_at=datetime.now(UTC) - timedelta(days=3),
                balances={"USDT": Balance("5", "0")},
                **traits,
            ),
        )
    )
    return account_for(sim, exchange, label)


@pytest.mark.parametrize("exchange", EXCHANGES)
async def test_traits_to_findings(sim: Simulator, connector: Connector, exchange: str) -> None:
    soon = datetime.now(UTC) + timedelta(days=5, hours=1)
    accounts = [
        _key(sim, exchange, "expiring", {"read", "spot"}, expires_at=soon),
        _key(sim, exchange, "transfer", {"read", "spot", "transfer"}),
        _key(sim, exchange, "futures", {"read", "futures"}),
    ]
    reports = await _refresh(connector, accounts)
    codes = {label: [f.code for f in r.findings] for label, r in reports.items()}
    if exchange in REPORTS_EXPIRY:
        assert codes["expiring"] == ["expires_soon"]
        assert reports["expiring"].findings[0].title == "The key expires in 5 days"
    else:
        assert codes["expiring"] == []
    assert codes["transfer"] == [c for c in [TRANSFER_SEEN_AS.get(exchange)] if c]
    futures = reports["futures"].permissions
    if exchange in REPORTS_FUTURES:
        assert futures.futures is True
    else:
        assert futures.futures is None


async def test_a_round_without_a_clock_read_shows_the_balance_trip_not_the_pacing(
    sim: Simulator, connector: Connector, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Between clock reads (tui/connect/cadence.py) a row's latency is the balance call's:
    ccxt paces Kraken's private calls (its `BalanceEx` every ~2 s after the burst), and that
    wait once read "3.2 s" against an exchange answering in 200 ms."""
    monkeypatch.delenv(UNTHROTTLED_LOOPBACK_ENV)  # the limiter on, as for a user
    sim.set_faults("kraken", latency_ms=200)
    account = account_for(sim, "kraken")
    started = time.perf_counter()
    latencies = []
    for _ in range(5):
        [report] = [r async for r in connector.refresh([account])]
        assert report.problem is None, report.problem
        latencies.append(report.status.latency_ms)
    assert time.perf_counter() - started >= 3  # the limiter made the rounds wait
    assert all(latency is not None and 150 < latency < 900 for latency in latencies), latencies


async def test_a_failed_balance_call_shows_no_latency_of_an_earlier_round(
    sim: Simulator, connector: Connector
) -> None:
    """Between clock reads the latency is the balance call's: when that call fails, the row
    must not go on showing the last round's figure beside the failure (found in review)."""
    account = account_for(sim, "binance")
    [first] = [r async for r in connector.refresh([account])]
    assert first.problem is None and first.status.latency_ms is not None
    sim.set_faults("binance", maintenance=True)
    [failed] = [r async for r in connector.refresh([account])]
    assert failed.problem is not None
    assert failed.status.latency_ms is None, failed.status


async def test_latency_is_the_round_trip_not_the_rate_limiters_wait(
    sim: Simulator, connector: Connector, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ccxt paces Kraken's public calls to one a second once its burst is spent; that wait
    must not be shown to the trader as exchange latency (it once read "3.0 s")."""
    monkeypatch.delenv(UNTHROTTLED_LOOPBACK_ENV)  # the limiter on, as for a user
    account = account_for(sim, "kraken")
    started = time.perf_counter()
    latencies = [(await connector.status(account)).latency_ms for _ in range(10)]
    assert time.perf_counter() - started >= 0.9  # the limiter made us wait at least once
    assert all(latency is not None and latency < 900 for latency in latencies[1:]), latencies
