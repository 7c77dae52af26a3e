"""The exchange catalog: built from ccxt once, then read from the cache file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tui.connect import catalog


def test_import_loads_neither_ccxt_nor_textual() -> None:
    code = (
        "import sys, tui.connect, tui.connect.service; "
        "bad = [m for m in ('ccxt', 'textual') if m in sys.modules]; "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_catalog_built_then_cached(tmp_path: Path) -> None:
    catalog.forget_catalog()
    try:
        infos = catalog.load_catalog(tmp_path)
        assert len(infos) > 90
        by_id = {info.id: info for info in infos}
        okx = by_id["okx"]
        assert okx.name == "OKX" and okx.reads_permissions and okx.has_testnet
        assert [(f.name, f.label, f.secret) for f in okx.credentials] == [
            ("apiKey", "API key", False),
            ("secret", "Secret", True),
            ("password", "Passphrase", True),
        ]
        assert by_id["kraken"].has_testnet is False
        assert by_id["bitstamp"].reads_permissions is False
        assert by_id["htx"].reads_permissions and by_id["binanceusdm"].reads_permissions
        coinbase_secret = by_id["coinbase"].credentials[1]
        assert coinbase_secret.label == "Private key (PEM)" and coinbase_secret.multiline
        assert by_id["binance"].api_keys_help.startswith("https://")
        cached = list(tmp_path.glob("catalog-ccxt-*.json"))
        assert len(cached) == 1
        catalog.forget_catalog()
        assert catalog.load_catalog(tmp_path) == infos
        assert catalog.get_exchange_info("bitget").credentials[2].label == "Passphrase"
        assert catalog.get_exchange_info("no-such-exchange") is None
    finally:
        catalog.forget_catalog()
