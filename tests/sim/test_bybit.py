"""Bybit specifics: query-api payload, UTA probes, recv_window rules, raw signed requests."""

from __future__ import annotations

import hashlib
import hmac
import time

import aiohttp
import ccxt.async_support as ccxt
import pytest

from tests.sim.clients import make_client
from tui.sim import Simulator
from tui.sim.exchanges.bybit import prehash


def documented_sign(secret: str, timestamp: str, api_key: str, window: str, query: str) -> str:
    """Bybit v5 docs: hex(HMAC-SHA256(secret, timestamp + api_key + recv_window + queryString))."""
    message = f"{timestamp}{api_key}{window}{query}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def test_prehash_layout() -> None:
    # The layout of the docs' GET example: timestamp, key, recv_window 5000, then the query.
    assert prehash(
        "1658384314791", "XXXXXXXXXX", "5000", "category=option&symbol=BTC-29JUL22-25000-C"
    ) == ("1658384314791XXXXXXXXXX5000category=option&symbol=BTC-29JUL22-25000-C")


async def test_query_api_reports_traits_in_bybit_format(sim: Simulator) -> None:
    results = {}
    for label in ("main", "risky", "sub"):
        async with make_client(sim, "bybit", label) as client:
            results[label] = (await client.private_get_v5_user_query_api())["result"]
    main, risky, sub = results["main"], results["risky"], results["sub"]
    assert main["readOnly"] == 0 and main["ips"] == ["198.51.100.7"]
    assert main["permissions"]["Spot"] == ["SpotTrade"] and main["permissions"]["Wallet"] == []
    assert main["isMaster"] is True and main["note"] == "main"
    assert main["createdAt"] == "2025-01-15T09:30:00Z"
    assert risky["ips"] == ["*"]
    assert set(risky["permissions"]["Wallet"]) == {
        "AccountTransfer",
        "SubMemberTransfer",
        "Withdraw",
    }
    assert sub["readOnly"] == 1 and sub["isMaster"] is False
    assert sub["apiKey"] == sim.account("bybit", "sub").api_key and sub["secret"] == ""


async def test_unified_account_probes(sim: Simulator) -> None:
    async with make_client(sim, "bybit") as client:
        info = await client.private_get_v5_account_info()
        assert info["result"]["unifiedMarginStatus"] == 6
        with pytest.raises(ccxt.BadRequest, match="10001"):  # UTA has only the UNIFIED wallet
            await client.private_get_v5_account_wallet_balance({"accountType": "SPOT"})


async def raw_get(sim: Simulator, path: str, query: str, stamp: int, window: str = "5000"):
    account = sim.account("bybit", "main")
    headers = {
        "X-BAPI-API-KEY": account.api_key,
        "X-BAPI-TIMESTAMP": str(stamp),
        "X-BAPI-RECV-WINDOW": window,
        "X-BAPI-SIGN": documented_sign(account.secret, str(stamp), account.api_key, window, query),
    }
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{sim.endpoint('bybit')}{path}?{query}", headers=headers) as response,
    ):
        return response.status, await response.json()


async def test_documented_signature_replay_and_stale(sim: Simulator) -> None:
    now = int(time.time() * 1000)
    for _ in range(2):  # a replay inside recv_window is accepted, as by Bybit
        status, body = await raw_get(sim, "/v5/account/wallet-balance", "accountType=UNIFIED", now)
        assert status == 200 and body["retCode"] == 0
    status, body = await raw_get(
        sim, "/v5/account/wallet-balance", "accountType=UNIFIED", now - 8000
    )
    assert body["retCode"] == 10002
    # A wider recv_window, as a client may send, lets the same age through.
    status, body = await raw_get(
        sim, "/v5/account/wallet-balance", "accountType=UNIFIED", now - 8000, window="20000"
    )
    assert body["retCode"] == 0
    status, body = await raw_get(
        sim, "/v5/account/wallet-balance", "accountType=UNIFIED", now + 5000
    )
    assert body["retCode"] == 10002  # from the future
