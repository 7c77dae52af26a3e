"""Take back an accepted risk (command palette): the warning alerts again."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tui.ui.messages import TaskFailed
from tui.ui.screens.remove_account import AccountPickerScreen

if TYPE_CHECKING:
    from textual.app import App

    from tui.core.exchange_catalog import ExchangeCatalog
    from tui.core.session import Session


def start_take_back(app: App[object], session: Session, catalog: ExchangeCatalog) -> None:
    """Pick one accepted (account, finding) and take it back."""
    choices: list[tuple[str, str]] = []
    for account in session.accounts:
        for code in sorted(session.acknowledged_codes(account.id)):
            name = catalog.display_name(account.exchange)
            title = code.replace("_", " ")
            report = session.reports.get(account.id)
            for finding in report.findings if report is not None else ():
                if finding.code == code:
                    title = finding.title
            choices.append((f"{account.id}\t{code}", f"{name} · {account.label}: {title}"))
    if not choices:
        app.notify("No risk has been accepted.", title="Accepted risks")
        return

    def picked(choice: str | None) -> None:
        if choice is None or "\t" not in choice:
            return
        account_id, code = choice.split("\t", 1)

        def take_back() -> None:
            try:
                session.unacknowledge(account_id, code)
            except Exception as error:
                app.post_message(TaskFailed("The change was not saved", error))
                return
            app.call_from_thread(
                app.notify, "The warning is back for this key.", title="Accepted risks"
            )

        app.run_worker(take_back, thread=True, group="take-back", exit_on_error=False)

    app.push_screen(AccountPickerScreen("Take back which accepted risk?", choices), picked)
