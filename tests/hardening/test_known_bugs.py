"""Bugs found while hardening, kept as tests that document them until their owners fix them.

Each is marked xfail (not strict: a race does not lose every time); when the fix lands the
test passes, and its marker should go.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import pytest

from tui.connect.clients import MarketsCache
from tui.vault import Account


def test_concurrent_markets_cache_saves_do_not_collide(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cache = MarketsCache(tmp_path)
    account = Account(exchange="binance", label="a", credentials={"apiKey": "k", "secret": "s"})
    markets = {f"M{i}/USDT": {"symbol": f"M{i}/USDT", "id": f"M{i}USDT"} for i in range(300)}
    start = threading.Barrier(8)

    def save_many() -> None:
        start.wait()
        for _ in range(20):
            cache.save(account, markets)

    with caplog.at_level(logging.WARNING, logger="tui.connect.clients"):
        threads = [threading.Thread(target=save_many) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert not [r for r in caplog.records if "could not write" in r.getMessage()]
    assert cache.load(account) is not None
