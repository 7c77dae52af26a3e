"""Unexpected worker failures reach the user.

Textual's `Worker.StateChanged` does not bubble, so a worker that fails on a screen (with
`exit_on_error=False`) would fail silently: the app never hears of it. Screens that run
workers mix this in; the app turns the `TaskFailed` into a dialog and the log keeps the
(scrubbed) details.
"""

from __future__ import annotations

import logging

from textual.worker import Worker, WorkerState

from tui.ui.messages import TaskFailed, describe

log = logging.getLogger(__name__)


class ReportsWorkerErrors:
    """Mix into a Screen before the Screen class."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if event.state is WorkerState.ERROR and worker.error is not None:
            log.error("task %s failed: %s", worker.name, describe(worker.error))
            self.app.post_message(  # type: ignore[attr-defined]
                TaskFailed("Something went wrong", worker.error, blocking=True)
            )
