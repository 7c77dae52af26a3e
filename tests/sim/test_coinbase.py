"""Coinbase Advanced Trade (CDP keys, ES256 JWTs) against the simulator."""

from __future__ import annotations

import base64
import json
import re
import secrets
import time
from collections.abc import Callable
from typing import Any

import aiohttp
import ccxt.async_support as ccxt
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from tests.sim.clients import make_client
from tui.sim import Simulator
from tui.sim.errors import ErrorKind, SimError
from tui.sim.exchanges.coinbase_jwt import derive_cdp_key, public_key_of, verify_cdp_jwt

KEY_NAME, PEM = derive_cdp_key("jwt-test")
URI = "GET api.coinbase.com/api/v3/brokerage/accounts"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def make_jwt(pem: str, header: dict[str, Any], claims: dict[str, Any]) -> str:
    """A CDP JWT built straight from cryptography, independently of ccxt and of the sim."""
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    signing_input = f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(claims).encode())}"
    r, s = decode_dss_signature(key.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256())))
    return f"{signing_input}.{b64url(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"


def good_parts(now: int) -> tuple[dict[str, Any], dict[str, Any]]:
    header = {"alg": "ES256", "typ": "JWT", "kid": KEY_NAME, "nonce": secrets.token_hex(16)}
    claims = {"iss": "cdp", "sub": KEY_NAME, "nbf": now, "exp": now + 120, "uri": URI}
    return header, claims


def verify(token: str, now: int, pem: str = PEM) -> dict[str, Any]:
    return verify_cdp_jwt(
        token, public_key_of(pem), key_name=KEY_NAME, now_s=now, allowed_uris={URI}
    )


def test_derived_cdp_key_has_the_real_shape() -> None:
    assert re.fullmatch(r"organizations/[0-9a-f-]{36}/apiKeys/[0-9a-f-]{36}", KEY_NAME)
    assert PEM.startswith("-----BEGIN EC PRIVATE KEY-----")
    assert derive_cdp_key("jwt-test") == (KEY_NAME, PEM)  # deterministic
    assert derive_cdp_key("other")[1] != PEM


def test_jwt_signed_with_cryptography_verifies() -> None:
    now = int(time.time())
    header, claims = good_parts(now)
    assert verify(make_jwt(PEM, header, claims), now)["sub"] == KEY_NAME
    legacy = {**claims, "iss": "coinbase-cloud", "aud": ["retail_rest_api_proxy"]}
    assert verify(make_jwt(PEM, header, legacy), now + 60)["iss"] == "coinbase-cloud"


def _tampered(token: str) -> str:
    head, body, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    claims["uri"] = "GET api.coinbase.com/api/v3/brokerage/orders"
    return f"{head}.{b64url(json.dumps(claims).encode())}.{signature}"


@pytest.mark.parametrize(
    ("mutate", "kind"),
    [
        (lambda h, c, now: (h, c, derive_cdp_key("someone-else")[1]), ErrorKind.BAD_SIGNATURE),
        (lambda h, c, now: (h, {**c, "uri": "GET x/api/v3/other"}, PEM), ErrorKind.BAD_SIGNATURE),
        (lambda h, c, now: (h, {**c, "iss": "me"}, PEM), ErrorKind.BAD_SIGNATURE),
        (lambda h, c, now: (h, {**c, "sub": "other"}, PEM), ErrorKind.BAD_KEY),
        (lambda h, c, now: ({**h, "kid": "other"}, c, PEM), ErrorKind.BAD_KEY),
        (lambda h, c, now: ({**h, "nonce": ""}, c, PEM), ErrorKind.BAD_REQUEST),
        (lambda h, c, now: ({**h, "alg": "HS256"}, c, PEM), ErrorKind.BAD_SIGNATURE),
        (
            lambda h, c, now: (h, {**c, "nbf": now - 300, "exp": now - 180}, PEM),
            ErrorKind.TIMESTAMP,
        ),
        (
            lambda h, c, now: (h, {**c, "nbf": now + 60, "exp": now + 180}, PEM),
            ErrorKind.TIMESTAMP,
        ),
        (lambda h, c, now: (h, {**c, "exp": now + 600}, PEM), ErrorKind.BAD_REQUEST),
    ],
)
def test_jwt_refusals(mutate: Callable[..., Any], kind: ErrorKind) -> None:
    now = int(time.time())
    header, claims, pem = mutate(*good_parts(now), now)
    with pytest.raises(SimError) as caught:
        verify(make_jwt(pem, header, claims), now)
    assert caught.value.kind is kind


def test_tampered_claims_break_the_signature() -> None:
    now = int(time.time())
    token = make_jwt(PEM, *good_parts(now))
    with pytest.raises(SimError) as caught:
        verify_cdp_jwt(
            _tampered(token),
            public_key_of(PEM),
            key_name=KEY_NAME,
            now_s=now,
            allowed_uris={"GET api.coinbase.com/api/v3/brokerage/orders"},
        )
    assert caught.value.kind is ErrorKind.BAD_SIGNATURE


async def test_fetch_balance_equals_provisioned(sim: Simulator) -> None:
    account = sim.account("coinbase", "main")
    async with make_client(sim, "coinbase") as client:
        v2 = await client.fetch_balance()  # ccxt's default: /v2/accounts, totals only
        v3 = await client.fetch_balance({"v3": True})
    assert account.traits.balances
    for asset, provisioned in account.traits.balances.items():
        assert v2[asset]["total"] == pytest.approx(float(provisioned.total))
        assert v3[asset]["free"] == pytest.approx(float(provisioned.free))
        assert v3[asset]["used"] == pytest.approx(float(provisioned.used))
        assert v3[asset]["total"] == pytest.approx(float(provisioned.total))
    # ccxt reports a v2 balance as all free: what is held in orders is invisible there.
    assert v2["BTC"]["free"] == pytest.approx(float(account.traits.balances["BTC"].total))


async def test_markets_tickers_and_time(sim: Simulator) -> None:
    async with make_client(sim, "coinbase") as client:
        client.has["fetchCurrencies"] = True  # ccxt's default: currencies load too
        markets = await client.load_markets()
        tickers = await client.fetch_tickers()
        server_time = await client.fetch_time()
        v3_time = await client.fetch_time({"method": "v3PublicGetBrokerageTime"})
    assert {"BTC/USDT", "ETH/USDT", "SOL/USDT"} <= set(markets)
    assert markets["BTC/USDT"]["id"] == "BTC-USDT"
    assert "NOPX" in client.currencies  # a listed asset without any market
    assert not any(symbol.startswith("NOPX/") for symbol in markets)
    assert tickers["ETH/USDT"]["last"] == pytest.approx(3200.45)
    assert abs(server_time - time.time() * 1000) < 60_000
    assert abs(v3_time - server_time) < 60_000


@pytest.mark.parametrize(
    "override",
    [
        {"secret": derive_cdp_key("intruder")[1]},
        {"apiKey": derive_cdp_key("intruder")[0]},
    ],
)
async def test_bad_credentials(sim: Simulator, override: dict[str, str]) -> None:
    async with make_client(sim, "coinbase", **override) as client:
        with pytest.raises(ccxt.AuthenticationError, match="401"):
            await client.fetch_balance()


@pytest.mark.parametrize("skew_ms", [300_000, -300_000])
async def test_clock_skew_is_authentication_error(sim: Simulator, skew_ms: int) -> None:
    sim.set_faults("coinbase", clock_skew_ms=skew_ms)
    async with make_client(sim, "coinbase") as client:
        assert abs(await client.fetch_time() - time.time() * 1000 - skew_ms) < 60_000
        with pytest.raises(ccxt.AuthenticationError):
            await client.v3_private_get_brokerage_accounts()


async def test_key_permissions_in_coinbase_format(sim: Simulator) -> None:
    answers = {}
    for label in ("main", "risky", "sub"):
        async with make_client(sim, "coinbase", label) as client:
            answers[label] = await client.v3_private_get_brokerage_key_permissions()
    main, risky, sub = answers["main"], answers["risky"], answers["sub"]
    assert set(main) == {
        "can_view",
        "can_trade",
        "can_transfer",
        "portfolio_uuid",
        "portfolio_type",
    }
    assert (main["can_view"], main["can_trade"], main["can_transfer"]) == (True, True, False)
    assert main["portfolio_type"] == "DEFAULT"
    assert (risky["can_trade"], risky["can_transfer"]) == (True, True)
    assert (sub["can_view"], sub["can_trade"], sub["can_transfer"]) == (True, False, False)
    assert sub["portfolio_type"] == "CONSUMER"
    assert sub["portfolio_uuid"] != main["portfolio_uuid"]


async def test_rate_limit_and_permission_denied(sim: Simulator) -> None:
    sim.set_faults("coinbase", "main", rate_limited=True)
    async with make_client(sim, "coinbase") as client:
        with pytest.raises(ccxt.RateLimitExceeded):
            await client.fetch_balance()
    sim.account("coinbase", "sub").traits.permissions = frozenset({"spot"})
    async with make_client(sim, "coinbase", "sub") as client:
        with pytest.raises(ccxt.PermissionDenied):
            await client.v3_private_get_brokerage_accounts()


async def test_stale_token_refused_replay_within_lifetime_accepted(sim: Simulator) -> None:
    account = sim.account("coinbase", "main")
    url = f"{sim.endpoint('coinbase')}/api/v3/brokerage/key_permissions"
    uri = "GET " + url.removeprefix("http://")

    def bearer(nbf: int) -> dict[str, str]:
        header = {"alg": "ES256", "typ": "JWT", "kid": account.api_key, "nonce": "ab12"}
        claims = {"iss": "cdp", "sub": account.api_key, "nbf": nbf, "exp": nbf + 120, "uri": uri}
        return {"Authorization": f"Bearer {make_jwt(account.secret, header, claims)}"}

    now = int(time.time())
    async with aiohttp.ClientSession() as session:
        fresh = bearer(now)
        for _ in range(2):
            async with session.get(url, headers=fresh) as response:
                assert response.status == 200
                assert (await response.json())["can_view"] is True
        async with session.get(url, headers=bearer(now - 200)) as response:
            assert response.status == 401
            assert await response.text() == "Unauthorized\n"


async def test_generic_faults(sim: Simulator) -> None:
    sim.set_faults("coinbase", maintenance=True)
    async with make_client(sim, "coinbase") as client:
        with pytest.raises(ccxt.ExchangeNotAvailable, match="503"):
            await client.fetch_balance()
    sim.set_faults("coinbase", maintenance=False, geo_blocked=True)
    async with make_client(sim, "coinbase") as client:
        with pytest.raises(ccxt.ExchangeNotAvailable, match="403 Forbidden"):
            await client.fetch_time()
    sim.set_faults("coinbase", geo_blocked=False, timeout=True)
    async with make_client(sim, "coinbase") as client:
        client.timeout = 300
        with pytest.raises(ccxt.RequestTimeout):
            await client.fetch_time()
