"""Fixtures for the dashboard tests: a host app around the screen, a fixed clock."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from textual.app import App

from tests.dashboard.sample import ACCOUNTS, ScriptedConnector, fixed_clock
from tui.ui.dashboard import DashboardScreen, DashboardSettings, MemoryAcknowledgements
from tui.ui.dashboard.config import Acknowledgements

SIZE = (120, 36)


class DashboardHost(App[None]):
    """A bare app that shows one dashboard screen, like KeydeckApp does after unlock."""

    def __init__(self, screen: DashboardScreen) -> None:
        super().__init__()
        self.dashboard = screen

    def on_mount(self) -> None:
        self.push_screen(self.dashboard)


def make_host(
    connector: Any | None = None,
    accounts: Sequence[Any] = ACCOUNTS,
    *,
    settings: DashboardSettings | None = None,
    acknowledgements: Acknowledgements | None = None,
    notice: str | None = None,
) -> DashboardHost:
    screen = DashboardScreen(
        connector if connector is not None else ScriptedConnector(),
        accounts,
        settings or DashboardSettings(refresh_interval_s=0),
        clock=fixed_clock,
        acknowledgements=acknowledgements or MemoryAcknowledgements(),
        notice=notice,
    )
    return DashboardHost(screen)


async def settle(pilot: Any) -> None:
    """Let the refresh worker finish and every posted message be handled."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()
