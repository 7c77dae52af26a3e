"""The real app, unlocked on its dashboard, for benchmarks that drive it with `run_test`.

A keyfile (cheap KDF: unlock cost is measured elsewhere) holds the accounts a simulator
process describes; the app is KeydeckApp with the dashboard as home, as `keydeck` runs it.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PASSWORD = "benchmark-app-session-42"  # noqa: S105 - a throwaway keyfile
SIZE = (140, 45)


@dataclass
class AppSession:
    app: Any
    pilot: Any
    screen: Any
    """The dashboard screen."""


async def wait_until(
    pilot: Any, ready: Callable[[], object], what: str, limit: float = 120
) -> None:
    deadline = time.monotonic() + limit
    while not ready():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        await pilot.pause(0.05)


@asynccontextmanager
async def dashboard_session(
    description: dict[str, Any], *, settings: Any = None
) -> AsyncIterator[AppSession]:
    """Yield the app unlocked on its dashboard with every account checked once."""
    from textual.widgets import Input

    from benchmarks.simproc import vault_accounts
    from tui.base.paths import Locations, ensure_private_dir
    from tui.base.settings import Settings
    from tui.connect import Connector
    from tui.ui.app import KeydeckApp
    from tui.ui.dashboard.screen import DashboardScreen
    from tui.vault import KdfParams, Vault

    cheap = KdfParams.insecure_fast()
    accounts = vault_accounts(description["accounts"])
    # The dashboard closes its history file in a thread as it unmounts, which can still be
    # writing there when the folder is removed: a left-over file must not lose the figures.
    with tempfile.TemporaryDirectory(prefix="keydeck-bench-", ignore_cleanup_errors=True) as folder:
        locations = Locations.resolve(str(Path(folder) / "config"))
        ensure_private_dir(locations.config_dir)
        with Vault.create(locations.keyfile, PASSWORD, kdf=cheap) as vault:
            for account in accounts:
                vault.add(account)
            vault.save()
        app = KeydeckApp(
            locations,
            settings=settings if settings is not None else Settings(),
            vault_options={"kdf": cheap},
            connector_factory=lambda: Connector(cache_dir=locations.cache_dir, timeout_s=10),
        )
        async with app.run_test(size=SIZE) as pilot:
            await wait_until(pilot, lambda: app.screen.query("#password"), "the unlock form")
            app.screen.query_one("#password", Input).value = PASSWORD
            await pilot.press("enter")
            await wait_until(pilot, lambda: isinstance(app.screen, DashboardScreen), "dashboard")
            await wait_until(
                pilot, lambda: len(app.session.reports) >= len(accounts), "the first refresh"
            )
            await wait_until(pilot, lambda: app.catalog.loaded, "the catalog")
            # The first round's end: the dashboard then collects and freezes the long-lived
            # heap once (tui/ui/dashboard/heap.py); measure the steady state after it.
            await wait_until(pilot, lambda: not app.screen.refreshing, "the first round's end")
            await pilot.pause(0.5)
            yield AppSession(app, pilot, app.screen)
