"""Zaif: the key's rights from get_info2's `rights` flags (documented answers and `keydeck
check` against the simulator)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.connect.conftest import account_for
from tests.connect.documented_answers import documented_answer
from tests.connect.sim_check import check_default_keys, finding_codes
from tui.connect import Connector
from tui.connect.exchanges import module_for, normalize_permissions, reads_permissions
from tui.connect.problems import ProblemKind as K
from tui.sim import Simulator


def _read(name: str) -> object:
    return normalize_permissions("zaif", documented_answer("zaif", name))


def test_documented_trading_key() -> None:
    p = _read("trade_no_withdraw")
    assert p.reported and p.read is True and p.spot_trade is True and p.withdraw is False
    assert p.margin is None and p.futures is None and p.internal_transfer is None
    assert p.ip_restricted is None and p.created_at is None and p.expires_at is None


def test_documented_withdraw_capable_and_read_only_keys() -> None:
    assert _read("withdraw").withdraw is True
    p = _read("read_only")
    assert p.read is True and p.spot_trade is False and p.withdraw is False


def test_a_flag_left_out_is_unknown_never_no() -> None:
    p = normalize_permissions("zaif", {"success": 1, "return": {"rights": {"info": 1}}})
    assert p.reported and p.withdraw is None and p.spot_trade is None


@pytest.mark.parametrize(
    "raw", [{}, {"success": 1}, {"return": "x"}, {"return": {"rights": {}}}, {"return": []}]
)
def test_no_rights_is_unknown(raw: dict[str, object]) -> None:
    p = normalize_permissions("zaif", raw)
    assert not p.reported and p.unreadable and p.withdraw is None


def test_the_documented_refusal_is_bad_credentials() -> None:
    module = module_for("zaif")
    assert module is not None and reads_permissions("zaif")
    message = "zaif " + json.dumps(documented_answer("zaif", "error_signature"))
    kinds = [rule.kind for rule in module.error_rules if rule.pattern.search(message)]
    assert kinds[:1] == [K.bad_credentials]


async def test_check_reads_the_rights_end_to_end(sim: Simulator, tmp_path: Path) -> None:
    code, accounts = await check_default_keys(sim, tmp_path, "zaif")
    assert code == 1  # the risky key can withdraw: critical
    risky, main, sub = accounts["risky"], accounts["main"], accounts["sub"]
    assert risky["permissions"]["withdraw"] is True
    assert finding_codes(risky)[0] == "withdraw_enabled"
    assert risky["findings"][0]["severity"] == "critical"
    assert "no_ip_allowlist" not in finding_codes(risky)  # Zaif reports no IP addresses
    assert main["permissions"]["withdraw"] is False and finding_codes(main) == []
    assert sub["permissions"]["spot_trade"] is False and finding_codes(sub) == ["read_only"]
    for account in accounts.values():
        assert account["status"] == "ok" and account["total_usd"] is not None


async def test_refusals(sim: Simulator, tmp_path: Path) -> None:
    good = sim.account("zaif", "main").credentials
    sim.set_faults("zaif", "risky", rate_limited=True)
    accounts = [
        account_for(sim, "zaif", "main", credentials={"secret": good["secret"] + "x"}),
        account_for(sim, "zaif", "risky"),
        account_for(sim, "zaif", "sub", credentials={"apiKey": "not-a-key"}),
    ]
    async with Connector(cache_dir=tmp_path, timeout_s=5.0) as connector:
        reports = {r.label: r async for r in connector.refresh(accounts, force=True)}
    assert reports["main"].problem.kind is K.bad_credentials
    assert reports["risky"].problem.kind is K.rate_limited
    assert reports["sub"].problem.kind is K.bad_credentials
