"""WOOFi Pro and ModeTrade (Orderly Network): the calling Orderly key's scope, IP restriction
and expiry (documented answers and `keydeck check` against the simulator)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.connect.conftest import account_for
from tests.connect.documented_answers import documented_answer
from tests.connect.sim_check import check_default_keys, finding_codes
from tui.connect import Connector
from tui.connect.exchanges import normalize_permissions
from tui.connect.exchanges.woofipro import CALLING_KEY, WALLET_KEY
from tui.connect.problems import ProblemKind as K
from tui.sim import Simulator

DOC_KEY = "ed25519:B4yEc8xMjoqdUiKT5ZT1b2cUy5cggZrbMPvCrqyjkQhf"
DOC_EXPIRY = datetime.fromtimestamp(1689086651.947, tz=UTC)


def _read(name: str, key: str = DOC_KEY, wallet: bool = False) -> Any:
    raw = {**documented_answer("woofipro", name), CALLING_KEY: key, WALLET_KEY: wallet}
    return normalize_permissions("woofipro", raw)


def test_documented_trading_key_from_any_ip() -> None:
    p = _read("trading_all_ips")
    assert p.reported and p.read and p.spot_trade is True and p.futures is True
    assert p.withdraw is False  # no asset scope
    assert p.ip_restricted is False  # ALLOW_ALL_IPS, whatever the list holds
    assert p.expires_at == DOC_EXPIRY and p.label == "<string>"


def test_asset_scope_withdraws_only_with_the_wallet_key() -> None:
    assert _read("asset_scope_restricted", wallet=True).withdraw is True
    p = _read("asset_scope_restricted", wallet=False)
    assert p.withdraw is False  # Orderly completes a withdrawal only with the wallet's signature
    assert p.ip_restricted is True and p.ip_addresses == ("218.190.230.163",)


def test_the_older_list_shape_and_status_spelling() -> None:
    p = _read("read_only_list", key=DOC_KEY.removeprefix("ed25519:"))  # ccxt may hold it bare
    assert p.reported and p.read and p.spot_trade is False and p.can_trade is False
    assert p.ip_restricted is False and p.withdraw is False


@pytest.mark.parametrize("key", ["", "ed25519:someoneElse"])
def test_another_key_or_none_is_unknown(key: str) -> None:
    p = _read("trading_all_ips", key=key)
    assert not p.reported and p.unreadable and p.withdraw is None


@pytest.mark.parametrize("exchange", ["woofipro", "modetrade"])
async def test_check_reads_the_rights_end_to_end(
    sim: Simulator, tmp_path: Path, exchange: str
) -> None:
    # ModeTrade is another broker on the same Orderly API: the simulator's woofipro serves it.
    as_id = None if exchange == "woofipro" else exchange
    code, accounts = await check_default_keys(sim, tmp_path, "woofipro", as_id)
    assert code == 1  # the risky key (asset scope, wallet key held) can withdraw: critical
    risky, main, sub = accounts["risky"], accounts["main"], accounts["sub"]
    assert risky["permissions"]["withdraw"] is True
    assert finding_codes(risky)[:2] == ["withdraw_enabled", "no_ip_allowlist"]
    assert risky["findings"][0]["severity"] == "critical"
    assert main["permissions"]["withdraw"] is False and "no_ip_allowlist" not in finding_codes(main)
    assert sub["permissions"]["spot_trade"] is False and "read_only" in finding_codes(sub)
    for account in accounts.values():
        assert account["status"] == "ok" and account["permissions"]["expires_at"]


async def test_refusals(sim: Simulator, tmp_path: Path) -> None:
    good = sim.account("woofipro", "sub").credentials
    sim.set_faults("woofipro", "risky", rate_limited=True)
    accounts = [
        account_for(sim, "woofipro", "main", credentials={"secret": good["secret"]}),
        account_for(sim, "woofipro", "risky"),
        account_for(sim, "woofipro", "sub", credentials={"accountId": "0x00"}),
    ]
    async with Connector(cache_dir=tmp_path, timeout_s=5.0) as connector:
        reports = {r.label: r async for r in connector.refresh(accounts, force=True)}
    assert reports["main"].problem.kind is K.bad_credentials  # another key's secret
    assert reports["risky"].problem.kind is K.rate_limited
    assert reports["sub"].problem.kind is K.bad_credentials  # wrong account id
