"""Opening screens for the app: which screen an action or a screen's request leads to.

The app's actions (keys, the command palette) and the requests screens post
(`tui.messages`) delegate here, so the app itself keeps only the session's life and the
services. Screens are imported when first opened: none of them is on the path to the
first frame (docs/benchmarks.md).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui.messages import describe
from tui.screens.unlock import UnlockScreen

if TYPE_CHECKING:
    from textual.app import App
    from textual.screen import Screen

    from tui.exchange_catalog import ExchangeCatalog
    from tui.keyfile_access import KeyfileAccess
    from tui.paths import Locations
    from tui.session import Session
    from tui.settings import Settings

log = logging.getLogger(__name__)


class Navigator:
    """The screens of one app: given its services, and `session()` for the one unlocked."""

    def __init__(
        self,
        app: App[Any],
        *,
        keyfile: KeyfileAccess,
        catalog: ExchangeCatalog,
        locations: Locations,
        notice: str | None,
        session: Callable[[], Session | None],
    ) -> None:
        self._app = app
        self._keyfile = keyfile
        self._catalog = catalog
        self._locations = locations
        self._notice = notice
        self._session = session

    # ---- the entry: unlock, or create a keyfile ---------------------------------------------

    def entry_screen(self) -> Screen[Any]:
        """The unlock screen when a keyfile exists, else the first-run screen."""
        if self._keyfile.exists():
            return self.unlock_screen()
        from tui.screens.create import CreateKeyfileScreen

        return CreateKeyfileScreen(self._keyfile)

    def unlock_screen(self) -> Screen[Any]:
        return UnlockScreen(self._keyfile, notice=self._notice)

    def show_entry_screen(self) -> None:
        """In place of the screen on top (the stack's base is the entry screen, then the
        dashboard: never a blank screen under them)."""
        self._app.switch_screen(self.entry_screen())

    def keyfile_failed(self, error: BaseException) -> None:
        """A keyfile that cannot be opened: what is wrong, and how to fix it."""
        from tui.screens.keyfile_problem import KeyfileProblemScreen, explain_keyfile_error

        app, keyfile = self._app, self._keyfile
        trouble = explain_keyfile_error(error, keyfile.keyfile)
        log.warning("keyfile problem: %s", trouble.title)

        def chosen(choice: str | None) -> None:
            if choice == "quit":
                app.exit()
            elif choice == "restore":
                from tui.screens.restore_backup import RestoreBackupScreen

                app.push_screen(RestoreBackupScreen(keyfile), restored)
            else:
                self.show_entry_screen()

        def restored(aside: Path | None) -> None:
            if aside is not None:
                app.notify(
                    f"The backup is in place; the damaged keyfile is kept as {aside.name}.",
                    title="Backup restored",
                    markup=False,
                )
            self.show_entry_screen()

        app.push_screen(KeyfileProblemScreen(trouble, keyfile.keyfile), chosen)

    # ---- screens over the session ------------------------------------------------------------

    def show_session(
        self,
        session: Session,
        settings: Settings,
        *,
        created: bool,
        clock: Callable[[], datetime] | None,
    ) -> None:
        """The dashboard in place of the unlock screen; the exchange list above it when the
        keyfile holds no key yet."""
        from tui.dashboard.session import SessionDashboard
        from tui.screens.exchanges import ExchangeListScreen

        extra = {"clock": clock} if clock is not None else {}
        app = self._app
        app.switch_screen(SessionDashboard(session, self._catalog, settings, self._notice, **extra))
        if not session.accounts:
            app.push_screen(ExchangeListScreen(session, self._catalog))
        if created:
            app.notify(
                "Keyfile created. Pick an exchange and press Enter to add a key.", title="Ready"
            )

    def help(self) -> None:
        # Markdown: kept off the path to the first frame
        from tui.screens.help import HelpScreen, keys_of

        if not isinstance(self._app.screen, HelpScreen):
            self._app.push_screen(HelpScreen(keys_of(self._app.screen), self._locations.settings))

    def home(self) -> None:
        """Back to the dashboard, closing the screens above it."""
        from tui.dashboard.screen import DashboardScreen

        stack = self._app.screen_stack
        for index, screen in enumerate(stack):
            if isinstance(screen, DashboardScreen):
                for _ in range(len(stack) - index - 1):
                    self._app.pop_screen()
                return

    def connect(self, exchange_id: str) -> None:
        from tui.screens.key_entry import KeyEntryScreen

        info = self._catalog.info(exchange_id)
        session = self._session()
        if info is not None and session is not None:
            self._app.push_screen(KeyEntryScreen(session, info, notice=self._notice))

    def connect_any(self) -> None:
        from tui.screens.exchanges import ExchangeListScreen

        session = self._session()
        if session is not None:
            self._app.push_screen(ExchangeListScreen(session, self._catalog))

    def change_password(self) -> None:
        from tui.screens.change_password import ChangePasswordScreen, offer_backup_removal

        app, session = self._app, self._session()
        if session is None:
            return

        def done(changed: bool | None) -> None:
            if changed:  # from the app, once the dialog is gone: it gets no more callbacks
                app.call_later(offer_backup_removal, app, session)

        app.push_screen(ChangePasswordScreen(session), done)

    def remove_account(self, exchange_id: str | None = None) -> None:
        from tui.screens.remove_account import start_remove_account

        session = self._session()
        if session is not None:
            start_remove_account(self._app, session, self._catalog, exchange_id)

    def remove(self, account_id: str | None, exchange_id: str | None) -> None:
        """A screen asked to remove one account (confirmed first), else a pick of them."""
        from tui.screens.remove_account import confirm_remove

        session = self._session()
        account = session.account(account_id) if session and account_id else None
        if session is not None and account is not None:
            confirm_remove(self._app, session, self._catalog, account)
        else:
            self.remove_account(exchange_id or None)

    def import_keys(self) -> None:
        from tui.screens.import_keys import ImportKeysScreen

        session = self._session()
        if session is not None:
            self._app.push_screen(ImportKeysScreen(session, self._catalog))

    def take_back_risk(self) -> None:
        from tui.screens.take_back import start_take_back

        session = self._session()
        if session is not None:
            start_take_back(self._app, session, self._catalog)

    def recheck(self, account_id: str) -> None:
        """Run on the dashboard, so its rows show the check and its answer."""
        from tui.dashboard.screen import DashboardScreen

        session = self._session()
        account = session.account(account_id) if session is not None else None
        for screen in self._app.screen_stack:
            if isinstance(screen, DashboardScreen) and account is not None:
                screen.check_now(account.id)
                return

    # ---- failures: the one place that turns them into a toast or a modal -------------------

    def failure(self, title: str, error: BaseException | str, *, blocking: bool) -> None:
        text = describe(error)
        if blocking:
            from tui.screens.dialogs import ErrorScreen

            self._app.push_screen(ErrorScreen(title, text))
        else:
            self._app.notify(text, title=title, severity="error", timeout=8, markup=False)
