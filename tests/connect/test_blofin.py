"""BloFin: the trading right, IP list, creation and expiry of the key; its withdraw right
stays unknown, since BloFin's answer has no withdrawal flag (documented answers and `keydeck
check` against the simulator)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.connect.conftest import account_for
from tests.connect.documented_answers import documented_answer
from tests.connect.sim_check import check_default_keys, finding_codes
from tui.connect import Connector
from tui.connect.exchanges import module_for, normalize_permissions, reads_permissions
from tui.connect.problems import ProblemKind as K
from tui.sim import Simulator

DOC_TIME = datetime.fromtimestamp(1597026383.085, tz=UTC)


def _read(name: str) -> object:
    return normalize_permissions("blofin", documented_answer("blofin", name))


def test_documented_trading_key_with_ips() -> None:
    p = _read("read_write")
    assert p.reported and p.read is True and p.spot_trade is True and p.futures is True
    assert p.withdraw is None  # no flag in the answer: unknown, never "no"
    assert p.ip_restricted is True and p.ip_addresses == ("YOUR_IP_ADDRESS_1", "YOUR_IP_ADDRESS_2")
    assert p.created_at == DOC_TIME and p.expires_at == DOC_TIME
    assert p.label == "read_test" and p.sub_account is True


def test_documented_read_only_key_without_ips() -> None:
    p = _read("read_only")
    assert p.reported and p.spot_trade is False and p.can_trade is False and p.withdraw is None
    assert p.ip_restricted is False and p.sub_account is False


def test_withdrawals_are_not_claimed_read() -> None:
    """BloFin's answer says nothing about withdrawals: the module does not claim to read them,
    so docs/permissions.md shows the column empty."""
    reader = module_for("blofin").permissions
    assert reader is not None and "withdraw" not in reader.reads
    assert not reads_permissions("blofin")


@pytest.mark.parametrize("raw", [{}, {"code": "0", "data": {}}, {"data": []}, {"data": "x"}])
def test_no_answer_is_unknown(raw: dict[str, object]) -> None:
    p = normalize_permissions("blofin", raw)
    assert not p.reported and p.unreadable


def test_the_documented_ip_refusal_is_ip_not_allowed() -> None:
    module = module_for("blofin")
    message = "blofin " + json.dumps(documented_answer("blofin", "error_ip"))
    kinds = [rule.kind for rule in module.error_rules if rule.pattern.search(message)]
    assert kinds[:1] == [K.ip_not_allowed]


async def test_check_reads_the_key_end_to_end(sim: Simulator, tmp_path: Path) -> None:
    code, accounts = await check_default_keys(sim, tmp_path, "blofin")
    risky, main, sub = accounts["risky"], accounts["main"], accounts["sub"]
    for account in accounts.values():
        assert account["status"] == "ok"
        assert account["permissions"]["reported"] is True
        assert account["permissions"]["withdraw"] is None  # even for the risky key
        assert "withdraw_enabled" not in finding_codes(account)
    # No IP bound: the IP warning, and the 90-day expiry BloFin gives such keys.
    assert "no_ip_allowlist" in finding_codes(risky) and risky["permissions"]["expires_at"]
    assert main["permissions"]["ip_restricted"] is True and "no_ip_allowlist" not in finding_codes(
        main
    )
    assert "read_only" in finding_codes(sub) and sub["permissions"]["sub_account"] is True
    assert code in (0, 1)  # 1 once an "unknown withdraw right" finding counts as critical


async def test_refusals(sim: Simulator, tmp_path: Path) -> None:
    sim.set_faults("blofin", "risky", ip_not_allowed=True)
    accounts = [
        account_for(sim, "blofin", "main", credentials={"password": "not-it"}),
        account_for(sim, "blofin", "risky"),
        account_for(sim, "blofin", "sub", credentials={"apiKey": "not-a-key"}),
    ]
    async with Connector(cache_dir=tmp_path, timeout_s=5.0) as connector:
        reports = {r.label: r async for r in connector.refresh(accounts, force=True)}
    assert reports["main"].problem.kind is K.bad_passphrase
    assert reports["risky"].problem.kind is K.ip_not_allowed
    assert reports["sub"].problem.kind is K.bad_credentials
