"""Coins.ph: the calling key's rights from the account's key list (documented answers and
`keydeck check` against the simulator)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.connect.conftest import account_for
from tests.connect.documented_answers import documented_answer
from tests.connect.sim_check import check_default_keys, finding_codes
from tui.connect import Connector
from tui.connect.exchanges import module_for, normalize_permissions, reads_permissions
from tui.connect.models import Permissions
from tui.connect.problems import ProblemKind as K
from tui.sim import Simulator


def _read(name: str) -> Permissions:
    return normalize_permissions("coinsph", documented_answer("coinsph", name))


def _with_types(types: Any) -> Permissions:
    answer = documented_answer("coinsph", "withdraw_capable")
    row = dict(answer["data"][0], apiType=types)
    return normalize_permissions("coinsph", {**answer, "data": [row]})


def test_documented_key_with_wallet_and_fiat_rights_can_withdraw() -> None:
    p = _read("withdraw_capable")
    assert p.reported and p.withdraw is True and p.spot_trade is True
    assert p.ip_restricted is True and p.ip_addresses == ("57.181.16.43", "57.181.16.55")
    assert p.created_at is not None and p.created_at.year == 2024


def test_documented_read_only_key() -> None:
    p = _read("read_only")
    assert p.reported and p.read is True and p.withdraw is False and p.spot_trade is False
    assert p.ip_addresses == ("57.181.16.43",)


@pytest.mark.parametrize("types", [["Enable Crypto Wallet"], ["Enable Fiat"]])
def test_either_funds_right_is_withdraw(types: list[str]) -> None:
    assert _with_types(types).withdraw is True


@pytest.mark.parametrize("types", [["Enable Account"], ["Enable Spot", "Enable Margin"]])
def test_a_type_the_doc_does_not_define_leaves_withdraw_unknown(types: list[str]) -> None:
    p = _with_types(types)
    assert p.reported and p.withdraw is None


@pytest.mark.parametrize("types", [None, [], "Read only", {}, 1])
def test_no_type_list_is_unknown_never_no(types: Any) -> None:
    p = _with_types(types)
    assert not p.reported and p.withdraw is None


@pytest.mark.parametrize("key", ["", "someone-else"])
def test_another_key_or_none_is_unknown(key: str) -> None:
    answer = {**documented_answer("coinsph", "withdraw_capable"), "callingKey": key}
    p = normalize_permissions("coinsph", answer)
    assert not p.reported and p.withdraw is None


def test_the_signature_refusal_is_bad_credentials() -> None:
    module = module_for("coinsph")
    assert module is not None and reads_permissions("coinsph")
    body = documented_answer("coinsph", "error_signature")
    message = "coinsph " + json.dumps(body, separators=(",", ":"))
    kinds = [rule.kind for rule in module.error_rules if rule.pattern.search(message)]
    assert kinds[:1] == [K.bad_credentials]


async def test_check_reads_the_rights_end_to_end(sim: Simulator, tmp_path: Path) -> None:
    code, accounts = await check_default_keys(sim, tmp_path, "coinsph")
    assert code == 1  # the risky key can withdraw: critical
    risky, main, sub = accounts["risky"], accounts["main"], accounts["sub"]
    assert risky["permissions"]["withdraw"] is True
    assert finding_codes(risky)[0] == "withdraw_enabled"
    assert risky["findings"][0]["severity"] == "critical"
    assert "no_ip_allowlist" in finding_codes(risky)  # Coins.ph reports the key's IPs
    assert main["permissions"]["withdraw"] is False and "no_ip_allowlist" not in finding_codes(main)
    assert sub["permissions"]["spot_trade"] is False and "read_only" in finding_codes(sub)
    assert not [f for f in sub["findings"] if f["severity"] == "critical"]
    for account in accounts.values():
        assert account["status"] == "ok" and account["total_usd"] is not None


async def test_refusals(sim: Simulator, tmp_path: Path) -> None:
    good = sim.account("coinsph", "main").credentials
    sim.set_faults("coinsph", "risky", rate_limited=True)
    sim.set_faults("coinsph", "sub", ip_not_allowed=True)
    accounts = [
        account_for(sim, "coinsph", "main", credentials={"secret": good["secret"] + "x"}),
        account_for(sim, "coinsph", "risky"),
        account_for(sim, "coinsph", "sub"),
    ]
    async with Connector(cache_dir=tmp_path, timeout_s=5.0) as connector:
        reports = {r.label: r async for r in connector.refresh(accounts, force=True)}
    assert reports["main"].problem.kind is K.bad_credentials
    assert reports["risky"].problem.kind is K.rate_limited
    assert reports["sub"].problem.kind is K.ip_not_allowed
