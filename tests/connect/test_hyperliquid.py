"""Hyperliquid's key check: the private key's address, derived locally, and its userRole."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.connect.conftest import account_for
from tui.connect import Connector
from tui.connect.exchanges import normalize_permissions
from tui.connect.exchanges.hyperliquid import (
    SIGNER,
    SIGNER_ROLE,
    WALLET,
    WALLET_ROLE,
    KeyNotForWallet,
    signer_address,
)
from tui.connect.problems import ProblemKind
from tui.sim import Simulator
from tui.sim.exchanges.hyperliquid import address_of

# The example answers of Hyperliquid's info endpoint, "Query a user's role"
# (https://hyperliquid.gitbook.io/hyperliquid-docs/for-developers/api/info-endpoint); the
# docs write "0x..." for the addresses, filled in here.
WALLET_ADDRESS = "0x31ca8395cf837de08b24da3f660e77761dfb974b"
OTHER = "0x2ba553d9f990a3b66b03b2dc0d030dfc1c061036"
AGENT = "0x85ec5b5b06d9a7d2b3e6bc4a1cbaeef8e2e4a4b1"
USER = {"role": "user"}
AGENT_OF_WALLET = {"role": "agent", "data": {"user": WALLET_ADDRESS}}
AGENT_OF_OTHER = {"role": "agent", "data": {"user": OTHER}}
SUB_ACCOUNT_OF_OTHER = {"role": "subAccount", "data": {"master": OTHER}}
VAULT = {"role": "vault"}
MISSING = {"role": "missing"}

# hyperliquid-dex/hyperliquid-python-sdk tests/signing_test.py: its test key and the address
# its signatures recover to.
SDK_TEST_KEY = "0x0123456789012345678901234567890123456789012345678901234567890123"
SDK_TEST_ADDRESS = "0x14791697260E4c9A71f18484C9f997B308e59325"


def _raw(signer: str, wallet: str, signer_role: dict, wallet_role: dict | None = None) -> dict:
    raw = {SIGNER: signer, WALLET: wallet, SIGNER_ROLE: signer_role}
    if wallet_role is not None:
        raw[WALLET_ROLE] = wallet_role
    return raw


def test_the_wallets_own_key_can_withdraw_everything() -> None:
    p = normalize_permissions("hyperliquid", _raw(WALLET_ADDRESS.upper(), WALLET_ADDRESS, USER))
    assert p.reported and p.withdraw is True and p.internal_transfer is True
    assert p.spot_trade and p.futures and p.sub_account is False
    assert p.ip_restricted is None  # Hyperliquid has no IP allowlists: nothing to warn about


def test_an_api_wallet_trades_and_cannot_withdraw() -> None:
    p = normalize_permissions("hyperliquid", _raw(AGENT, WALLET_ADDRESS, AGENT_OF_WALLET))
    assert p.reported and p.read and p.spot_trade and p.futures
    assert p.withdraw is False and p.internal_transfer is None and p.sub_account is False


def test_an_api_wallet_of_the_master_acting_for_its_sub_account() -> None:
    raw = _raw(AGENT, WALLET_ADDRESS, AGENT_OF_OTHER, SUB_ACCOUNT_OF_OTHER)
    p = normalize_permissions("hyperliquid", raw)
    assert p.reported and p.withdraw is False and p.sub_account is True


@pytest.mark.parametrize(
    ("signer", "signer_role", "wallet_role"),
    [
        (OTHER, USER, None),  # another wallet's own key
        (AGENT, AGENT_OF_OTHER, USER),  # an API wallet of another account
        (AGENT, AGENT_OF_OTHER, {"role": "subAccount", "data": {"master": AGENT}}),
        (AGENT, MISSING, USER),
        (AGENT, VAULT, USER),
        (AGENT, {}, None),
    ],
)
def test_a_key_of_another_account_is_never_read_as_anything(
    signer: str, signer_role: dict, wallet_role: dict | None
) -> None:
    raw = _raw(signer, WALLET_ADDRESS, signer_role, wallet_role)
    assert not normalize_permissions("hyperliquid", raw).reported


def test_the_address_of_a_private_key() -> None:
    assert signer_address(SDK_TEST_KEY) == SDK_TEST_ADDRESS
    assert signer_address(SDK_TEST_KEY[2:].upper()) == SDK_TEST_ADDRESS
    assert signer_address(f"  {SDK_TEST_KEY}\n") == SDK_TEST_ADDRESS


@pytest.mark.parametrize(
    "key", ["", "not a key", SDK_TEST_KEY[:-1], SDK_TEST_KEY + "0", "0x" + "0" * 64, "f" * 64]
)
def test_what_is_no_private_key_is_refused_without_quoting_it(key: str) -> None:
    with pytest.raises(KeyNotForWallet, match="the private key is not") as raised:
        signer_address(key)
    assert not key or key not in str(raised.value)


async def test_demo_keys_balances_roles_and_findings(sim: Simulator, connector: Connector) -> None:
    accounts = [account_for(sim, "hyperliquid", label) for label in ("main", "risky", "sub")]
    reports = {r.label: r async for r in connector.refresh(accounts)}
    for label, report in reports.items():
        assert report.problem is None, (label, report.problem)
        assert report.status.state == "ok" and report.status.clock_offset_ms is None
    main = reports["main"]
    rows = {row.asset: row for row in main.balances.assets}
    simulated = sim.account("hyperliquid", "main").traits.balances
    assert set(rows) == set(simulated)  # UBTC, USDT0... read back as BTC, USDT
    assert rows["BTC"].usd is not None and rows["USDT"].usd is not None
    # USDT is priced at 1: its value is its amount, to the cent (amounts drift per run)
    assert abs(rows["USDT"].usd - rows["USDT"].total) <= Decimal("0.005")
    assert main.balances.unpriced_assets == ("NOPX",)
    assert main.permissions.withdraw is False and main.permissions.spot_trade is True
    assert [f.code for f in main.findings] == []
    risky = reports["risky"]
    assert risky.permissions.withdraw is True
    assert [(f.code, f.severity) for f in risky.findings] == [("withdraw_enabled", "critical")]
    sub = reports["sub"]
    assert sub.permissions.sub_account is True and sub.permissions.withdraw is False
    # Reading never signs anything: nothing reached /exchange.
    assert sim.exchanges["hyperliquid"].exchange_requests == []


async def test_a_key_of_another_wallet_is_bad_credentials_on_verify_and_refresh(
    sim: Simulator, connector: Connector
) -> None:
    other_key = sim.account("hyperliquid", "risky").credentials["privateKey"]
    account = account_for(sim, "hyperliquid", "main", credentials={"privateKey": other_key})
    verified = await connector.verify(account)
    assert not verified.ok and verified.problem.kind is ProblemKind.bad_credentials
    assert verified.problem.title == (
        "This private key does not belong to the Hyperliquid wallet address."
    )
    assert "key of another wallet" in verified.problem.detail
    [report] = [r async for r in connector.refresh([account], force=True)]
    assert report.problem is not None and report.problem.kind is ProblemKind.bad_credentials
    assert report.permissions is None and not report.findings
    text = f"{report.problem.title} {report.problem.fix} {report.problem.detail}"
    assert other_key[2:] not in text and other_key[2:].lower() not in text.lower()


async def test_an_agent_address_entered_as_the_wallet(sim: Simulator, connector: Connector) -> None:
    main = sim.account("hyperliquid", "main").credentials
    agent = address_of(main["privateKey"])
    account = account_for(sim, "hyperliquid", "main", credentials={"walletAddress": agent})
    verified = await connector.verify(account)
    assert verified.problem.kind is ProblemKind.bad_credentials
    assert "is itself an API wallet" in verified.problem.detail


async def test_a_malformed_private_key(sim: Simulator, connector: Connector) -> None:
    account = account_for(sim, "hyperliquid", "main", credentials={"privateKey": "0xnot-hex"})
    [report] = [r async for r in connector.refresh([account])]
    assert report.problem.kind is ProblemKind.bad_credentials
    assert report.problem.title == "This is not a Hyperliquid private key."


async def test_an_answer_without_a_role_is_never_a_verdict(
    sim: Simulator, connector: Connector
) -> None:
    sim.set_faults("hyperliquid", malformed_json=True)
    account = account_for(sim, "hyperliquid", "risky")
    verified = await connector.verify(account)
    assert verified.problem.kind is ProblemKind.bad_answer
