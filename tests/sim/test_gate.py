"""Gate API v4 against the simulator, through real ccxt clients."""

from __future__ import annotations

import time

import aiohttp
import ccxt.async_support as ccxt
import pytest

from tests.sim.clients import assert_balance_is_provisioned, make_client
from tui.sim import Simulator
from tui.sim.exchanges.gate import sign

SPOT_ONLY = {"fetchMarkets": {"types": ["spot"]}}


def test_known_answer_from_gate_docs() -> None:
    # The "List all orders" example of Gate's APIv4 authentication guide (key/secret "secret").
    expected = (
        "55f84ea195d6fe57ce62464daaa7c3c02fa9d1dde954e4c898289c9a2407a3d6"
        "fb3faf24deff16790d726b66ac9f74526668b13bd01029199cc4fcc522418b8a"
    )
    query = "contract=BTC_USD&status=finished&limit=50"
    assert sign("secret", "GET", "/api/v4/futures/orders", query, "", "1541993715") == expected


async def test_fetch_balance_equals_provisioned(sim: Simulator) -> None:
    account = sim.account("gate", "main")
    async with make_client(sim, "gate", options=SPOT_ONLY) as client:
        balance = await client.fetch_balance()
    assert_balance_is_provisioned(balance, account)


async def test_markets_tickers_and_time(sim: Simulator) -> None:
    async with make_client(sim, "gate") as client:  # all market types, as ccxt's default
        client.has["fetchCurrencies"] = True  # ccxt's default: currencies load too
        markets = await client.load_markets()
        tickers = await client.fetch_tickers()
        server_time = await client.fetch_time()
    assert {"BTC/USDT", "ETH/USDT", "SOL/USDT"} <= set(markets)
    assert markets["BTC/USDT"]["id"] == "BTC_USDT"
    assert "NOPX" in client.currencies  # a listed asset without any market
    assert not any(symbol.startswith("NOPX/") for symbol in markets)
    assert tickers["SOL/USDT"]["last"] == pytest.approx(150.123)
    assert abs(server_time - time.time() * 1000) < 60_000


@pytest.mark.parametrize(
    ("override", "label"),
    [({"secret": "wrong-secret"}, "INVALID_SIGNATURE"), ({"apiKey": "unknown"}, "INVALID_KEY")],
)
async def test_bad_credentials(sim: Simulator, override: dict[str, str], label: str) -> None:
    async with make_client(sim, "gate", options=SPOT_ONLY, **override) as client:
        with pytest.raises(ccxt.AuthenticationError, match=label):
            await client.fetch_balance()


async def test_clock_skew_is_request_expired(sim: Simulator) -> None:
    # Gate answers REQUEST_EXPIRED, which ccxt maps to AuthenticationError, not InvalidNonce.
    sim.set_faults("gate", clock_skew_ms=-120_000)
    async with make_client(sim, "gate", options=SPOT_ONLY) as client:
        assert time.time() * 1000 - await client.fetch_time() > 100_000
        with pytest.raises(ccxt.AuthenticationError, match="REQUEST_EXPIRED") as caught:
            await client.fetch_balance()
    assert not isinstance(caught.value, ccxt.PermissionDenied)


async def test_permission_endpoints_in_gate_format(sim: Simulator) -> None:
    async with make_client(sim, "gate", "main") as client:
        detail = await client.private_account_get_detail()
        listed = await client.private_account_get_main_keys()
    # Every key of the main account, masked as in Gate's doc example ("c5dcfbf1f3a7*****").
    keys = {entry["name"]: entry for entry in listed}
    assert set(keys) == {"main", "risky"}
    main_key, risky_key = keys["main"], keys["risky"]
    assert detail["ip_whitelist"] == ["198.51.100.7"] and detail["key"] == {"mode": 1}
    assert main_key["key"] == "demo-gate-ma*****" and main_key["name"] == "main"
    assert main_key["ip_whitelist"] == ["198.51.100.7"]
    created = sim.account("gate", "main").traits.created_at
    assert main_key["created_at"] == int(created.timestamp())
    main_perms = {p["name"]: p["read_only"] for p in main_key["perms"]}
    risky_perms = {p["name"]: p["read_only"] for p in risky_key["perms"]}
    assert main_perms["spot"] is False and main_perms["wallet"] is True
    assert main_perms["withdrawal"] is True and risky_perms["withdrawal"] is False
    assert risky_perms["wallet"] is False and risky_perms["futures"] is True
    assert risky_key["ip_whitelist"] == []


async def test_rate_limit_and_ip_refusal(sim: Simulator) -> None:
    sim.set_faults("gate", "main", rate_limited=True)
    async with make_client(sim, "gate", options=SPOT_ONLY) as client:
        with pytest.raises(ccxt.RateLimitExceeded):
            await client.fetch_balance()
    sim.account("gate", "sub").traits.ip_allowlist = ("203.0.113.99",)
    async with make_client(sim, "gate", "sub", options=SPOT_ONLY) as client:
        with pytest.raises(ccxt.AuthenticationError, match="IP_FORBIDDEN"):
            await client.fetch_balance()


async def test_stale_request_refused_replay_within_window_accepted(sim: Simulator) -> None:
    account = sim.account("gate", "main")
    url = f"{sim.endpoint('gate')}/api/v4/spot/accounts"

    def headers(timestamp: int) -> dict[str, str]:
        signature = sign(account.secret, "GET", "/api/v4/spot/accounts", "", "", str(timestamp))
        return {"KEY": account.api_key, "Timestamp": str(timestamp), "SIGN": signature}

    async with aiohttp.ClientSession() as session:
        fresh = headers(int(time.time()))
        for _ in range(2):  # Gate has no nonce: a replay inside 60 s is accepted
            async with session.get(url, headers=fresh) as response:
                assert response.status == 200
        async with session.get(url, headers=headers(int(time.time()) - 90)) as response:
            assert (await response.json())["label"] == "REQUEST_EXPIRED"
        async with session.get(url) as response:
            assert (await response.json())["label"] == "MISSING_REQUIRED_HEADER"


async def test_generic_faults(sim: Simulator) -> None:
    sim.set_faults("gate", maintenance=True)
    async with make_client(sim, "gate", options=SPOT_ONLY) as client:
        with pytest.raises(ccxt.ExchangeNotAvailable, match="503"):
            await client.fetch_balance()
    sim.set_faults("gate", maintenance=False, geo_blocked=True)
    async with make_client(sim, "gate", options=SPOT_ONLY) as client:
        with pytest.raises(ccxt.ExchangeNotAvailable, match="403 Forbidden"):
            await client.fetch_time()
    sim.set_faults("gate", geo_blocked=False, timeout=True)
    async with make_client(sim, "gate", options=SPOT_ONLY) as client:
        client.timeout = 300
        with pytest.raises(ccxt.RequestTimeout):
            await client.fetch_time()
