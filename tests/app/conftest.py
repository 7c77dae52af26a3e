"""Fixtures for the app tests: isolated config dir, no cursor blink."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tui import redact


@pytest.fixture(autouse=True)
def isolated_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Never touch the user's real config: KEYDECK_CONFIG_DIR points at a temp dir."""
    config = tmp_path / "config"
    monkeypatch.setenv("KEYDECK_CONFIG_DIR", str(config))
    yield config
    redact.forget_all()
