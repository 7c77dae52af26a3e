"""Hyperliquid against the simulator, through real ccxt clients."""

from __future__ import annotations

import ccxt.async_support as ccxt
import pytest

from tests.sim.clients import assert_balance_is_provisioned, make_client
from tui.sim import Simulator
from tui.sim.exchanges.hyperliquid import address_of, wallet_address, withdraw_signer

# hyperliquid-dex/hyperliquid-python-sdk, tests/signing_test.py,
# test_sign_withdraw_from_bridge_action: the user-signed withdraw3 of the SDK's test key on
# testnet (hyperliquidChain "Testnet", signatureChainId 0x66eee), as the SDK signs it.
SDK_TEST_KEY = "0x0123456789012345678901234567890123456789012345678901234567890123"
SDK_WITHDRAW = {
    "hyperliquidChain": "Testnet",
    "destination": "0x5e9ee1089755c3435139848e47e6635505d5a13a",
    "amount": "1",
    "time": 1687816341423,
}
SDK_SIGNATURE = {
    "r": "0x8363524c799e90ce9bc41022f7c39b4e9bdba786e5f9c72b20e43e1462c37cf9",
    "s": "0x58b1411a775938b83e29182e8ef74975f9054c8e97ebf5ec2dc8d51bfc893881",
    "v": 28,
}
ELSEWHERE = "0x" + "11" * 20


def test_known_answer_from_the_python_sdk() -> None:
    assert withdraw_signer(SDK_WITHDRAW, SDK_SIGNATURE) == address_of(SDK_TEST_KEY)
    assert withdraw_signer({**SDK_WITHDRAW, "amount": "2"}, SDK_SIGNATURE) != address_of(
        SDK_TEST_KEY
    )


def test_demo_keys_are_deterministic_and_play_their_roles(sim: Simulator) -> None:
    main, risky, sub = (sim.account("hyperliquid", x).credentials for x in ("main", "risky", "sub"))
    assert address_of(risky["privateKey"]) == risky["walletAddress"]  # the wallet's own key
    assert address_of(main["privateKey"]) != main["walletAddress"]  # an API wallet
    assert main["walletAddress"] == wallet_address("main")
    assert address_of(sub["privateKey"]) not in (sub["walletAddress"], main["walletAddress"])
    assert sim.exchanges["hyperliquid"].default_credentials("main") == main


async def test_markets_balances_and_prices(sim: Simulator) -> None:
    async with make_client(sim, "hyperliquid") as client:
        balance = await client.fetch_balance()
        tickers = await client.fetch_tickers(["BTC/USDC", "ETH/USDC"])
        perp = await client.fetch_balance({"type": "swap"})
        server_time = await client.fetch_time()
    assert {"BTC/USDC", "ETH/USDC", "SOL/USDC"} <= set(client.markets)
    assert client.markets["BTC/USDC"]["baseName"] == "UBTC"
    assert_balance_is_provisioned(balance, sim.account("hyperliquid", "main"))
    assert tickers["BTC/USDC"]["last"] == pytest.approx(65000.10)
    assert tickers["ETH/USDC"]["close"] == pytest.approx(3200.45)
    assert perp["USDC"]["total"] == 0  # the perp account holds nothing in the demo
    assert abs(server_time - sim.state.now_ms()) < 5000


async def test_an_agents_own_address_holds_nothing(sim: Simulator) -> None:
    """The docs' pitfall: the API wallet's address is not the account."""
    main = sim.account("hyperliquid", "main").credentials
    agent = address_of(main["privateKey"])
    async with make_client(sim, "hyperliquid", walletAddress=agent) as client:
        balance = await client.fetch_balance()
    assert balance["total"] == {}


async def test_user_roles_per_key(sim: Simulator) -> None:
    roles = {}
    async with make_client(sim, "hyperliquid") as client:
        for label in ("main", "risky", "sub"):
            credentials = sim.account("hyperliquid", label).credentials
            for who, address in (
                ("key", address_of(credentials["privateKey"])),
                ("wallet", credentials["walletAddress"]),
            ):
                roles[label, who] = await client.public_post_info(
                    {"type": "userRole", "user": address}
                )
        missing = await client.public_post_info({"type": "userRole", "user": ELSEWHERE})
    master = wallet_address("main").lower()
    assert roles["main", "key"] == {"role": "agent", "data": {"user": master}}
    assert roles["main", "wallet"] == {"role": "user"}
    assert roles["risky", "key"] == roles["risky", "wallet"] == {"role": "user"}
    assert roles["sub", "key"] == {"role": "agent", "data": {"user": master}}
    assert roles["sub", "wallet"] == {"role": "subAccount", "data": {"master": master}}
    assert missing == {"role": "missing"}


async def test_only_the_wallets_own_key_can_withdraw(sim: Simulator) -> None:
    async with make_client(sim, "hyperliquid", "risky") as client:
        done = await client.withdraw("USDC", 1, ELSEWHERE)
    assert done["status"] == "ok"
    for label in ("main", "sub"):
        async with make_client(sim, "hyperliquid", label) as client:
            agent = address_of(client.privateKey).lower()
            with pytest.raises(ccxt.InvalidOrder, match=f"User or API Wallet {agent}"):
                await client.withdraw("USDC", 1, ELSEWHERE)
    assert len(sim.exchanges["hyperliquid"].exchange_requests) == 3


async def test_unknown_info_type_and_rate_limit(sim: Simulator) -> None:
    async with make_client(sim, "hyperliquid") as client:
        with pytest.raises(ccxt.ExchangeError, match="422"):
            await client.public_post_info({"type": "noSuchType", "user": ELSEWHERE})
    sim.set_faults("hyperliquid", rate_limited=True)
    async with make_client(sim, "hyperliquid") as client:
        with pytest.raises(ccxt.RateLimitExceeded):
            await client.public_post_info({"type": "allMids"})
