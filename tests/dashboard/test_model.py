"""The dashboard's numbers: totals, shares, stale balances, allocation, warnings."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from tests.dashboard.sample import ACCOUNTS, NOW, REJECTED, reports
from tui.base import format as fmt
from tui.ui.dashboard.config import MemoryAcknowledgements
from tui.ui.dashboard.model import AllocationBy, BalanceFilter, DashboardModel, SortKey

D = Decimal


def full_model() -> DashboardModel:
    model = DashboardModel.for_accounts(ACCOUNTS)
    model.begin_round(NOW)
    for report in reports().values():
        model.apply(report)
    model.end_round(NOW)
    return model


def test_totals_sum_priced_assets_and_name_the_unpriced() -> None:
    model = full_model()
    assert model.total_usd() == D("84271.20")
    assert model.unpriced_assets() == ["NOPX"]
    rows, hidden = model.combined_rows(BalanceFilter(hide_small=False))
    by_asset = {row.asset: row for row in rows}
    assert by_asset["BTC"].total == D("0.62")
    assert by_asset["NOPX"].usd is None and by_asset["NOPX"].share is None
    assert sum(r.share for r in rows if r.share is not None) == D(1)
    assert hidden == 0


def test_small_balances_are_hidden_but_unpriced_ones_never() -> None:
    model = full_model()
    rows, hidden = model.combined_rows(BalanceFilter(hide_small=True, threshold_usd=D(1)))
    assets = [row.asset for row in rows]
    assert "DOGE" not in assets and "USDC" not in assets
    assert "NOPX" in assets
    assert hidden == 2


def test_sorting_by_value_puts_unknown_prices_last() -> None:
    model = full_model()
    rows, _ = model.combined_rows(BalanceFilter(hide_small=False, sort=SortKey.value))
    assert rows[0].asset == "BTC"
    assert rows[-1].asset == "NOPX"
    rows, _ = model.combined_rows(BalanceFilter(hide_small=False, sort=SortKey.asset))
    assert [r.asset for r in rows] == sorted(r.asset for r in rows)


def test_a_failed_refresh_keeps_the_last_balances_marked_stale() -> None:
    model = full_model()
    good = reports()["acc-binance"]
    failed = replace(good, balances=None, permissions=None, findings=(), problem=REJECTED)
    model.begin_round(NOW + timedelta(seconds=15))
    model.apply(failed)
    view = model.views["acc-binance"]
    assert view.stale and view.failed
    assert view.balances == good.balances
    assert model.total_usd() == D("84271.20")
    assert [v.account_id for v in model.stale_views()] == ["acc-binance"]


def test_history_gets_a_point_per_finished_round() -> None:
    model = full_model()
    model.begin_round(NOW + timedelta(seconds=15))
    model.end_round(NOW + timedelta(seconds=16))
    assert [value for _, value in model.history] == [D("84271.20")] * 2


def test_history_restarts_when_the_accounts_change_but_not_on_a_rename() -> None:
    model = full_model()
    model.set_accounts(ACCOUNTS)  # same accounts (a label edited): the line goes on
    assert len(model.history) == 1
    model.set_accounts(ACCOUNTS[:2])  # another portfolio: no false "change this session"
    assert model.history == []
    model.begin_round(NOW + timedelta(seconds=15))
    model.end_round(NOW + timedelta(seconds=16))
    assert len(model.history) == 1


def test_loading_accounts_add_nothing_and_make_no_history() -> None:
    model = DashboardModel.for_accounts(ACCOUNTS)
    model.begin_round(NOW)
    assert all(view.loading and view.refreshing for view in model.views.values())
    model.end_round(NOW)
    assert model.history == []
    assert model.total_usd() == 0


def test_allocation_by_exchange_and_by_asset() -> None:
    model = full_model()
    by_exchange = model.allocation(AllocationBy.exchange)
    assert by_exchange[0].name == "binance"
    assert sum(item.share for item in by_exchange) == D(1)
    by_asset = model.allocation(AllocationBy.asset)
    assert "NOPX" not in {item.name for item in by_asset}


def test_warnings_grouped_by_severity_with_acknowledgements() -> None:
    model = full_model()
    acks = MemoryAcknowledgements()
    groups = model.warnings(acks.is_acknowledged)
    assert [len(groups[s]) for s in ("critical", "warning", "info")] == [1, 2, 1]
    assert [item.view.account_id for item in model.open_criticals(acks.is_acknowledged)] == [
        "acc-okx"
    ]
    acks.acknowledge("acc-okx", "withdraw_enabled")
    assert model.open_criticals(acks.is_acknowledged) == []
    assert model.warnings(acks.is_acknowledged)["critical"][0].acknowledged


def test_accounts_removed_from_the_keyfile_disappear() -> None:
    model = full_model()
    model.set_accounts(ACCOUNTS[:2])
    assert list(model.views) == ["acc-binance", "acc-okx"]
    assert model.views["acc-binance"].balances is not None


def test_formatting() -> None:
    assert fmt.usd(None) == "unknown"
    assert fmt.usd(D("12345.678")) == "$12,345.68"
    assert fmt.usd(D("0.001")) == "<$0.01"
    assert fmt.amount(D("12500.50000000")) == "12,500.5"
    assert fmt.amount(D("0")) == "0"
    assert fmt.ago(NOW - timedelta(seconds=12), NOW) == "12 s ago"
    assert fmt.ago(NOW - timedelta(minutes=3), NOW) == "3 min ago"
    assert fmt.ago(NOW - timedelta(seconds=9), NOW, step_s=10) == "just now"
    assert fmt.ago(NOW - timedelta(seconds=27), NOW, step_s=10) == "20 s ago"
    assert fmt.ago(NOW - timedelta(minutes=3), NOW, step_s=10) == "3 min ago"
    assert fmt.retry_in(NOW + timedelta(seconds=15), NOW) == "retry in 15 s"  # network cap
    assert fmt.retry_in(NOW + timedelta(seconds=11.2), NOW) == "retry in 15 s"
    assert fmt.retry_in(NOW + timedelta(seconds=0.1), NOW) == "retry in 5 s"
    assert fmt.retry_in(NOW + timedelta(seconds=61), NOW) == "retry in 2 min"
    assert fmt.clock_offset(31_500) == "+31.5 s"
    assert fmt.clock_offset(-120) == "-120 ms"
    assert fmt.clock_offset(-0.4) == "0 ms"  # never "-0 ms"
    # a whole-second clock: to the second, with its second of uncertainty
    assert fmt.clock_offset(-974, whole_seconds=True) == "-1 s ±1 s"
    assert fmt.clock_offset(-439, whole_seconds=True) == "0 s ±1 s"
    assert fmt.clock_offset(2_600, whole_seconds=True) == "+3 s ±1 s"
    assert fmt.latency(None) == "–"
    # two significant digits, so a few ms of jitter does not change the cell every round
    assert [fmt.latency(ms) for ms in (7.4, 85.2, 99.4, 99.6, 204.9, 205.1, 994, 996)] == [
        "7 ms",
        "85 ms",
        "99 ms",
        "100 ms",
        "200 ms",
        "210 ms",
        "990 ms",
        "1.0 s",
    ]
    assert [fmt.latency(ms) for ms in (1_234, 9_949, 9_951, 15_400)] == [
        "1.2 s",
        "9.9 s",
        "10 s",
        "15 s",
    ]
    assert fmt.share(D(1), D(4)) == "25.0%"
    assert fmt.change(D(100), D("100.5")) == "+0.50%"


@given(
    age_us=st.integers(min_value=0, max_value=3 * 86_400_000_000),
    step_s=st.sampled_from([1, 10, 60]),
    before=st.floats(min_value=0, max_value=1, exclude_max=True),
)
def test_an_age_text_stays_until_it_is_said_to_change(
    age_us: int, step_s: int, before: float
) -> None:
    """The status pane's clock tick skips a row until `ago_changes_at`: the text must not
    change before then, and must change then (or the row would go stale, or cost a tick)."""
    now = NOW + timedelta(microseconds=age_us)
    changes_at = fmt.ago_changes_at(NOW, now, step_s=step_s)
    text = fmt.ago(NOW, now, step_s=step_s)
    assert changes_at > now
    between = now + timedelta(
        microseconds=int((changes_at - now) / timedelta(microseconds=1) * before)
    )
    assert fmt.ago(NOW, min(between, changes_at - timedelta(microseconds=1)), step_s=step_s) == text
    assert fmt.ago(NOW, changes_at, step_s=step_s) != text


def test_amount_places_shrink_as_amounts_grow() -> None:
    assert fmt.amount(D("0.123456789")) == "0.12345679"
    assert fmt.amount(D("12.3456789")) == "12.3457"
    assert fmt.amount(D("15800.50000001")) == "15,800.5"
