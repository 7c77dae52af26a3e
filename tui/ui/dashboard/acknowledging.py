"""Accepting a critical risk on the dashboard (`k`): written to the keyfile in a worker."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from textual import work
from textual.screen import Screen

from tui.ui.dashboard.messages import CriticalAcknowledged

if TYPE_CHECKING:
    from tui.ui.dashboard.config import Acknowledgements
    from tui.ui.dashboard.model import DashboardModel

log = logging.getLogger(__name__)


class AcknowledgeRisks(Screen[Any]):
    """Mixin for the dashboard screen (which has `model`, `acknowledgements` and
    `_draw_warnings`)."""

    model: DashboardModel
    acknowledgements: Acknowledgements

    def _draw_warnings(self) -> None:
        raise NotImplementedError

    def action_acknowledge(self) -> None:
        open_items = self.model.open_criticals(self.acknowledgements.is_acknowledged)
        if not open_items:
            self.notify("No critical warning is waiting.", title="Acknowledge")
            return
        item = open_items[0]
        self._acknowledge(item.view.account_id, item.finding.code, item.view.name)

    @work(thread=True, exclusive=True, group="dashboard-acknowledgements", exit_on_error=False)
    def _acknowledge(self, account_id: str, code: str, name: str) -> None:
        """Write the acknowledgement (the keyfile: blocking), then show it."""
        try:
            self.acknowledgements.acknowledge(account_id, code)
        except Exception as error:  # a full disk must not end the app
            log.warning("saving an acknowledgement failed: %s", type(error).__name__)
            self.app.call_from_thread(
                self.notify,
                "Could not save the acknowledgement: the warning stays. Details are in the log.",
                severity="error",
            )
            return
        self.app.call_from_thread(self._acknowledged, account_id, code, name)

    def _acknowledged(self, account_id: str, code: str, name: str) -> None:
        self.notify(
            f"{name}: accepted for this key. It stays listed under Permissions.",
            title="Risk acknowledged",
            severity="warning",
            markup=False,
        )
        self.post_message(CriticalAcknowledged(account_id, code))
        self._draw_warnings()
