"""Deribit's permission reader: the documented answer, and the 2FA fallback to public/auth."""

from __future__ import annotations

from tests.connect.conftest import account_for
from tui.connect import Connector
from tui.connect.exchanges import normalize_permissions
from tui.connect.exchanges.deribit import AUTH_SCOPE, CALLING_KEY
from tui.sim import Simulator

# private/list_api_keys, the doc's example answer (abridged: secrets, ids and flags dropped)
# from https://docs.deribit.com/api-reference/account-management/private-list_api_keys
LIST_API_KEYS_EXAMPLE = {
    "jsonrpc": "2.0",
    "id": 2553,
    "result": [
        {
            "timestamp": 1560236001108,
            "max_scope": "account:read block_trade:read trade:read_write wallet:read",
            "id": 1,
            "enabled": False,
            "client_id": "TiA4AyLPq3",
            "name": "",
            "enabled_features": [],
        },
        {
            "timestamp": 1560236287708,
            "max_scope": "account:read_write block_trade:read_write trade:read_write "
            "wallet:read_write",
            "id": 2,
            "enabled": True,
            "client_id": "aD-KFx-H",
            "name": "",
            "enabled_features": [],
        },
    ],
}


def test_documented_answer_picks_the_calling_key() -> None:
    trader = normalize_permissions("deribit", {**LIST_API_KEYS_EXAMPLE, CALLING_KEY: "TiA4AyLPq3"})
    assert trader.reported and trader.read and trader.spot_trade and trader.futures
    assert trader.withdraw is False and trader.internal_transfer is None
    assert trader.ip_restricted is False  # no ip_whitelist in the example: none set
    assert trader.created_at is None and trader.expires_at is None  # "created or modified"
    full = normalize_permissions("deribit", {**LIST_API_KEYS_EXAMPLE, CALLING_KEY: "aD-KFx-H"})
    assert full.withdraw is True


def test_never_guesses_the_row() -> None:
    assert not normalize_permissions("deribit", LIST_API_KEYS_EXAMPLE).reported
    unknown = {**LIST_API_KEYS_EXAMPLE, CALLING_KEY: "someone-else"}
    assert not normalize_permissions("deribit", unknown).reported


def test_a_missing_client_id_never_matches_a_missing_calling_key() -> None:
    """Found by hypothesis (test_documented_answers): the calling key's id lost and another
    row's client_id lost read that other key's rights (withdraw True became False)."""
    full, trader = LIST_API_KEYS_EXAMPLE["result"][1], LIST_API_KEYS_EXAMPLE["result"][0]
    anonymous = {k: v for k, v in trader.items() if k != "client_id"}
    for calling in ({}, {CALLING_KEY: None}, {CALLING_KEY: ""}):
        answer = {"result": [full, anonymous], **calling}
        assert not normalize_permissions("deribit", answer).reported


def test_ip_whitelist_from_the_schema() -> None:
    row = {**LIST_API_KEYS_EXAMPLE["result"][0], "ip_whitelist": ["203.0.113.5"]}
    p = normalize_permissions("deribit", {"result": [row], CALLING_KEY: "TiA4AyLPq3"})
    assert p.ip_restricted is True and p.ip_addresses == ("203.0.113.5",)


def test_auth_scope_without_functional_scopes_says_nothing() -> None:
    # public/auth's doc example answers scope "connection mainaccount".
    p = normalize_permissions("deribit", {AUTH_SCOPE: "connection mainaccount"})
    assert p.reported and p.withdraw is None and p.spot_trade is None


async def test_two_factor_account_falls_back_to_the_auth_scope(
    sim: Simulator, connector: Connector
) -> None:
    sim.exchanges["deribit"].tfa_protected.update(
        {sim.account("deribit", label).api_key for label in ("main", "risky")}
    )
    risky = await connector.permissions(account_for(sim, "deribit", "risky"))
    main = await connector.permissions(account_for(sim, "deribit", "main"))
    assert risky.withdraw is True and risky.ip_restricted is None
    # The token's scope may be narrower than the key's: what it does not name is unknown.
    assert main.withdraw is None and main.spot_trade is True
    main_codes = [f.code for f in connector.findings(account_for(sim, "deribit", "main"), main)]
    assert "withdraw_unknown" in main_codes
    findings = connector.findings(account_for(sim, "deribit", "risky"), risky)
    assert findings[0].code == "withdraw_enabled" and findings[0].severity == "critical"
