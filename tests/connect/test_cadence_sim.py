"""Rights and clock are read every few minutes, balances every round (issue 30)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.connect.conftest import account_for
from tui.connect import Connector
from tui.connect.models import AccountReport
from tui.sim import Balance, Simulator


async def _one(connector: Connector, account: Any, **kwargs: Any) -> AccountReport:
    reports = [r async for r in connector.refresh([account], **kwargs)]
    assert len(reports) == 1 and reports[0].problem is None, reports
    return reports[0]


async def test_rounds_between_slow_reads_carry_the_rights_read_earlier(
    sim: Simulator, tmp_path: Path
) -> None:
    account = account_for(sim, "binance", "main")
    traits = sim.account("binance", "main").traits
    async with Connector(cache_dir=tmp_path) as connector:
        first = await _one(connector, account)
        assert first.permissions is not None and first.permissions.withdraw is False
        assert first.permissions_read_at is not None
        assert first.status.clock_offset_ms is not None

        # The key gains withdrawal and its balance moves: a round reads the balance, and
        # shows the rights as read before, saying when they were read.
        traits.permissions = traits.permissions | {"withdraw"}
        traits.balances = {**traits.balances, "USDT": Balance("4242", "0")}
        second = await _one(connector, account)
        usdt = {row.asset: row.total for row in second.balances.assets}["USDT"]
        assert usdt == 4242
        assert second.permissions == first.permissions
        assert second.permissions_read_at == first.permissions_read_at
        assert second.status.clock_offset_ms == first.status.clock_offset_ms
        assert second.status.latency_ms is not None  # the balance call's round trip
        assert second.findings == first.findings

        # A check the user asked for reads everything again.
        forced = await _one(connector, account, force=True)
        assert forced.permissions is not None and forced.permissions.withdraw is True
        assert forced.permissions_read_at > first.permissions_read_at
        assert any(f.severity == "critical" for f in forced.findings)


async def test_rights_are_read_every_round_when_asked_to(sim: Simulator, tmp_path: Path) -> None:
    account = account_for(sim, "binance", "main")
    traits = sim.account("binance", "main").traits
    async with Connector(cache_dir=tmp_path, slow_every_s=0) as connector:
        await _one(connector, account)
        traits.permissions = traits.permissions | {"withdraw"}
        second = await _one(connector, account)
        assert second.permissions is not None and second.permissions.withdraw is True


async def test_a_failed_round_makes_the_next_read_everything(
    sim: Simulator, tmp_path: Path
) -> None:
    account = account_for(sim, "binance", "main")
    traits = sim.account("binance", "main").traits
    async with Connector(cache_dir=tmp_path) as connector:
        first = await _one(connector, account)
        sim.set_faults("binance", "main", down=True)
        failed = [r async for r in connector.refresh([account])]
        assert failed[0].problem is not None
        sim.set_faults("binance", "main", down=False)
        traits.permissions = traits.permissions | {"withdraw"}
        again = await _one(connector, account)  # not forced: due after the failure
        assert again.permissions is not None and again.permissions.withdraw is True
        assert again.permissions_read_at > first.permissions_read_at
