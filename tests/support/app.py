"""The app as production wires it, around a temp keyfile with a cheap KDF."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tui.base.paths import Locations
from tui.base.settings import Settings
from tui.ui.app import KeydeckApp

PASSWORD = "tangerine orbit pillow 42"


def cheap_kdf() -> dict[str, Any]:
    from tui.vault import KdfParams

    return {"kdf": KdfParams.insecure_fast()}


def make_keyfile(
    locations: Locations,
    accounts: Sequence[Any] = (),
    *,
    password: str = PASSWORD,
    vault_options: dict[str, Any] | None = None,
) -> Path:
    """A keyfile holding `accounts`, at `locations.keyfile`."""
    from tui.base.paths import ensure_private_dir
    from tui.vault import Vault

    ensure_private_dir(locations.config_dir)
    options = vault_options if vault_options is not None else cheap_kdf()
    with Vault.create(locations.keyfile, password, **options) as vault:
        for account in accounts:
            vault.add(account)
        vault.save()
    return locations.keyfile


def build_app(
    locations: Locations,
    *,
    catalog: Sequence[Any] | None = None,
    timeout_s: float = 5.0,
    **overrides: Any,
) -> KeydeckApp:
    """KeydeckApp with the real dashboard home, real connector and a cheap KDF.

    `catalog`: a preloaded exchange catalog (building it takes seconds); None loads it.
    """
    from tui.connect.service import Connector

    options: dict[str, Any] = {
        "settings": Settings(),
        "vault_options": cheap_kdf(),
        "connector_factory": lambda: Connector(cache_dir=locations.cache_dir, timeout_s=timeout_s),
    }
    if catalog is not None:
        options["catalog_loader"] = lambda _cache: list(catalog)
    options.update(overrides)
    return KeydeckApp(locations, **options)
