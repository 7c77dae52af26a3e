"""Every test gets its own config directory and Keydeck password in the environment."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.keys_io.helpers import PASSWORD
from tui.base import redact
from tui.base.paths import Locations


@pytest.fixture
def locations(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Locations]:
    config = tmp_path / "config"
    monkeypatch.setenv("KEYDECK_CONFIG_DIR", str(config))
    monkeypatch.setenv("KEYDECK_PASSWORD", PASSWORD)
    monkeypatch.delenv("KEYDECK_IMPORT_PASSWORD", raising=False)
    monkeypatch.delenv("KEYDECK_BACKUP_PASSWORD", raising=False)
    yield Locations.resolve(config)
    redact.forget_all()
