"""Gemini against the simulator, through real ccxt clients."""

from __future__ import annotations

import base64
import json

import ccxt.async_support as ccxt
import pytest

from tests.sim.clients import assert_balance_is_provisioned, make_client
from tui.sim import Simulator
from tui.sim.exchanges.gemini import gemini_signature

# Gemini's "Private API invocation" worked example (docs.gemini.com, REST API, as quoted by
# several client libraries): the /v1/order/status payload, base64 as printed, signed with the
# secret "1234abcd".
DOC_PAYLOAD_B64 = (
    "ewogICAgInJlcXVlc3QiOiAiL3YxL29yZGVyL3N0YXR1cyIsCiAgICAibm9uY2UiOiAxMjM0NTYsCgogICAgIm9yZGVyX2lk"
    "IjogMTg4MzQKfQo="
)
DOC_SIGNATURE = (
    "337cc8b4ea692cfe65b4a85fcc9f042b2e3f702ac956fd09"
    "8d600ab15705775017beae402be773ceee10719ff70d710f"
)


def test_known_answer_from_gemini_docs() -> None:
    assert json.loads(base64.b64decode(DOC_PAYLOAD_B64)) == {
        "request": "/v1/order/status",
        "nonce": 123456,
        "order_id": 18834,
    }
    assert gemini_signature(DOC_PAYLOAD_B64, "1234abcd") == DOC_SIGNATURE


def test_demo_keys_are_account_keys_ccxt_accepts(sim: Simulator) -> None:
    for label in ("main", "risky", "sub"):
        assert "account" in sim.account("gemini", label).api_key


async def test_balances_markets_and_prices(sim: Simulator) -> None:
    async with make_client(sim, "gemini") as client:
        balance = await client.fetch_balance()
        tickers = await client.fetch_tickers(["BTC/USDT", "ETH/BTC"])
        ticker = await client.fetch_ticker("ETH/USDT")
    assert {"BTC/USDT", "ETH/USDT", "ETH/BTC", "USDC/USDT"} <= set(client.markets)
    assert_balance_is_provisioned(balance, sim.account("gemini", "main"))
    assert tickers["BTC/USDT"]["last"] == pytest.approx(65000.10)
    assert tickers["ETH/BTC"]["last"] == pytest.approx(0.04924)
    assert ticker["bid"] < ticker["ask"]
    assert client.has.get("fetchTime") is None  # Gemini has no server clock in ccxt


async def test_roles_per_key(sim: Simulator) -> None:
    roles = {}
    for label in ("main", "risky", "sub"):
        async with make_client(sim, "gemini", label) as client:
            roles[label] = await client.private_post_v1_roles()
    assert roles["main"] == {"isAuditor": False, "isFundManager": False, "isTrader": True}
    assert roles["risky"] == {"isAuditor": False, "isFundManager": True, "isTrader": True}
    assert roles["sub"] == {"isAuditor": True, "isFundManager": False, "isTrader": False}


async def test_bad_key_secret_and_nonce(sim: Simulator) -> None:
    async with make_client(sim, "gemini", apiKey="account-no-such-key") as client:
        with pytest.raises(ccxt.AuthenticationError, match="Invalid API key"):
            await client.private_post_v1_roles()
    async with make_client(sim, "gemini", secret="not-the-secret") as client:
        with pytest.raises(ccxt.AuthenticationError, match="InvalidSignature"):
            await client.private_post_v1_roles()
    async with make_client(sim, "gemini", apiKey="master-demo-gemini") as client:
        with pytest.raises(ccxt.AuthenticationError, match="account-key"):
            await client.private_post_v1_roles()  # ccxt refuses master keys itself
    # Another program used the key with larger nonces: ours are now out of sequence.
    async with make_client(sim, "gemini", options={"lastNonce": 10**16}) as client:
        await client.private_post_v1_roles()
    async with make_client(sim, "gemini") as client:
        with pytest.raises(ccxt.InvalidNonce, match="Out-of-sequence nonce"):
            await client.private_post_v1_roles()


async def test_missing_role_ip_and_rate_limit(sim: Simulator) -> None:
    sim.account("gemini", "sub").traits.permissions = frozenset()
    async with make_client(sim, "gemini", "sub") as client:
        with pytest.raises(ccxt.AuthenticationError, match="assign one of these roles"):
            await client.fetch_balance()
    sim.set_faults("gemini", "main", ip_not_allowed=True)
    async with make_client(sim, "gemini") as client:
        with pytest.raises(ccxt.AuthenticationError):
            await client.private_post_v1_roles()
    sim.clear_faults()
    sim.set_faults("gemini", "main", rate_limited=True)
    async with make_client(sim, "gemini") as client:
        with pytest.raises(ccxt.RateLimitExceeded):
            await client.private_post_v1_roles()
