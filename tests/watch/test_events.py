"""`observe`: events only on a change, acknowledgements, expiry thresholds, balance moves,
and the states surviving a save and load."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from tui.connect import AccountReport, AccountStatus, AssetBalance, Balances, Finding, Permissions
from tui.connect.problems import ProblemKind, make_problem
from tui.watch.events import Event, WatchState, observe
from tui.watch.state import StateStore, state_path

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
WITHDRAW = Finding("critical", "withdraw_enabled", "Withdrawals are enabled", "Turn them off.")
NO_IP = Finding("warning", "no_ip_allowlist", "Any IP", "Restrict it.")
INFO = Finding("info", "read_only", "Read-only key", "Fine.")


def report(
    account_id: str = "a1",
    *,
    failing: bool = False,
    findings: tuple[Finding, ...] = (),
    expires_at: datetime | None = None,
    usd: str | None = "100",
) -> AccountReport:
    problem = make_problem(ProblemKind.bad_credentials, "binance") if failing else None
    status = AccountStatus(
        state="failing" if failing else "ok",
        reachable=True,
        latency_ms=10.0,
        clock_offset_ms=None,
        checked_at=NOW,
        problem=problem,
    )
    balances = None
    if usd is not None and not failing:
        row = AssetBalance("USDT", Decimal(usd), Decimal(0), Decimal(usd), Decimal(usd))
        balances = Balances((row,), Decimal(usd), (), NOW)
    return AccountReport(
        account_id=account_id,
        exchange="binance",
        label=f"label-{account_id}",
        status=status,
        balances=balances,
        permissions=None if failing else Permissions(reported=True, expires_at=expires_at),
        findings=() if failing else findings,
        problem=problem,
    )


class Watch:
    """Rounds of `observe` with a set of acknowledged (account, code) pairs."""

    def __init__(self, balance_move_pct: float | None = None) -> None:
        self.state = WatchState()
        self.acknowledged: set[tuple[str, str]] = set()
        self.balance_move_pct = balance_move_pct

    def round(self, *reports: AccountReport, now: datetime = NOW, ids: list[str] | None = None):
        events, self.state = observe(
            self.state,
            reports,
            now=now,
            is_acknowledged=lambda a, c: (a, c) in self.acknowledged,
            account_ids=ids,
            balance_move_pct=self.balance_move_pct,
        )
        return [(e.event, e.extra.get("code") or e.severity) for e in events]


def test_failure_and_recovery_alert_once_each() -> None:
    watch = Watch()
    assert watch.round(report()) == []
    assert watch.round(report(failing=True)) == [("account_failed", "critical")]
    assert watch.round(report(failing=True)) == []
    assert watch.round(report()) == [("account_recovered", "info")]
    assert watch.round(report()) == []
    # Never seen before and failing: that is news too.
    assert watch.round(report("a2", failing=True)) == [("account_failed", "critical")]


def test_findings_new_and_cleared_by_code_info_ignored() -> None:
    watch = Watch()
    assert watch.round(report(findings=(WITHDRAW, NO_IP, INFO))) == [
        ("finding_new", "withdraw_enabled"),
        ("finding_new", "no_ip_allowlist"),
    ]
    assert watch.round(report(findings=(WITHDRAW, NO_IP))) == []
    # A failing round reads no permissions: nothing is "cleared" by it.
    assert watch.round(report(failing=True)) == [("account_failed", "critical")]
    assert watch.round(report(findings=(NO_IP,))) == [
        ("account_recovered", "info"),
        ("finding_cleared", "withdraw_enabled"),
    ]


def test_acknowledged_findings_stay_quiet_until_taken_back() -> None:
    watch = Watch()
    watch.acknowledged.add(("a1", "withdraw_enabled"))
    assert watch.round(report(findings=(WITHDRAW,))) == []
    assert watch.round(report(findings=(WITHDRAW,))) == []
    watch.acknowledged.clear()  # taken back: it alerts now
    assert watch.round(report(findings=(WITHDRAW,))) == [("finding_new", "withdraw_enabled")]
    watch.acknowledged.add(("a1", "withdraw_enabled"))  # acknowledged after the alert
    assert watch.round(report(findings=(WITHDRAW,))) == []
    assert watch.round(report()) == []  # gone while acknowledged: no "cleared" either


def test_key_expiring_once_per_threshold_and_again_after_renewal() -> None:
    watch = Watch()
    expires = NOW + timedelta(days=20)
    seen = []
    for day in range(0, 22):
        events = watch.round(report(expires_at=expires), now=NOW + timedelta(days=day))
        seen += [(day, e) for e in events]
    assert [(day, severity) for day, (_, severity) in seen] == [
        (6, "warning"),  # 14 days left
        (13, "warning"),  # 7
        (17, "critical"),  # 3
        (19, "critical"),  # 1
    ]
    renewed = NOW + timedelta(days=21 + 60)
    assert watch.round(report(expires_at=renewed), now=NOW + timedelta(days=21)) == []
    late = NOW + timedelta(days=21 + 60 - 2)
    assert watch.round(report(expires_at=renewed), now=late) == [("key_expiring", "critical")]


def test_balance_moves_off_by_default_and_like_for_like_total() -> None:
    assert Watch().round(report(usd="100")) == []
    watch = Watch(balance_move_pct=10)
    assert watch.round(report(usd="100")) == []
    assert watch.round(report(usd="105")) == []
    assert watch.round(report(usd="111")) == [("balance_moved", "info"), ("balance_moved", "info")]
    assert watch.round(report(usd="115")) == []  # compared with the last alert now
    # An added account is not a move of the total: the base starts over.
    assert watch.round(report(usd="115"), report("a2", usd="1000")) == []
    assert watch.round(report(usd="115"), report("a2", usd="1000")) == []


def test_removed_accounts_are_forgotten() -> None:
    watch = Watch()
    watch.round(report(failing=True), report("a2"))
    watch.round(report("a2"), ids=["a2"])
    assert set(watch.state.accounts) == {"a2"}
    assert watch.round(report(failing=True)) == [("account_failed", "critical")]


def test_event_json_shape() -> None:
    event = Event("account_failed", NOW, "binance", "main", "critical", "t", "d", "a1", {"x": 1})
    assert event.to_json() == {
        "event": "account_failed",
        "time": "2026-03-01T12:00:00Z",
        "exchange": "binance",
        "label": "main",
        "account_id": "a1",
        "severity": "critical",
        "title": "t",
        "detail": "d",
        "x": 1,
    }


def test_state_survives_save_and_load_and_a_damaged_file(tmp_path: Path) -> None:
    watch = Watch(balance_move_pct=5)
    expires = NOW + timedelta(days=5)
    watch.round(report(findings=(WITHDRAW,), expires_at=expires), report("a2", failing=True))
    path = state_path(tmp_path / "state", tmp_path / "keys.kdk")
    key = os.urandom(32)
    assert StateStore(path, key).save(watch.state)
    assert path.stat().st_mode & 0o777 == 0o600
    assert StateStore(path, key).load() == watch.state
    assert StateStore(path, os.urandom(32)).load() == WatchState()  # another keyfile's
    for plain in (b"label-a1", b"withdraw", b"binance", b"usd"):
        assert plain not in path.read_bytes()  # encrypted: no labels, codes or values
    path.write_text("{not json")
    assert StateStore(path, key).load() == WatchState()


def test_watch_and_history_import_no_textual() -> None:
    import subprocess
    import sys

    code = (
        "import sys, tui.watch.runner, tui.commands.watch, tui.core.history.store, "
        "tui.commands.history; assert 'textual' not in sys.modules, 'textual imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_a_key_the_exchange_will_disable_for_want_of_an_allowlist_alerts_once_with_its_date() -> (
    None
):
    from tui.connect.findings import evaluate

    unbound = Permissions(
        reported=True,
        read=True,
        spot_trade=True,
        withdraw=False,
        ip_restricted=False,
        expires_at=NOW + timedelta(days=60),
    )
    findings = tuple(evaluate("mexc", unbound, now=NOW))
    events, state = observe(
        WatchState(), [report(findings=findings)], now=NOW, is_acknowledged=lambda a, c: False
    )
    [lapse] = [e for e in events if e.extra.get("code") == "unbound_key_expires"]
    assert lapse.event == "finding_new" and lapse.severity == "warning"
    assert lapse.title == "Without an IP allowlist, MEXC disables this key on 30 Apr 2026"
    assert "60 days from now" in lapse.detail
    again, _ = observe(
        state, [report(findings=findings)], now=NOW, is_acknowledged=lambda a, c: False
    )
    assert again == []
