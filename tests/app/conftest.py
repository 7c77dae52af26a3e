"""Fixtures for the app tests: isolated config dir, no cursor blink, a temp keyfile with a
cheap KDF, the real exchange catalog (built once per session), and the loopback simulator."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, TextArea

from tests.support.accounts import sim_account
from tests.support.app import PASSWORD, build_app
from tests.support.app import make_keyfile as _make_keyfile
from tui.base import redact
from tui.base.paths import Locations
from tui.ui.app import KeydeckApp

__all__ = ["PASSWORD", "SIZE", "make_keyfile", "sim_account"]
SIZE = (110, 36)


@pytest.fixture(autouse=True)
def isolated_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Never touch the user's real config: KEYDECK_CONFIG_DIR points at a temp dir."""
    config = tmp_path / "config"
    monkeypatch.setenv("KEYDECK_CONFIG_DIR", str(config))
    yield config
    redact.forget_all()


@pytest.fixture(autouse=True)
def no_cursor_blink(monkeypatch: pytest.MonkeyPatch) -> None:
    """A blinking cursor makes screenshots depend on timing."""
    monkeypatch.setattr(Input.cursor_blink, "_default", False)
    monkeypatch.setattr(TextArea.cursor_blink, "_default", False)


@pytest.fixture
def locations(isolated_config: Path) -> Locations:
    return Locations.resolve(isolated_config)


@pytest.fixture(scope="session")
def fast_kdf() -> dict[str, Any]:
    from tui.vault import KdfParams

    return {"kdf": KdfParams.insecure_fast()}


@pytest.fixture(scope="session")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> list[Any]:
    from tui.connect.catalog import load_catalog

    return load_catalog(tmp_path_factory.mktemp("catalog-cache"))


def make_keyfile(
    locations: Locations, fast_kdf: dict[str, Any], accounts: Sequence[Any] = ()
) -> Path:
    return _make_keyfile(locations, accounts, vault_options=fast_kdf)


AppFactory = Callable[..., KeydeckApp]


@pytest.fixture
def make_app(locations: Locations, catalog: list[Any]) -> AppFactory:
    def build(**overrides: Any) -> KeydeckApp:
        return build_app(locations, catalog=catalog, **overrides)

    return build


@pytest.fixture
async def sim() -> AsyncIterator[Any]:
    from tui.sim import Simulator

    async with Simulator() as simulator:
        yield simulator
