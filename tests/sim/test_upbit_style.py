"""Upbit and Bithumb against the simulator, through real ccxt clients."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from datetime import UTC, datetime

import ccxt.async_support as ccxt
import pytest

from tests.sim.clients import assert_balance_is_provisioned, make_client
from tui.sim import Simulator

KEY_LIST = {"upbit": "private_get_api_keys", "bithumb": "private_get_v1_api_keys"}


@pytest.fixture(params=sorted(KEY_LIST))
def exchange(request: pytest.FixtureRequest) -> str:
    return request.param


async def test_balances_markets_and_tickers(sim: Simulator, exchange: str) -> None:
    async with make_client(sim, exchange) as client:
        balance = await client.fetch_balance()
        tickers = await client.fetch_tickers(["BTC/USDT", "ETH/BTC"])
    assert {"BTC/USDT", "ETH/USDT", "ETH/BTC"} <= set(client.markets)
    assert_balance_is_provisioned(balance, sim.account(exchange, "main"))
    assert tickers["BTC/USDT"]["last"] == pytest.approx(65000.10)
    assert tickers["ETH/BTC"]["last"] == pytest.approx(0.04924)


async def test_key_list_with_expiry(sim: Simulator, exchange: str) -> None:
    async with make_client(sim, exchange, "main") as client:
        keys = await getattr(client, KEY_LIST[exchange])()
    async with make_client(sim, exchange, "sub") as client:
        sub_keys = await getattr(client, KEY_LIST[exchange])()
    by_key = {row["access_key"]: row["expire_at"] for row in keys}
    assert set(by_key) == {f"demo-{exchange}-main-key", f"demo-{exchange}-risky-key"}
    expires = datetime.fromisoformat(by_key[f"demo-{exchange}-main-key"])
    assert expires.utcoffset() is not None and expires.utcoffset().total_seconds() == 9 * 3600
    assert expires == sim.account(exchange, "main").traits.expires_at
    assert (expires - datetime.now(UTC)).days in (333, 334)  # a year, issued 30 days ago
    assert [row["access_key"] for row in sub_keys] == [f"demo-{exchange}-sub-key"]


async def test_bad_key_and_secret(sim: Simulator, exchange: str) -> None:
    error = ccxt.AuthenticationError if exchange == "upbit" else ccxt.ExchangeError
    async with make_client(sim, exchange, apiKey="no-such-key") as client:
        with pytest.raises(error, match=r"invalid_access_key|Jwt 토큰 검증"):
            await client.fetch_balance()
    async with make_client(sim, exchange, secret="not-the-secret") as client:
        with pytest.raises(error, match=r"jwt_verification|Jwt 토큰 검증"):
            await client.fetch_balance()


def _token(secret: str, claims: dict) -> str:
    def part(value: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    signed = f"{part({'alg': 'HS256', 'typ': 'JWT'})}.{part(claims)}"
    mac = hmac.new(secret.encode(), signed.encode(), hashlib.sha256).digest()
    return f"{signed}.{base64.urlsafe_b64encode(mac).decode().rstrip('=')}"


async def test_replayed_nonce_and_stale_timestamp(sim: Simulator, exchange: str) -> None:
    account = sim.account(exchange, "main")
    claims = {"access_key": account.api_key, "nonce": str(uuid.uuid4())}
    if exchange == "bithumb":
        claims["timestamp"] = int(datetime.now(UTC).timestamp() * 1000)
    url = f"{sim.endpoint(exchange)}/v1/accounts"
    headers = {"Authorization": f"Bearer {_token(account.secret, claims)}"}
    async with make_client(sim, exchange) as client:
        client.open()  # ccxt's own aiohttp session, closed with the client
        session = client.session
        first = await session.get(url, headers=headers)
        again = await session.get(url, headers=headers)
        assert first.status == 200
        assert again.status == 401
        assert (await again.json())["error"]["name"] == (
            "nonce_used" if exchange == "upbit" else "jwt_verification"
        )
    if exchange == "bithumb":
        sim.set_faults(exchange, clock_skew_ms=90_000)
        async with make_client(sim, exchange) as client:
            with pytest.raises(ccxt.ExchangeError, match="Jwt가 만료"):
                await client.fetch_balance()


async def test_ip_expiry_and_rate_limit(sim: Simulator, exchange: str) -> None:
    sim.set_faults(exchange, "main", ip_not_allowed=True)
    async with make_client(sim, exchange) as client:
        with pytest.raises(ccxt.ExchangeError, match=r"no_authorization_i_p|not allowed client IP"):
            await getattr(client, KEY_LIST[exchange])()
    sim.clear_faults()
    sim.set_faults(exchange, "risky", expired=True)
    async with make_client(sim, exchange, "risky") as client:
        with pytest.raises(ccxt.ExchangeError, match=r"expired|Jwt 토큰 검증"):
            await client.fetch_balance()
    sim.set_faults(exchange, "main", rate_limited=True)
    async with make_client(sim, exchange) as client:
        with pytest.raises(ccxt.ExchangeError, match=r"too_many_requests|Too many"):
            await getattr(client, KEY_LIST[exchange])()
