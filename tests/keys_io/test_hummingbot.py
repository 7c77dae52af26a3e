"""`keydeck import hummingbot`: fixtures in Hummingbot's real layout, encrypted as it does."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.keys_io.helpers import (
    HUMMINGBOT_PASSWORD,
    HummingbotConf,
    credentials_of,
    import_keys,
    keyfile_accounts,
    make_keyfile,
)
from tui.base.paths import Locations

PEM = (
    "-----BEGIN EC PRIVATE KEY-----\n"
    "MHcCAQEEIBkg4LVWM9nuwNSk3yByxZpYRTBnVJk5oeWSx3Z6Jp2KoAoGCCqGSM49\n"
    "AwEHoUQDQgAEyrs0vFBOuuJyTqQ1sqVtJ0NLVx8nQ0lr3HBPD5BC0rOJ6YlqyMCF\n"
    "-----END EC PRIVATE KEY-----\n"
)
EXPECTED = {
    "binance/hummingbot": {"apiKey": "hb-binance-key", "secret": "hb-binance-secret-0001"},
    "okxus/hummingbot": {
        "apiKey": "hb-okx-key",
        "secret": "hb-okx-secret-0002",
        "password": "hb-okx-passphrase",
    },
    "kucoin/hummingbot": {
        "apiKey": "hb-kucoin-key",
        "secret": "hb-kucoin-secret-0003",
        "password": "hb-kucoin-passphrase",
    },
    "gate/hummingbot": {"apiKey": "hb-gate-key", "secret": "hb-gate-secret-0004"},
    "coinbase/hummingbot": {
        "apiKey": "organizations/org-1/apiKeys/key-1",
        "secret": PEM,
    },
    "binanceusdm/hummingbot": {"apiKey": "hb-perp-key", "secret": "hb-perp-secret-0005"},
}
SECRETS = [v for creds in EXPECTED.values() for k, v in creds.items() if k != "apiKey"]


def _conf(root: Path) -> HummingbotConf:
    conf = HummingbotConf(root / "hummingbot" / "conf")
    conf.connector(
        "binance",
        {"binance_api_key": "hb-binance-key", "binance_api_secret": "hb-binance-secret-0001"},
    )
    conf.connector(
        "okx",
        {
            "okx_api_key": "hb-okx-key",
            "okx_secret_key": "hb-okx-secret-0002",
            "okx_passphrase": "hb-okx-passphrase",
        },
        plain={"okx_registration_sub_domain": "app"},
    )
    conf.connector(
        "kucoin",
        {
            "kucoin_api_key": "hb-kucoin-key",
            "kucoin_secret_key": "hb-kucoin-secret-0003",
            "kucoin_passphrase": "hb-kucoin-passphrase",
        },
    )
    conf.connector(
        "gate_io", {"gate_io_api_key": "hb-gate-key", "gate_io_secret_key": "hb-gate-secret-0004"}
    )
    conf.connector(
        "coinbase_advanced_trade",
        {
            "coinbase_advanced_trade_api_key": "organizations/org-1/apiKeys/key-1",
            "coinbase_advanced_trade_api_secret": PEM,
        },
        plain={"use_auth_for_public_endpoints": "false"},
    )
    conf.connector(
        "binance_perpetual",
        {
            "binance_perpetual_api_key": "hb-perp-key",
            "binance_perpetual_api_secret": "hb-perp-secret-0005",
        },
    )
    conf.connector("vertex_dex", {"vertex_dex_wallet_private_key": "0xdeadbeefcafe0006"})
    conf.connector("made_up_exchange", {"made_up_exchange_api_key": "hb-unknown-key-0007"})
    conf.connector(  # its "api_key" is the wallet address: skipped as wallet-based
        "hyperliquid_perpetual",
        {
            "hyperliquid_perpetual_api_key": "0xabc0000000000000000000000000000000000008",
            "hyperliquid_perpetual_api_secret": "0xdeadbeefcafe0008",
        },
    )
    return conf


@pytest.fixture
def conf(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> HummingbotConf:
    monkeypatch.setenv("KEYDECK_IMPORT_PASSWORD", HUMMINGBOT_PASSWORD)
    return _conf(tmp_path)


def test_import_gives_exactly_those_credentials(locations: Locations, conf: HummingbotConf) -> None:
    make_keyfile(locations)
    code, out, err = import_keys(locations, "hummingbot", conf.root)
    assert code == 0, err
    accounts = keyfile_accounts(locations)
    assert credentials_of(accounts) == EXPECTED
    assert all(a.verified_at is None for a in accounts)  # --no-verify: saved unverified
    assert "connectors/okx.yml; host from okx_registration_sub_domain: app" in out
    assert "vertex_dex' is a wallet-based connector" in out
    assert "'hyperliquid_perpetual' is a wallet-based connector" in out
    assert "no ccxt mapping for Hummingbot's 'made_up_exchange' connector" in out
    assert "Added 6 keys" in out
    assert not [s for s in SECRETS if s in out + err]
    assert "Reminder" not in out  # Hummingbot's files are encrypted

    # A second import adds nothing: every key is a duplicate, and nothing is written.
    before = locations.keyfile.read_bytes()
    code, out, _ = import_keys(locations, "hummingbot", conf.root / "connectors")
    assert code == 0
    assert out.count("the same API key is already") == 6 and "No key was added" in out
    assert locations.keyfile.read_bytes() == before


@pytest.mark.parametrize("with_verification", [True, False])
def test_wrong_password_writes_nothing(
    locations: Locations,
    conf: HummingbotConf,
    monkeypatch: pytest.MonkeyPatch,
    with_verification: bool,
) -> None:
    make_keyfile(locations)
    before = locations.keyfile.read_bytes()
    if not with_verification:
        (conf.root / ".password_verification").unlink()
    monkeypatch.setenv("KEYDECK_IMPORT_PASSWORD", "not the password")
    code, _, err = import_keys(locations, "hummingbot", conf.root)
    assert code == 1
    assert "Wrong Hummingbot password" in err and "Nothing was imported" in err
    assert locations.keyfile.read_bytes() == before
    assert keyfile_accounts(locations) == []


def test_dry_run_prints_no_secret(locations: Locations, conf: HummingbotConf) -> None:
    make_keyfile(locations)
    before = locations.keyfile.read_bytes()
    code, out, err = import_keys(locations, "hummingbot", conf.root, dry_run=True)
    assert code == 0
    assert "Would add 6 keys" in out and "Nothing was written (--dry-run)" in out
    assert "okxus" in out and "apiKey, secret, password" in out
    every_value = [v for c in EXPECTED.values() for v in c.values()]
    assert not [v for v in every_value if v in out + err]
    assert locations.keyfile.read_bytes() == before


def test_damaged_files(locations: Locations, conf: HummingbotConf) -> None:
    make_keyfile(locations)
    before = locations.keyfile.read_bytes()
    (conf.root / "connectors" / "gate_io.yml").write_text("connector: gate_io\n  bad: [indent\n")
    code, out, _ = import_keys(locations, "hummingbot", conf.root, dry_run=True)
    assert code == 0
    assert "skipped connectors/gate_io.yml: not valid YAML (line 2)" in out

    (conf.root / ".password_verification").write_text("zz-not-hex")
    code, _, err = import_keys(locations, "hummingbot", conf.root)
    assert code == 1 and ".password_verification is damaged" in err

    code, _, err = import_keys(locations, "hummingbot", conf.root / "nowhere")
    assert code == 1 and "No Hummingbot directory" in err
    empty = conf.root.parent / "empty"
    empty.mkdir()
    code, _, err = import_keys(locations, "hummingbot", empty)
    assert code == 1 and "No connector files" in err
    assert locations.keyfile.read_bytes() == before


def test_the_docs_list_every_mapped_connector() -> None:
    from tui.keys_io.hummingbot import CONNECTORS

    doc = (Path(__file__).parents[2] / "docs" / "keys-in-and-out.md").read_text()
    missing = [name for name, m in CONNECTORS.items() if f"| `{name}` | {m.exchange}" not in doc]
    assert missing == []


def test_reading_hummingbot_values_leaves_the_recursion_limit_alone() -> None:
    """py_ecc (under eth-keyfile) raises it to 100,000 on import; a deeply nested JSON then
    crashes the process instead of raising RecursionError."""
    import subprocess
    import sys

    code = (
        "import sys, json\n"
        "from tui.keys_io.eth_values import decrypt_value\n"
        "try:\n"
        "    decrypt_value('00', 'x')\n"
        "except ValueError:\n"
        "    pass\n"
        "assert sys.getrecursionlimit() == 1000, sys.getrecursionlimit()\n"
        "try:\n"
        "    json.loads('[' * 100000)\n"
        "except RecursionError:\n"
        "    print('ok')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "ok", result.stderr[-500:]
