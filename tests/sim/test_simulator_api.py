"""The Simulator's Python API: scenarios, faults per key or exchange, thread mode, drift."""

from __future__ import annotations

import asyncio
import json
import urllib.request
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import ccxt.async_support as ccxt
import pytest

from tests.sim.clients import make_client
from tui.sim import Balance, Scenario, ScenarioError, SimAccount, Simulator, Traits

SCENARIO = """
defaults = false
client_ip = "192.0.2.10"

[faults.okx]
maintenance = true

[[accounts]]
exchange = "binance"
label = "trader"
permissions = ["read", "spot", "withdraw"]
ip_allowlist = ["192.0.2.0/24"]
created_at = 2024-05-01T12:00:00Z
key_name = "desk bot"
balances = { BTC = { free = "1.25", used = "0.5" }, USDT = "300" }

[[accounts]]
exchange = "okx"
label = "main"
credentials = { apiKey = "my-own-key", secret = "my-own-secret", password = "my-pass" }
faults = { latency_ms = 10 }
"""


def write(tmp_path: Path, text: str, name: str = "scenario.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


async def test_scenario_file(tmp_path: Path) -> None:
    async with Simulator(scenario=write(tmp_path, SCENARIO)) as sim:
        assert [(a.exchange, a.label) for a in sim.accounts] == [
            ("binance", "trader"),
            ("okx", "main"),
        ]
        trader = sim.account("binance", "trader")
        assert trader.credentials["apiKey"] == "demo-binance-trader-key"
        assert trader.traits.balances["BTC"] == Balance("1.25", "0.5")
        assert trader.traits.label == "desk bot"
        assert sim.account("okx").credentials["apiKey"] == "my-own-key"
        assert sim.account("okx").faults.latency_ms == 10
        async with make_client(sim, "binance", "trader") as client:
            restrictions = await client.sapi_get_account_apirestrictions()
            balance = await client.fetch_balance()
        assert restrictions["enableWithdrawals"] is True
        assert balance["BTC"]["total"] == pytest.approx(1.75)
        async with make_client(sim, "okx") as client:
            with pytest.raises(ccxt.ExchangeNotAvailable):
                await client.fetch_time()


def test_scenario_errors_name_the_entry(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match=r"accounts\[0\].*permission"):
        Scenario.load(
            write(tmp_path, '[[accounts]]\nexchange="okx"\nlabel="x"\npermissions=["fly"]')
        )
    with pytest.raises(ScenarioError, match="unknown fault"):
        Scenario.load(write(tmp_path, "[faults.okx]\nfloods = true\n"))
    with pytest.raises(ScenarioError, match="unknown key"):
        Scenario.load(write(tmp_path, "colour = 'red'\n"))
    data = {"defaults": False, "accounts": [{"exchange": "kucoin", "label": "j"}]}
    scenario = Scenario.load(write(tmp_path, json.dumps(data), "scenario.json"))
    assert scenario.accounts[0].exchange == "kucoin"


async def test_faults_per_key_and_per_exchange(sim: Simulator) -> None:
    sim.set_faults("okx", "risky", rate_limited=True)
    assert sim.account("okx", "risky").faults.rate_limited
    assert not sim.account("okx", "main").faults.rate_limited
    with pytest.raises(ValueError, match="unknown fault"):
        sim.set_faults("okx", nonsense=True)
    with pytest.raises(KeyError):
        sim.set_faults("nowhere", maintenance=True)
    sim.set_faults("okx", maintenance=True)
    sim.clear_faults()
    async with make_client(sim, "okx", "risky") as client:
        await client.private_get_account_config()


async def test_added_account_and_expiry(sim: Simulator) -> None:
    account = sim.add_account(
        SimAccount(
            exchange="bybit",
            label="old",
            credentials={"apiKey": "old-bybit-key", "secret": "old-bybit-secret"},
            traits=Traits(
                permissions=frozenset({"read"}),
                expires_at=datetime.now(UTC) - timedelta(days=1),
                balances={"USDT": Balance(5)},
            ),
        )
    )
    assert "old-bybit-secret" not in repr(account)
    async with make_client(sim, "bybit", "old") as client:
        with pytest.raises(ccxt.AuthenticationError, match="33004"):
            await client.private_get_v5_user_query_api()


def test_describe_and_thread_mode() -> None:
    with Simulator.start_in_thread() as handle:
        description = handle.describe()
        assert description["url"] == handle.url
        assert {a["exchange"] for a in description["accounts"]} >= {
            "binance",
            "okx",
            "bybit",
            "kucoin",
        }
        main = next(a for a in description["accounts"] if a["exchange"] == "binance")
        assert main["endpoint"] == handle.endpoint("binance")
        json.dumps(description)  # JSON-able as it is
        with urllib.request.urlopen(handle.endpoint("binance") + "/api/v3/time") as response:  # noqa: S310
            assert "serverTime" in json.loads(response.read())
        handle.simulator.set_faults("binance", maintenance=True)
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(handle.endpoint("binance") + "/api/v3/time")  # noqa: S310
        assert refused.value.code == 503
        refused.value.close()


async def test_drift_moves_balances_and_prices() -> None:
    async with Simulator(drift=0.01, drift_interval=0.05) as sim:
        before = sim.account("binance").traits.balances["BTC"].free
        price = sim.state.markets.get("BTC", "USDT").price
        await asyncio.sleep(0.3)
        assert sim.account("binance").traits.balances["BTC"].free != before
        assert sim.state.markets.get("BTC", "USDT").price != price
        assert sim.account("binance").traits.balances["BTC"].free > Decimal(0)


async def test_unknown_exchange_and_path(sim: Simulator) -> None:
    async with make_client(sim, "kucoin") as client:
        with pytest.raises(ccxt.NotSupported, match="404000"):
            await client.public_get_currencies_currency({"currency": "ZZZ"})
