"""bitFlyer: the key's rights from the list of private paths it may call (documented answers
and `keydeck check` against the simulator)."""

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
    return normalize_permissions("bitflyer", documented_answer("bitflyer", name))


def test_documented_read_only_key() -> None:
    p = _read("read_only")
    assert p.reported and p.read is True and p.spot_trade is False and p.withdraw is False
    assert p.margin is None and p.futures is None and p.internal_transfer is None
    assert p.ip_restricted is None and p.created_at is None and p.expires_at is None


def test_documented_withdraw_capable_key() -> None:
    p = _read("withdraw")
    assert p.reported and p.read and p.spot_trade is True and p.withdraw is True


def test_the_old_crypto_withdrawal_path_counts_too() -> None:
    p = normalize_permissions("bitflyer", {"data": ["/v1/me/getpermissions", "/v1/me/sendcoin"]})
    assert p.withdraw is True and p.read is False


@pytest.mark.parametrize("data", [None, [], {}, "nonsense", [1, 2], [None]])
def test_no_list_is_unknown_never_no(data: object) -> None:
    p = normalize_permissions("bitflyer", {"data": data})
    assert not p.reported and p.unreadable and p.withdraw is None


def test_the_refusal_is_bad_credentials() -> None:
    module = module_for("bitflyer")
    assert module is not None and reads_permissions("bitflyer")
    answer = documented_answer("bitflyer", "error_signature")
    message = "bitflyer " + json.dumps(answer, separators=(",", ":"))
    kinds = [rule.kind for rule in module.error_rules if rule.pattern.search(message)]
    assert kinds[:1] == [K.bad_credentials]


async def test_check_reads_the_rights_end_to_end(sim: Simulator, tmp_path: Path) -> None:
    code, accounts = await check_default_keys(sim, tmp_path, "bitflyer")
    assert code == 1  # the risky key can withdraw: critical
    risky, main, sub = accounts["risky"], accounts["main"], accounts["sub"]
    assert risky["permissions"]["withdraw"] is True
    assert finding_codes(risky)[0] == "withdraw_enabled"
    assert risky["findings"][0]["severity"] == "critical"
    # bitFlyer reports no IP addresses: no allowlist warning can be told, either way.
    assert "no_ip_allowlist" not in finding_codes(risky)
    assert main["permissions"]["withdraw"] is False and finding_codes(main) == []
    assert sub["permissions"]["spot_trade"] is False and finding_codes(sub) == ["read_only"]
    for account in accounts.values():
        assert account["status"] == "ok" and account["total_usd"] is not None


async def test_refusals(sim: Simulator, tmp_path: Path) -> None:
    good = sim.account("bitflyer", "main").credentials
    sim.set_faults("bitflyer", "risky", rate_limited=True)
    accounts = [
        account_for(sim, "bitflyer", "main", credentials={"secret": good["secret"] + "x"}),
        account_for(sim, "bitflyer", "risky"),
        account_for(sim, "bitflyer", "sub", credentials={"apiKey": "not-a-key"}),
    ]
    async with Connector(cache_dir=tmp_path, timeout_s=5.0) as connector:
        reports = {r.label: r async for r in connector.refresh(accounts, force=True)}
    assert reports["main"].problem.kind is K.bad_credentials
    assert reports["risky"].problem.kind is K.rate_limited
    assert reports["sub"].problem.kind is K.bad_credentials
