"""Bitget (classic account) against the simulator, through real ccxt clients."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

import aiohttp
import ccxt.async_support as ccxt
import pytest

from tests.sim.clients import assert_balance_is_provisioned, make_client
from tui.sim import Simulator
from tui.sim.exchanges.bitget import authorities, prehash, sign

SPOT_ONLY = {"fetchMarkets": {"types": ["spot"]}}


def test_known_answer_from_bitget_docs() -> None:
    # The "contract depth" example of Bitget's signature guide: the string to be signed.
    expected = "16273667805456GET/api/mix/v2/market/depth?limit=20&symbol=BTCUSDT"
    signed = prehash(
        "16273667805456", "GET", "/api/mix/v2/market/depth", "limit=20&symbol=BTCUSDT", ""
    )
    assert signed == expected
    assert prehash("1", "post", "/api/v2/x", "", '{"a":1}') == '1POST/api/v2/x{"a":1}'
    digest = hmac.new(b"secret", expected.encode(), hashlib.sha256).digest()
    signature = sign(
        "secret", "16273667805456", "GET", "/api/mix/v2/market/depth", "limit=20&symbol=BTCUSDT", ""
    )
    assert signature == base64.b64encode(digest).decode()


def test_authority_codes() -> None:
    assert authorities(frozenset({"read"})) == ["coor", "cpor", "stor", "smor", "wtor"]
    risky = authorities(frozenset({"read", "spot", "withdraw", "transfer"}))
    assert {"stow", "wwow", "wtow", "coor"} <= set(risky)
    assert "stor" not in risky and "wtor" not in risky


async def test_fetch_balance_equals_provisioned(sim: Simulator) -> None:
    account = sim.account("bitget", "main")
    async with make_client(sim, "bitget", options=SPOT_ONLY) as client:
        balance = await client.fetch_balance()
        assert client.options["uta"] is False  # the UTA probe found a classic account
    assert_balance_is_provisioned(balance, account)


async def test_markets_tickers_and_time(sim: Simulator) -> None:
    async with make_client(sim, "bitget") as client:  # spot and swap, as ccxt's default
        client.has["fetchCurrencies"] = True  # ccxt's default: currencies load too
        markets = await client.load_markets()
        tickers = await client.fetch_tickers()
        server_time = await client.fetch_time()
    assert {"BTC/USDT", "ETH/USDT", "SOL/USDT"} <= set(markets)
    assert markets["BTC/USDT"]["id"] == "BTCUSDT"
    assert "NOPX" in client.currencies  # a listed asset without any market
    assert not any(symbol.startswith("NOPX/") for symbol in markets)
    assert tickers["XRP/USDT"]["last"] == pytest.approx(0.5234)
    assert abs(server_time - time.time() * 1000) < 60_000


@pytest.mark.parametrize(
    ("override", "code"),
    [
        ({"secret": "wrong-secret"}, "40009"),
        ({"apiKey": "unknown-key"}, "40006"),
        ({"password": "wrong-passphrase"}, "40012"),
    ],
)
async def test_bad_credentials(sim: Simulator, override: dict[str, str], code: str) -> None:
    async with make_client(sim, "bitget", options=SPOT_ONLY, **override) as client:
        with pytest.raises(ccxt.AuthenticationError, match=code):
            await client.fetch_balance()


async def test_clock_skew_is_invalid_nonce(sim: Simulator) -> None:
    sim.set_faults("bitget", clock_skew_ms=90_000)
    async with make_client(sim, "bitget", options=SPOT_ONLY) as client:
        assert await client.fetch_time() - time.time() * 1000 > 60_000
        with pytest.raises(ccxt.InvalidNonce, match="40008"):
            await client.fetch_balance()


async def test_account_info_in_bitget_format(sim: Simulator) -> None:
    async with make_client(sim, "bitget", "main") as client:
        main = (await client.private_spot_get_v2_spot_account_info())["data"]
        with pytest.raises(ccxt.ExchangeError, match="40084"):  # classic, not unified
            await client.private_uta_get_v3_account_settings()
    async with make_client(sim, "bitget", "risky") as client:
        risky = (await client.private_spot_get_v2_spot_account_info())["data"]
    async with make_client(sim, "bitget", "sub") as client:
        sub = (await client.private_spot_get_v2_spot_account_info())["data"]
    assert main["ips"] == "198.51.100.7" and risky["ips"] == ""
    assert "stow" in main["authorities"] and "wwow" not in main["authorities"]
    assert {"wwow", "wtow", "smow"} <= set(risky["authorities"])
    assert "stor" in sub["authorities"] and "stow" not in sub["authorities"]
    assert str(main["parentId"]) == main["userId"]  # a main account is its own parent
    assert str(sub["parentId"]) == main["userId"] and sub["userId"] != main["userId"]


async def test_rate_limit_ip_and_permission_refusals(sim: Simulator) -> None:
    sim.set_faults("bitget", "main", rate_limited=True)
    async with make_client(sim, "bitget", options=SPOT_ONLY) as client:
        with pytest.raises(ccxt.DDoSProtection):
            await client.fetch_balance()
    sim.set_faults("bitget", "risky", ip_not_allowed=True)
    async with make_client(sim, "bitget", "risky", options=SPOT_ONLY) as client:
        with pytest.raises(ccxt.PermissionDenied, match="40018"):
            await client.fetch_balance()
    sim.account("bitget", "sub").traits.permissions = frozenset({"spot"})
    async with make_client(sim, "bitget", "sub", options=SPOT_ONLY) as client:
        with pytest.raises(ccxt.PermissionDenied, match="40014"):
            await client.fetch_balance()


async def test_stale_request_refused_replay_within_window_accepted(sim: Simulator) -> None:
    account = sim.account("bitget", "main")
    path = "/api/v2/spot/account/assets"
    url = f"{sim.endpoint('bitget')}{path}?coin=BTC"

    def headers(timestamp: int) -> dict[str, str]:
        return {
            "ACCESS-KEY": account.api_key,
            "ACCESS-SIGN": sign(account.secret, str(timestamp), "GET", path, "coin=BTC", ""),
            "ACCESS-TIMESTAMP": str(timestamp),
            "ACCESS-PASSPHRASE": account.password or "",
        }

    async with aiohttp.ClientSession() as session:
        fresh = headers(int(time.time() * 1000))
        for _ in range(2):  # no nonce: a replay inside the 30 s window is accepted
            async with session.get(url, headers=fresh) as response:
                answer = await response.json()
                assert answer["code"] == "00000" and answer["data"][0]["coin"] == "BTC"
        async with session.get(url, headers=headers(int(time.time() * 1000) - 45_000)) as response:
            assert (await response.json())["code"] == "40008"
        async with session.get(url, headers={"ACCESS-KEY": account.api_key}) as response:
            assert (await response.json())["code"] == "40003"


async def test_generic_faults(sim: Simulator) -> None:
    sim.set_faults("bitget", maintenance=True)
    async with make_client(sim, "bitget", options=SPOT_ONLY) as client:
        with pytest.raises(ccxt.ExchangeNotAvailable, match="503"):
            await client.fetch_balance()
    sim.set_faults("bitget", maintenance=False, geo_blocked=True)
    async with make_client(sim, "bitget", options=SPOT_ONLY) as client:
        with pytest.raises(ccxt.ExchangeNotAvailable, match="403 Forbidden"):
            await client.fetch_time()
    sim.set_faults("bitget", geo_blocked=False, timeout=True)
    async with make_client(sim, "bitget", options=SPOT_ONLY) as client:
        client.timeout = 300
        with pytest.raises(ccxt.RequestTimeout):
            await client.fetch_time()
