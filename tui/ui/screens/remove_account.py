"""Remove an account: pick it (when there are several), confirm, save, close its client."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from tui.ui.messages import AccountRemoved, TaskFailed
from tui.ui.screens.dialogs import ChoiceScreen

if TYPE_CHECKING:
    from textual.app import App

    from tui.core.exchange_catalog import ExchangeCatalog
    from tui.core.session import Session
    from tui.vault import Account


def account_title(catalog: ExchangeCatalog, account: Account) -> str:
    name = catalog.display_name(account.exchange)
    key = account.credentials.get("apiKey")
    shown = f" (key {key.masked()})" if key is not None else ""
    return f"{name} · {account.label}{shown}"


class AccountPickerScreen(ModalScreen["str | None"]):
    """Choose one account; dismisses with its id, or None."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="picker_cancel"),
    ]

    def __init__(self, title: str, choices: list[tuple[str, str]]) -> None:
        super().__init__()
        self._title = title
        self._choices = choices

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self._title, classes="dialog-title")
            yield OptionList(
                *[Option(Text(text), id=key) for key, text in self._choices], id="choices"
            )

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


def start_remove_account(
    app: App[object], session: Session, catalog: ExchangeCatalog, exchange_id: str | None
) -> None:
    accounts = [a for a in session.accounts if exchange_id is None or a.exchange == exchange_id]
    if not accounts:
        app.notify("There is no account to remove.", severity="warning")
        return
    if len(accounts) == 1:
        confirm_remove(app, session, catalog, accounts[0])
        return
    by_id = {a.id: a for a in accounts}

    def picked(account_id: str | None) -> None:
        if account_id in by_id:
            confirm_remove(app, session, catalog, by_id[account_id])

    app.push_screen(
        AccountPickerScreen(
            "Remove which account?", [(a.id, account_title(catalog, a)) for a in accounts]
        ),
        picked,
    )


def confirm_remove(
    app: App[object], session: Session, catalog: ExchangeCatalog, account: Account
) -> None:
    title = account_title(catalog, account)
    body = Text.assemble(
        "Remove ",
        (title, "bold"),
        " from the keyfile?\n\nThe key itself stays valid at the exchange: revoke it there "
        "too if you no longer use it. Its past balances stay in the portfolio history unless "
        "you forget them too.",
    )

    def answered(choice: str | None) -> None:
        if choice in ("remove", "forget"):
            forget = choice == "forget"
            app.run_worker(
                lambda: _remove(app, session, account, forget_history=forget),
                thread=True,
                exclusive=True,
                group="remove-account",
                exit_on_error=False,
            )

    choices = [
        ("cancel", "Cancel"),
        ("remove", "Remove, keep history"),
        ("forget", "Remove, forget history"),  # fits the dialog (issue 23)
    ]
    dialog = ChoiceScreen("Remove account?", body, choices, danger={"remove", "forget"})
    app.push_screen(dialog, answered)


def _remove(app: App[object], session: Session, account: Account, *, forget_history: bool) -> None:
    """Thread worker: drop the account and save; the outcome comes back as a message."""
    from tui.vault import VaultError

    if session.closed:
        return
    try:
        session.remove_account(account.id)
    except (VaultError, OSError, KeyError) as error:
        from tui.ui.screens.keyfile_problem import explain_save_failure

        text = explain_save_failure(
            error, session.backup_path.parent, "remove the account again (F8 in the list)"
        )
        app.post_message(TaskFailed("The account was not removed", text, blocking=True))
        return
    app.post_message(AccountRemoved(account, forget_history=forget_history))
