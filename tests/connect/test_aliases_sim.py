"""ccxt ids that are another face of a supported exchange read key rights the same way.

A real ccxt client of the alias id, pointed at the simulator's prefix of the base exchange,
calls the base exchange's permission endpoint with the same key.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.connect.conftest import account_for
from tests.connect.test_check_cli import _check, _check_schema, _config_dir, _keyfile
from tui.connect.ccxt_hooks import close_client
from tui.connect.clients import build_client, load_ccxt
from tui.connect.exchanges import EXCHANGES, key_page, module_for, reads_permissions
from tui.sim import Simulator

ALIASES: dict[str, str] = {
    "binanceusdm": "binance",
    "binancecoinm": "binance",
    "kucoinfutures": "kucoin",
    "myokx": "okx",
    "okxus": "okx",
    "bybiteu": "bybit",
    "bybitid": "bybit",
    "modetrade": "woofipro",
}


@pytest.mark.parametrize(("alias", "base"), ALIASES.items())
def test_registry_resolves_the_alias(alias: str, base: str) -> None:
    module, base_module = module_for(alias), module_for(base)
    assert module is not None and base_module is not None
    assert module.id == alias and module is not base_module
    assert reads_permissions(alias) and module.permissions == base_module.permissions
    assert module.error_rules == base_module.error_rules
    assert module.alias_for == base and module.permission_shape == base_module.permission_shape
    assert module.name != base_module.name
    assert (key_page(alias) or "").startswith("https://")


# ccxt fetches these aliases' balances from their futures accounts; trimmed documented answers
# (Binance "Account Information V3" and COIN-M "Account Information"; KuCoin "Get Account -
# Futures"). The other aliases answer balances as their base exchange does.
FUTURES_BALANCES: dict[str, object] = {
    "binanceusdm": {
        "totalWalletBalance": "103.12",
        "assets": [{"asset": "USDT", "walletBalance": "103.12", "availableBalance": "103.12"}],
        "positions": [],
    },
    "binancecoinm": {
        "assets": [{"asset": "BTC", "walletBalance": "0.001", "availableBalance": "0.001"}],
        "positions": [],
        "canDeposit": True,
        "canTrade": True,
        "canWithdraw": True,
    },
    "kucoinfutures": {
        "code": "200000",
        "data": {"accountEquity": 99.9, "availableBalance": 99.9, "currency": "USDT"},
    },
}


@pytest.mark.parametrize("alias", ALIASES)
def test_alias_balance_shape_fits_the_balance_it_reads(alias: str) -> None:
    module, base_module = module_for(alias), module_for(ALIASES[alias])
    assert module is not None and base_module is not None
    shape = module.balance_shape
    assert shape is not None and shape.faults({}) and shape.faults([])
    if alias in FUTURES_BALANCES:
        assert shape.faults(FUTURES_BALANCES[alias]) == []
        assert shape != base_module.balance_shape
    else:
        assert shape == base_module.balance_shape


def test_binanceus_is_not_an_alias() -> None:
    """Binance.US documents no apiRestrictions endpoint: it keeps the manual checklist."""
    assert "binanceus" not in EXCHANGES and not reads_permissions("binanceus")


@pytest.mark.parametrize(("alias", "base"), ALIASES.items())
async def test_alias_client_reads_the_base_endpoint(sim: Simulator, alias: str, base: str) -> None:
    ccxt_async = await load_ccxt()
    module = module_for(alias)
    assert module is not None and module.permissions is not None
    for label, withdraw in (("main", False), ("risky", True)):
        account = account_for(sim, base, label).replace(exchange=alias)
        client = build_client(ccxt_async, account, timeout_s=5)
        try:
            assert client.id == alias
            raw = await module.permissions.fetch(client)
        finally:
            await close_client(client)  # and the session Keydeck gave it
        permissions = module.permissions.normalize(raw)
        assert permissions.reported and permissions.withdraw is withdraw, (alias, label)
        assert permissions.ip_restricted is (label == "main")
        assert permissions.spot_trade is True


@pytest.mark.parametrize("alias", ["bybiteu", "bybitid"])
async def test_check_reads_bybit_regions_end_to_end(
    sim: Simulator, tmp_path: Path, alias: str
) -> None:
    """`keydeck check --json` on Bybit EU and Indonesia keys (the simulator's Bybit, which speaks
    the same V5 API): the withdraw-capable key is critical, the read-only key clean, the unbound
    key warned."""
    config_dir = _config_dir(tmp_path, alias)
    accounts = [
        account_for(sim, "bybit", label).replace(exchange=alias)
        for label in ("main", "risky", "sub")
    ]
    _keyfile(config_dir, accounts)
    code, out, _ = await _check(config_dir, "--json")
    document = json.loads(out)
    _check_schema(document)
    by_label = {account["label"]: account for account in document["accounts"]}
    assert code == 1 and {a["exchange"] for a in by_label.values()} == {alias}
    risky = by_label["risky"]
    codes = [finding["code"] for finding in risky["findings"]]
    assert codes[0] == "withdraw_enabled" and risky["findings"][0]["severity"] == "critical"
    assert "no_ip_allowlist" in codes
    assert by_label["sub"]["permissions"]["withdraw"] is False
    assert not [f for f in by_label["sub"]["findings"] if f["severity"] == "critical"]
    assert "no_ip_allowlist" not in [f["code"] for f in by_label["main"]["findings"]]
