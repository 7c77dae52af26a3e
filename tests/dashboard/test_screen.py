"""The dashboard screen's behaviour with Pilot: streaming, failures, keys, acknowledgements."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from dataclasses import replace
from typing import Any

from textual.widgets import DataTable, Input

from tests.dashboard.conftest import SIZE, make_host, settle
from tests.dashboard.sample import ACCOUNTS, REJECTED, ScriptedConnector, reports, status
from tui.connect.models import AccountReport
from tui.ui.dashboard import CriticalAcknowledged, DashboardSettings, MemoryAcknowledgements
from tui.ui.dashboard.balance_pane import BalancePane
from tui.ui.dashboard.model import SortKey
from tui.ui.dashboard.warnings_panel import CriticalBanner


def row_keys(table: DataTable[Any]) -> list[str]:
    return [str(row.key.value) for row in table.ordered_rows]


async def test_results_stream_in_while_a_slow_exchange_loads() -> None:
    connector = ScriptedConnector(hold=["acc-kraken", "acc-gate"])
    app = make_host(connector)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.pause()
        screen = app.dashboard
        views = screen.model.views
        assert views["acc-binance"].balances is not None
        assert views["acc-kraken"].loading and views["acc-gate"].loading
        assert screen.refreshing
        balances = screen.query_one(BalancePane).table
        assert "all:BTC" in row_keys(balances)
        connector.release()
        await settle(pilot)
        assert not views["acc-kraken"].loading
        assert not screen.refreshing
        assert len(screen.model.history) == 1


async def test_a_failing_account_never_blanks_the_others() -> None:
    script = reports()
    connector = ScriptedConnector(script)
    app = make_host(connector)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.dashboard
        before = screen.model.total_usd()
        good = script["acc-binance"]
        script["acc-binance"] = replace(
            good, balances=None, permissions=None, findings=(), problem=REJECTED
        )
        await pilot.press("r")
        await settle(pilot)
        view = screen.model.views["acc-binance"]
        assert view.stale and view.failed
        assert screen.model.total_usd() == before
        assert "stale" in str(screen.query_one("#balance-pane").border_subtitle)
        await pilot.press("v")
        table = screen.query_one(BalancePane).table
        assert "acct:acc-binance:BTC" in row_keys(table)
        header = table.get_row("acct:acc-binance")
        assert "stale" in str(header[3])  # under Total: Asset, USD value, Share, Total


async def test_refreshes_by_itself_at_the_configured_interval() -> None:
    connector = ScriptedConnector()
    app = make_host(connector, settings=DashboardSettings(refresh_interval_s=0.2))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for _ in range(40):  # up to ~4 s on a loaded machine; 0.2 s each when idle
            if connector.rounds >= 3:
                break
            await pilot.pause(0.1)
        assert connector.rounds >= 3
        await settle(pilot)
        assert len(app.dashboard.model.history) >= 3


async def test_refresh_key_during_a_round_forces_it_once_and_more_presses_join() -> None:
    connector = ScriptedConnector(hold=["acc-gate"])
    app = make_host(connector)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        assert connector.rounds == 1  # the automatic first round, still waiting on Gate
        await pilot.press(*["r"] * 10)  # the round starts again, forced; then presses join
        await pilot.pause()
        assert connector.rounds == 2
        assert connector.forced == [False, True]
        await pilot.pause()
        assert not app.screen.query("Toast")
        connector.release()
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        assert connector.rounds == 3


async def test_updates_keep_the_cursor_and_the_focus() -> None:
    script = reports()
    connector = ScriptedConnector(script)
    app = make_host(connector)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.dashboard
        # the status table has the focus after unlock: d, R and Enter act on its row
        assert screen.focused is screen.query_one("#status-table", DataTable)
        table = screen.query_one(BalancePane).table
        table.focus()
        await pilot.press("down", "down")
        key_before = row_keys(table)[table.cursor_row]
        await pilot.press("r")
        await settle(pilot)
        assert screen.focused is table
        assert row_keys(table)[table.cursor_row] == key_before


async def test_sort_view_small_balances_and_filter_keys() -> None:
    app = make_host()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.dashboard
        table = screen.query_one(BalancePane).table
        assert "all:DOGE" not in row_keys(table)
        await pilot.press("h")
        assert "all:DOGE" in row_keys(table)
        await pilot.press("s")
        assert screen.balance_filter.sort is SortKey.asset
        assert row_keys(table)[:2] == ["all:BTC", "all:DOGE"]
        await pilot.press("slash")
        assert isinstance(screen.focused, Input)
        await pilot.press(*"eth")
        assert row_keys(table) == ["all:ETH", "total"]
        await pilot.press("enter")
        assert screen.focused is table
        await pilot.press("v")
        table = screen.query_one(BalancePane).table  # the per-account view's own table
        assert row_keys(table)[0] == "acct:acc-binance"
        assert screen.focused is table  # the focus follows the view shown
        assert row_keys(table)[-1] == "total"  # the filter holds there too
        assert not any(key.endswith(":BTC") for key in row_keys(table))


async def test_acknowledging_the_critical_banner_is_remembered() -> None:
    store = MemoryAcknowledgements()
    messages: list[CriticalAcknowledged] = []
    app = make_host(acknowledgements=store)
    async with app.run_test(size=SIZE, message_hook=_collect(messages)) as pilot:
        await settle(pilot)
        banner = app.dashboard.query_one(CriticalBanner)
        assert banner.display
        await pilot.press("k")
        await settle(pilot)
        assert not banner.display
        assert {(m.account_id, m.code) for m in messages} == {("acc-okx", "withdraw_enabled")}
    assert store.is_acknowledged("acc-okx", "withdraw_enabled")
    # A new session with the same store: no banner.
    again = make_host(acknowledgements=store)
    async with again.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert not again.dashboard.query_one(CriticalBanner).display


class BrokenConnector:
    async def refresh(
        self, accounts: Sequence[Any], *, force: bool = False
    ) -> AsyncIterator[AccountReport]:
        yield reports()["acc-binance"]
        await asyncio.sleep(0)
        raise RuntimeError("connector bug")


async def test_a_broken_connector_keeps_what_is_shown_and_the_app_running() -> None:
    app = make_host(BrokenConnector())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.dashboard
        assert screen.model.views["acc-binance"].balances is not None
        assert not screen.refreshing
        assert app.is_running


def _collect(messages: list[CriticalAcknowledged]) -> Any:
    def hook(message: Any) -> None:
        if isinstance(message, CriticalAcknowledged):
            messages.append(message)

    return hook


async def test_no_account_shows_the_first_run_panel_until_one_is_added() -> None:
    from textual.widgets import Static

    app = make_host(accounts=[])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.dashboard
        panel = screen.query_one("#first-run", Static)
        assert panel.display
        assert "Press c to connect your first exchange" in str(panel.render())
        assert not screen.query_one("#dashboard-top").display
        assert not screen.query_one("#warnings-panel").is_on_screen  # no "all clear"
        assert "r" not in screen.active_bindings  # nothing to refresh, sort or filter
        screen.set_accounts(ACCOUNTS)
        await settle(pilot)
        assert not panel.display
        assert screen.query_one("#dashboard-top").display
        assert "r" in screen.active_bindings


async def test_the_total_row_describes_what_the_filter_shows() -> None:
    app = make_host()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.dashboard
        table = screen.query_one(BalancePane).table
        whole = [str(cell) for cell in table.get_row("total")]
        assert whole[0] == "All accounts" and whole[2] == "100%"  # Asset, USD value, Share
        await pilot.press("slash", *"eth")
        eth = [str(cell) for cell in table.get_row("all:ETH")]
        total = [str(cell) for cell in table.get_row("total")]
        held = sum(1 for row in screen.model.combined_assets() if row.total != 0)
        assert total[0] == f"Filtered: 1 of {held} assets"
        assert total[1] == eth[1]  # the value of what is shown
        assert total[2] == eth[2] != "100%"
        await pilot.press("v")
        total = [str(cell) for cell in table.get_row("total")]
        assert total[0].startswith("Filtered: ") and total[2] != "100%"


async def test_clock_column_shows_the_precision_the_exchange_gives() -> None:
    script = reports()
    kraken = script["acc-kraken"]
    script["acc-kraken"] = replace(kraken, problem=None, status=status(51, 8))
    app = make_host(ScriptedConnector(script))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.dashboard.query_one("#status-table", DataTable)
        kraken_clock = str(table.get_cell("acc-kraken", "clock")).strip()  # whole seconds
        binance = str(table.get_cell("acc-binance", "clock")).strip()  # milliseconds
        assert kraken_clock == "0 s ±1 s"
        assert binance.endswith(" ms") and "±" not in binance


async def test_a_refused_key_shows_no_clock_but_a_skewed_one_does() -> None:
    """The rejected Kraken key measured a clock (the exchange's public time answered) but
    its row shows none: the verdict is about the key. The skewed Gate row shows its offset."""
    app = make_host()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.dashboard.query_one("#status-table", DataTable)
        assert reports()["acc-kraken"].status.clock_offset_ms is not None
        assert str(table.get_cell("acc-kraken", "clock")).strip() == "–"
        assert str(table.get_cell("acc-kraken", "latency")).strip() == "51 ms"
        assert str(table.get_cell("acc-gate", "clock")).strip() == "+31.5 s"


async def test_unknown_withdrawals_show_the_checklist_never_all_clear() -> None:
    """An answer that does not say whether the key withdraws: a warning with the manual
    checklist in the permissions panel (the real findings rules), never "all clear"."""
    from tui.connect.findings import evaluate
    from tui.connect.models import Permissions
    from tui.ui.dashboard.warnings_panel import WarningsPanel

    unknown = Permissions(reported=True, read=True, spot_trade=True, ip_restricted=True)
    script = {
        account_id: replace(report, permissions=unknown, findings=tuple(evaluate("gate", unknown)))
        for account_id, report in reports().items()
        if report.problem is None
    }
    app = make_host(ScriptedConnector(script))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.dashboard
        items = screen.model.warnings(screen.acknowledgements.is_acknowledged)["warning"]
        assert {item.finding.code for item in items} == {"withdraw_unknown"}
        assert "withdrawals are OFF" in items[0].finding.advice
        subtitle = str(screen.query_one(WarningsPanel).border_subtitle)
        assert "all clear" not in subtitle and "warning" in subtitle
        shown = app.export_screenshot().replace("&#160;", " ")
        assert "Could not confirm" in shown and "cannot confirm that" in shown


async def test_row_actions_follow_the_table_the_user_moves_in() -> None:
    """Issue 23: the arrows moved the balances while R acted on the status table's row."""
    connector = ScriptedConnector()
    app = make_host(connector)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.dashboard
        status = screen.query_one("#status-table", DataTable)
        assert screen.focused is status
        await pilot.press("down")
        assert screen.selected_account_id() == row_keys(status)[1]
        # the per-account balances, focused: an account's rows pick that account
        await pilot.press("v")
        balances = screen.query_one(BalancePane).table
        balances.focus()
        await pilot.pause()
        keys = row_keys(balances)
        target = next(i for i, k in enumerate(keys) if k.startswith("acct:acc-okx"))
        balances.move_cursor(row=target + 1)
        await pilot.pause()
        assert screen.selected_account_id() == "acc-okx"
        # the combined view's rows are assets: the status row is the one acted on
        await pilot.press("v")
        await pilot.pause()
        assert screen.selected_account_id() == row_keys(status)[1]


async def test_the_status_counts_add_up_during_a_round() -> None:
    """Issue 23: "7 ok · 6 checking" counted the accounts being checked again twice."""
    connector = ScriptedConnector()
    app = make_host(connector)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.dashboard
        pane = screen.query_one("#status-pane")
        before = str(pane.border_subtitle)
        assert "checking" not in before
        connector.hold = {account.id for account in screen.accounts}
        connector._released.clear()
        await pilot.press("r")
        await pilot.pause()
        during = str(pane.border_subtitle)
        assert during.startswith(before) and "rechecking…" in during
        assert " checking" not in during  # none is new: each keeps its last state
        connector.release()
        await settle(pilot)


async def test_a_small_terminal_is_told_once_how_to_see_more() -> None:
    """Issue 23: at 60x20 the panes lose rows; the dashboard says so (once)."""
    app = make_host()
    async with app.run_test(size=(60, 20)) as pilot:
        await settle(pilot)

        def said() -> list[str]:
            return [n.message for n in app._notifications if n.title == "Small terminal"]

        await pilot.pause()
        assert len(said()) == 1 and "60x20" in said()[0] and "larger" in said()[0]
        await pilot.resize_terminal(62, 20)
        await pilot.pause()
        assert len(said()) == 1  # still small: not said again
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert len(said()) == 1


async def test_the_hand_connect_notice_goes_once_its_exchange_is_connected() -> None:
    """Issue 23: the demo's Bitget line stayed after Bitget was connected."""
    from tests.dashboard.sample import SampleAccount

    notice = "Demo · keyfile password: x\nConnect bitget by hand (c): key k · secret s"
    app = make_host(notice=notice)
    async with app.run_test(size=(170, 40)) as pilot:
        await settle(pilot)
        screen = app.dashboard
        shown = screen.query_one("#dashboard-notice")
        assert "bitget by hand" in str(shown.render())
        screen.set_accounts([*ACCOUNTS, SampleAccount("acc-bitget", "bitget", "main")])
        await settle(pilot)
        assert "bitget by hand" not in str(shown.render())
        assert "password" in str(shown.render())
