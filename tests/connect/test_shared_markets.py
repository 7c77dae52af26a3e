"""Clients share one markets table per exchange and one TLS context
(tui/connect/shared_markets.py, tui/connect/shared_tls.py)."""

from __future__ import annotations

from tests.connect.conftest import account_for
from tui.connect import Connector
from tui.sim import Simulator


async def test_accounts_of_one_exchange_share_one_markets_table(
    sim: Simulator, connector: Connector
) -> None:
    accounts = [account_for(sim, "binance"), account_for(sim, "binance", "sub")]
    accounts.append(account_for(sim, "okx"))
    reports = await connector.refresh_all(accounts)  # concurrently: one loads, one waits
    assert all(report.problem is None and report.balances is not None for report in reports)
    main, sub, okx = [await connector._client(account) for account in accounts]
    assert main is not sub and main.markets
    assert sub.markets is main.markets and sub.markets_by_id is main.markets_by_id
    assert okx.markets is not main.markets and "BTC/USDT" in okx.markets


async def test_a_new_client_after_the_first_is_closed_shares_or_loads(
    sim: Simulator, connector: Connector
) -> None:
    first, second = account_for(sim, "kucoin"), account_for(sim, "kucoin", "sub")
    [report] = await connector.refresh_all([first])
    assert report.problem is None
    await connector.close_account(first.id)
    [report] = await connector.refresh_all([second])
    assert report.problem is None and report.balances is not None
    assert (await connector._client(second)).markets


async def test_clients_share_one_tls_context(sim: Simulator, connector: Connector) -> None:
    accounts = [account_for(sim, "binance"), account_for(sim, "kraken")]
    reports = await connector.refresh_all(accounts)
    assert all(report.problem is None for report in reports)
    binance, kraken = [await connector._client(account) for account in accounts]
    assert binance.ssl_context is not None and binance.ssl_context is kraken.ssl_context
    # Keydeck's own REST sessions (tui/connect/transport.py) use that same context too
    # (aiohttp keeps a connector's context in `_ssl`).
    assert binance.session.connector._ssl is binance.ssl_context
    assert kraken.session.connector._ssl is binance.ssl_context
    assert binance.ssl_context.verify_mode.name == "CERT_REQUIRED"
