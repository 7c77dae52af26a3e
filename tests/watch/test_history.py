"""The encrypted history: written, thinned, like-for-like, surviving restarts and password
changes, never touching the keyfile, exported as CSV by `keydeck history`."""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import os
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from tests.watch.helpers import PASSWORD, make_keyfile
from tests.watch.test_events import report
from tui.base.paths import Locations
from tui.commands.history import run as run_history
from tui.core.history import History, history_path
from tui.core.history.model import MAX_POINTS, thin
from tui.core.history.store import MAGIC
from tui.vault import Account, KdfParams, Vault, VaultError

START = datetime(2026, 1, 1, tzinfo=UTC)


def _vault(tmp_path: Path) -> Vault:
    account = Account(exchange="binance", label="main", credentials={"apiKey": "k", "secret": "s"})
    make_keyfile(tmp_path / "config", [account])
    return Vault.open(tmp_path / "config" / "keys.kdk", PASSWORD, read_only=True)


def _record_days(history: History, days: int, step: timedelta) -> datetime:
    now = START
    value = 100
    while now < START + timedelta(days=days):
        history.record([report("a1", usd=str(value)), report("a2", usd="50")], now=now)
        value += 1
        now += step
    return now - step


def test_recorded_values_survive_a_restart_and_are_thinned(tmp_path: Path) -> None:
    with _vault(tmp_path) as vault:
        history = History.for_vault(vault, write_every_s=3600)
        last = _record_days(history, 3, timedelta(minutes=10))  # 432 rounds
        assert history.flush(last)
        history.close()
        path = history_path(vault.path)
        assert path.name == "keys.kdh" and path.stat().st_mode & 0o777 == 0o600
        assert path.read_bytes()[:8] == MAGIC and b"USDT" not in path.read_bytes()

        again = History.for_vault(vault)
        points = again.points()
        # Fine (every 10 min) for the last day, hourly before.
        recent = [p for p in points if p.when > last - timedelta(days=1)]
        older = [p for p in points if p.when <= last - timedelta(days=1)]
        assert len(recent) == 144 and 40 <= len(older) <= 49
        assert {p.time % 3600 for p in older} == {3000}  # the last of each hour
        assert points[-1].holdings["a1"].usd == Decimal(100 + 431)
        assert points[-1].holdings["a1"].assets == {"USDT": Decimal(531)}
        assert again.name("a1") is not None and again.name("a1").label == "label-a1"
        again.close()


def test_thinning_bounds_the_points_whatever_the_rate() -> None:
    from tui.core.history.model import Holding, Point

    holding = {"a": Holding(Decimal(1), True, {})}
    now = START + timedelta(days=5 * 365)
    points = [
        Point(int((START + timedelta(minutes=30 * i)).timestamp()), holding)
        for i in range(5 * 365 * 48)
    ]
    kept = thin(points, now)
    assert len(kept) <= MAX_POINTS
    assert kept[0].when >= now - timedelta(days=3 * 365 + 1)


def test_change_is_like_for_like(tmp_path: Path) -> None:
    with _vault(tmp_path) as vault, History.for_vault(vault, write_every_s=0) as history:
        history.record([report("a1", usd="100")], now=START)
        history.record([report("a1", usd="110")], now=START + timedelta(hours=1))
        # An account added is not a gain; one that failed a round is not a loss.
        history.record(
            [report("a1", usd="110"), report("a2", usd="1000")], now=START + timedelta(hours=2)
        )
        history.record(
            [report("a1", usd="121"), report("a2", failing=True)], now=START + timedelta(hours=3)
        )
        change = history.change(timedelta(days=1), now=START + timedelta(hours=3))
        assert change is not None
        assert (change.start_usd, change.end_usd) == (Decimal(100 - 0), Decimal(121))
        assert change.percent == Decimal(21)
        values = [p.value_usd for p in history.series(None)]
        assert values == [Decimal(100), Decimal(110), Decimal(110), Decimal(121)]
        assert [p.total_usd for p in history.series(None)][2] == Decimal(1110)
        history.forget("a1")
        assert {a for p in history.points() for a in p.holdings} == {"a2"}


def test_the_key_survives_a_password_change_but_not_another_keyfile(tmp_path: Path) -> None:
    fast = KdfParams.insecure_fast()
    make_keyfile(tmp_path / "config", [])
    keyfile = tmp_path / "config" / "keys.kdk"
    with Vault.open(keyfile, PASSWORD, read_only=True) as vault:
        before = bytes(vault.derive_subkey(b"history"))
        assert bytes(vault.derive_subkey(b"other")) != before
        assert "SecretBytes" in repr(vault.derive_subkey(b"history"))
    with Vault.open(keyfile, PASSWORD, kdf=fast) as vault:
        vault.change_password(PASSWORD, "a different password 99", kdf=fast)
    with Vault.open(keyfile, "a different password 99", read_only=True) as vault:
        assert bytes(vault.derive_subkey(b"history")) == before
    make_keyfile(tmp_path / "other", [])
    with Vault.open(tmp_path / "other" / "keys.kdk", PASSWORD, read_only=True) as vault:
        assert bytes(vault.derive_subkey(b"history")) != before
        vault.close()
        with pytest.raises(VaultError):
            vault.derive_subkey(b"history")


def test_a_damaged_history_is_moved_aside_and_the_keyfile_untouched(tmp_path: Path) -> None:
    with _vault(tmp_path) as vault:
        keyfile_bytes = hashlib.sha256(vault.path.read_bytes()).hexdigest()
        path = history_path(vault.path)
        path.write_bytes(MAGIC + os.urandom(200))
        os.chmod(path, 0o600)
        history = History.for_vault(vault, write_every_s=0)
        assert history.points() == [] and history.problem is not None
        assert history.record([report("a1")], now=START)
        assert history.problem is None
        assert len(History.for_vault(vault).points()) == 1
        assert list(path.parent.glob("keys.kdh.unreadable-*"))
        assert hashlib.sha256(vault.path.read_bytes()).hexdigest() == keyfile_bytes
        assert not list(path.parent.glob("keys.kdk.unreadable-*"))
        history.close()


def test_csv_export_matches_the_points(tmp_path: Path) -> None:
    with _vault(tmp_path) as vault, History.for_vault(vault) as history:
        now = datetime.now(UTC).replace(microsecond=0)
        for hours in (50, 20, 1):
            history.record(
                [report("a1", usd=str(hours)), report("a2", usd="7.5")],
                now=now - timedelta(hours=hours),
            )
    locations = Locations.resolve(tmp_path / "config")
    os.environ["KEYDECK_PASSWORD"] = PASSWORD
    try:
        out, err = io.StringIO(), io.StringIO()
        since = now - timedelta(hours=30)
        args = argparse.Namespace(since=since, csv=True, password_stdin=False)
        assert run_history(args, locations, out=out, err=err) == 0, err.getvalue()
        summary = io.StringIO()
        args = argparse.Namespace(since=None, csv=False, password_stdin=False)
        assert run_history(args, locations, out=summary, err=err) == 0
    finally:
        del os.environ["KEYDECK_PASSWORD"]
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    totals = [(r["time"], r["label"], r["usd"]) for r in rows if r["asset"] == ""]
    stamp = [(now - timedelta(hours=h)).isoformat().replace("+00:00", "Z") for h in (20, 1)]
    assert totals == [
        (stamp[0], "label-a1", "20"),
        (stamp[0], "label-a2", "7.5"),
        (stamp[1], "label-a1", "1"),
        (stamp[1], "label-a2", "7.5"),
    ]
    assets = [(r["label"], r["asset"], r["amount"], r["usd"]) for r in rows if r["asset"]]
    assert assets[0] == ("label-a1", "USDT", "20", "")
    assert sum(Decimal(r["usd"]) for r in rows if r["usd"]) == Decimal("36")
    text = summary.getvalue()
    assert "24 h  -19.00 USD (-69.09 %)" in text and text.count("$") == 3


def test_since_a_future_date_is_a_usage_error() -> None:
    """Not "No history recorded yet": the date is wrong, not the history."""
    from tui.commands.history import parse_since

    future = (datetime.now(UTC) + timedelta(days=3)).date().isoformat()
    with pytest.raises(argparse.ArgumentTypeError, match="in the future"):
        parse_since(future)
    assert parse_since("2020-01-02").year == 2020
