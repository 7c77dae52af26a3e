"""How the dashboard looks in each state (fixed size, fixed clock, fixed data)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from tests.dashboard.conftest import SIZE, make_host, settle
from tests.dashboard.sample import ACCOUNTS, REJECTED, ScriptedConnector, reports
from tui.ui.dashboard import MemoryAcknowledgements


async def _settled(pilot: Any) -> None:
    await settle(pilot)


async def _partial(pilot: Any) -> None:
    await pilot.pause()
    await pilot.pause()


def test_loading(snap_compare: Any) -> None:
    connector = ScriptedConnector(hold=[a.id for a in ACCOUNTS])
    assert snap_compare(make_host(connector), terminal_size=SIZE, run_before=_partial)


def test_partial_results(snap_compare: Any) -> None:
    connector = ScriptedConnector(hold=["acc-bybit", "acc-kraken", "acc-gate"])
    assert snap_compare(make_host(connector), terminal_size=SIZE, run_before=_partial)


def test_all_ok(snap_compare: Any) -> None:
    healthy = {
        key: replace(report, findings=())
        for key, report in reports().items()
        if report.problem is None
    }
    accounts = [a for a in ACCOUNTS if a.id in healthy]
    app = make_host(ScriptedConnector(healthy), accounts)
    assert snap_compare(app, terminal_size=SIZE, run_before=_settled)


def test_failures_with_stale_balances(snap_compare: Any) -> None:
    script = reports()
    connector = ScriptedConnector(script)

    async def second_round_fails(pilot: Any) -> None:
        await settle(pilot)
        script["acc-binance"] = replace(
            script["acc-binance"], balances=None, permissions=None, findings=(), problem=REJECTED
        )
        await pilot.press("r")
        await settle(pilot)

    app = make_host(connector)
    assert snap_compare(app, terminal_size=SIZE, run_before=second_round_fails)


def test_warnings(snap_compare: Any) -> None:
    assert snap_compare(make_host(), terminal_size=SIZE, run_before=_settled)


def test_banner_acknowledged(snap_compare: Any) -> None:
    app = make_host(acknowledgements=MemoryAcknowledgements())

    async def acknowledge(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press("k")
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=acknowledge)


def test_per_account_with_small_balances_hidden(snap_compare: Any) -> None:
    async def per_account(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press("v")

    assert snap_compare(make_host(), terminal_size=SIZE, run_before=per_account)


def test_small_balances_shown(snap_compare: Any) -> None:
    async def show_small(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press("h", "b")

    assert snap_compare(make_host(), terminal_size=SIZE, run_before=show_small)


def test_first_run_panel_small(snap_compare: Any) -> None:
    assert snap_compare(make_host(accounts=[]), terminal_size=(80, 24), run_before=_settled)


def test_first_run_panel_wide(snap_compare: Any) -> None:
    assert snap_compare(make_host(accounts=[]), terminal_size=(140, 40), run_before=_settled)


def test_warnings_at_80x24(snap_compare: Any) -> None:
    """The smallest usual terminal: every status column, the totals, the banner folded."""
    assert snap_compare(make_host(), terminal_size=(80, 24), run_before=_settled)


def test_warnings_wide(snap_compare: Any) -> None:
    """A wide desk monitor: more status rows, every failing account's fix, the picture."""
    assert snap_compare(make_host(), terminal_size=(200, 50), run_before=_settled)
