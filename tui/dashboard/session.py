"""The dashboard inside KeydeckApp: the main screen after unlock.

`session_dashboard(app)` builds it from the app's services: the unlocked vault's accounts,
the session's connector, the settings, the vault as the place acknowledgements are kept.
It follows the keyfile (an account added or removed refreshes it), feeds every report to the
app's per-account checks (so the exchange list shows the same status without a second
round of requests), and opens the exchange list to connect a key.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from textual import on
from textual.binding import Binding, BindingType

from tui.dashboard.config import DashboardSettings, VaultAcknowledgements
from tui.dashboard.messages import ReportArrived
from tui.dashboard.screen import DashboardScreen

if TYPE_CHECKING:
    from tui.app import KeydeckApp


class SessionDashboard(DashboardScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "connect", "Connect a key", id="dashboard.connect"),
    ]

    def __init__(self, app: KeydeckApp, **kwargs: Any) -> None:
        assert app.vault is not None and app.connector is not None
        super().__init__(
            app.connector,
            list(app.vault.accounts),
            DashboardSettings.from_app_settings(app.settings),
            acknowledgements=VaultAcknowledgements(app.vault),
            notice=getattr(app, "notice", None),
            **kwargs,
        )
        self._keydeck = app
        self._known = _fingerprint(self.accounts)

    def on_mount(self) -> None:
        # No super().on_mount(): Textual calls every class's own `on_mount` in the MRO, so
        # DashboardScreen's runs anyway (calling it here started a second 1 s clock).
        self._keydeck.accounts_changed.subscribe(self, self._follow_keyfile)

    def _follow_keyfile(self, _: object) -> None:
        vault = self._keydeck.vault
        if vault is None:
            return
        accounts = list(vault.accounts)
        known = _fingerprint(accounts)
        if known != self._known:
            self._known = known
            self.set_accounts(accounts)

    @on(ReportArrived)
    def _share_with_app(self, message: ReportArrived) -> None:
        from tui.messages import AccountCheck

        report = message.report
        self._keydeck.checks[report.account_id] = AccountCheck.from_report(report)

    def action_connect(self) -> None:
        from tui.screens.exchanges import ExchangeListScreen

        self.app.push_screen(ExchangeListScreen())


def _fingerprint(accounts: list[Any]) -> tuple[tuple[str, Any], ...]:
    """Which accounts exist and when each last changed (keys replaced, label edited)."""
    return tuple((a.id, getattr(a, "updated_at", None)) for a in accounts)


def session_dashboard(app: KeydeckApp) -> SessionDashboard:
    return SessionDashboard(app)


def show_dashboard(app: KeydeckApp) -> None:
    """Close the screens above the dashboard (the exchange list, a dialog...)."""
    stack = app.screen_stack
    for index, screen in enumerate(stack):
        if isinstance(screen, DashboardScreen):
            for _ in range(len(stack) - index - 1):
                app.pop_screen()
            return
