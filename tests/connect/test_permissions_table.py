"""docs/permissions.md is generated from the registry and must match it."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tui.connect.exchanges import EXCHANGES, reads_permissions
from tui.connect.exchanges.base import READABLE_RIGHTS

# Readers that tell only a key's expiry (issue 15 asks for it); their rights stay unread.
EXPIRY_ONLY = {"upbit", "bithumb"}
# Readers whose answer has no withdrawal flag (issue 24): the withdraw right stays unknown.
WITHDRAW_UNTOLD = {"blofin"}

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "permissions_table.py"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("permissions_table", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_committed_doc_is_up_to_date() -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--check"], capture_output=True, text=True, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr


def test_a_stale_doc_is_caught(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    script = _script()
    stale = tmp_path / "permissions.md"
    stale.write_text(script.render().replace("| `mexc` |", "| `mexc-old` |"), encoding="utf-8")
    monkeypatch.setattr(script, "TARGET", stale)
    assert script.main(["--check"]) == 1
    assert script.main([]) == 0 and script.main(["--check"]) == 0


@pytest.mark.parametrize("exchange_id", sorted(EXCHANGES))
def test_every_reader_says_what_it_reads(exchange_id: str) -> None:
    reader = EXCHANGES[exchange_id].permissions
    assert reader is not None
    assert reader.endpoint.split()[0] in ("GET", "POST") and reader.doc.startswith("https://")
    assert reader.reads and set(reader.reads) <= set(READABLE_RIGHTS)
    if exchange_id in EXPIRY_ONLY:
        assert reader.reads == ("expiry",) and not reads_permissions(exchange_id)
    elif exchange_id in WITHDRAW_UNTOLD:
        assert "withdraw" not in reader.reads and not reads_permissions(exchange_id)
    else:  # withdraw: the one right every other reader must tell
        assert "withdraw" in reader.reads and reads_permissions(exchange_id)
    script = _script()
    line = next(row for row in script.render().splitlines() if f"| `{exchange_id}` |" in row)
    assert reader.endpoint in line
    if exchange_id not in EXPIRY_ONLY:  # how sure the row is, and the fixtures backing it
        sure, backed_by = script._sureness(exchange_id)
        assert sure in script.SURENESS.values() and backed_by != "none"
        assert f"| {sure} | {backed_by} |" in line


def test_every_ccxt_id_is_named() -> None:
    """Every ccxt id shows in the doc: read, read in part, expiry only, checked and not read,
    or on the checklist."""
    import ccxt

    text = _script().render()
    assert not [i for i in ccxt.exchanges if f"`{i}`" not in text]
