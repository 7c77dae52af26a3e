"""The live dashboard: status, balances, the portfolio picture and permission warnings.

The panes only draw; `tui.ui.dashboard.model` computes what they show and has no Textual code of
its own, so tests can check the numbers without a screen.
"""

from tui.ui.dashboard.config import (
    Acknowledgements,
    DashboardSettings,
    FileAcknowledgements,
    MemoryAcknowledgements,
)
from tui.ui.dashboard.messages import (
    CriticalAcknowledged,
    RefreshFinished,
    RefreshStarted,
    ReportArrived,
)
from tui.ui.dashboard.screen import DashboardScreen, RefreshSource, utc_now

__all__ = [
    "Acknowledgements",
    "CriticalAcknowledged",
    "DashboardScreen",
    "DashboardSettings",
    "FileAcknowledgements",
    "MemoryAcknowledgements",
    "RefreshFinished",
    "RefreshSource",
    "RefreshStarted",
    "ReportArrived",
    "utc_now",
]
