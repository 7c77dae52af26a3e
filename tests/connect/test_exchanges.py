"""The exchange registry: one file per exchange, found without a list to keep in step."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tui.connect import exchanges
from tui.connect.exchanges import EXCHANGES, key_page, module_for, pem_secret, reads_permissions
from tui.connect.problems import ErrorRule

PACKAGE = Path(exchanges.__file__).parent
MODULE_FILES = sorted(
    path.stem for path in PACKAGE.glob("*.py") if path.stem not in ("__init__", "base")
)


def test_every_module_file_is_registered_under_its_own_id() -> None:
    assert sorted(module.id for module in EXCHANGES.values()) == MODULE_FILES
    own_ids = [module.id for exchange_id, module in EXCHANGES.items() if exchange_id == module.id]
    assert own_ids == sorted(own_ids)  # discovery is in name order
    for exchange_id, module in EXCHANGES.items():
        assert module_for(exchange_id) is module


@pytest.mark.parametrize("exchange_id", MODULE_FILES)
def test_each_module_says_what_keydeck_needs(exchange_id: str) -> None:
    module = EXCHANGES[exchange_id]
    assert module.name and module.name != exchange_id
    assert key_page(exchange_id) == module.key_page
    assert module.key_page is not None and module.key_page.startswith("https://")
    assert module.permissions is not None
    assert reads_permissions(exchange_id) is ("withdraw" in module.permissions.reads)
    assert module.error_rules and all(isinstance(r, ErrorRule) for r in module.error_rules)
    assert module.permissions is not None and module.permissions.normalize.__doc__


def test_exchanges_without_a_module() -> None:
    assert module_for("bitstamp") is None and not reads_permissions("bitstamp")
    assert key_page("bitstamp") == "https://www.bitstamp.net/account/security/api/"
    assert key_page("no-such-exchange") is None
    assert pem_secret("coinbase") and pem_secret("coinbaseadvanced")
    assert not pem_secret("binance") and not pem_secret("bitstamp")


def test_display_names_are_known_without_the_catalog() -> None:
    """A Problem made before the catalog loads still says "OKX", not "Okx"."""
    code = (
        "from tui.connect.problems import ProblemKind, make_problem; "
        "titles = [make_problem(ProblemKind.timeout, e).title for e in ('okx', 'htx', 'zz')]; "
        "print('|'.join(titles))"
    )
    done = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert done.stdout.strip() == (
        "OKX did not answer in time.|HTX did not answer in time.|Zz did not answer in time."
    )


def test_a_known_name_is_the_same_once_the_catalog_is_loaded() -> None:
    """ccxt calls MEXC "MEXC Global": a message names it as before the list was opened."""
    code = (
        "from tui.connect.names import display_name; from tui.connect.catalog import "
        "load_catalog; before = display_name('mexc'); infos = load_catalog(None); "
        "listed = {i.id: i.name for i in infos}; "
        "print(before, display_name('mexc'), listed['mexc'], display_name('bigone'), sep='|')"
    )
    done = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    before, after, listed, unknown = done.stdout.strip().split("|")
    assert before == after == "MEXC" and listed == "MEXC Global"
    assert unknown == "BigONE"  # no name of its own: the catalog's, once loaded
