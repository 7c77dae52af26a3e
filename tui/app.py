"""KeydeckApp: the composition root of the full-screen app.

The keyfile location, the connector service (a factory, so each unlock gets fresh clients),
the exchange catalog loader and the settings are passed in; tests build the app around a
temp keyfile with cheap KDF parameters and the loopback simulator.

Session life-cycle: unlock -> `start_session(vault)` -> exchange list; lock (ctrl+l, the
command palette, or idle time) -> `lock()` drops the decrypted accounts, closes the exchange
clients, pauses timers and shows the unlock screen again.
"""

from __future__ import annotations

import logging
import time
import traceback
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import events, work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.signal import Signal
from textual.timer import Timer
from textual.worker import Worker, WorkerState

from tui import redact
from tui.messages import (
    AccountCheck,
    AccountRemoved,
    CatalogFailed,
    CatalogLoaded,
    TaskFailed,
    describe,
)
from tui.paths import Locations
from tui.process import disable_core_dumps
from tui.screens.create import CreateKeyfileScreen
from tui.screens.dialogs import ErrorScreen
from tui.screens.keyfile_problem import KeyfileProblemScreen, explain_keyfile_error
from tui.screens.palette import KeydeckCommands
from tui.screens.unlock import UnlockScreen
from tui.settings import LoadedSettings, Settings, load_settings, save_settings

if TYPE_CHECKING:
    from tui.connect.catalog import ExchangeInfo
    from tui.connect.service import Connector
    from tui.vault import Account, Vault

log = logging.getLogger(__name__)

ConnectorFactory = Callable[[], "Connector"]
HomeFactory = Callable[["KeydeckApp"], Screen[Any]]
CatalogLoader = Callable[[Path | None], "list[ExchangeInfo]"]

IDLE_CHECK_SECONDS = 5.0
CRASH_HEADER = (
    "Keydeck stopped on an unexpected error. No key or password is shown below; the same "
    "report is in the log file."
)


def default_connector_factory(locations: Locations) -> ConnectorFactory:
    def make() -> Connector:
        from tui.connect.service import Connector

        return Connector(cache_dir=locations.cache_dir)

    return make


def default_catalog_loader(cache_dir: Path | None) -> list[ExchangeInfo]:
    from tui.connect.catalog import load_catalog

    return load_catalog(cache_dir)


class KeydeckApp(App[None]):
    TITLE = "Keydeck"
    SUB_TITLE = "exchange API keys"
    CSS_PATH = Path(__file__).with_name("app.tcss")
    ENABLE_COMMAND_PALETTE = True
    COMMANDS = App.COMMANDS | {KeydeckCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1", "help", "Help", id="help"),
        Binding("ctrl+l", "lock", "Lock", id="lock", priority=True),
        Binding("f2", "home", "Home", id="home"),
    ]

    def __init__(
        self,
        locations: Locations,
        *,
        settings: LoadedSettings | Settings | None = None,
        connector_factory: ConnectorFactory | None = None,
        catalog_loader: CatalogLoader | None = None,
        vault_options: Mapping[str, Any] | None = None,
        clock: Callable[[], float] = time.monotonic,
        home: HomeFactory | None = None,
        notice: str | None = None,
    ) -> None:
        """Services come in here so tests can build the app around a temp keyfile.

        `settings`: the loaded settings (None: read `locations.settings`).
        `connector_factory`: makes the connector service, once per unlock (None: the real one).
        `catalog_loader`: blocking exchange-catalog loader, run in a thread worker.
        `vault_options`: extra arguments for `Vault.create/open/change_password`, e.g. a
        cheap `kdf` in tests. `clock`: monotonic seconds, for the idle lock.
        `home` builds the screen shown after unlock (None: the exchange list); that screen
        then checks the accounts itself. `notice` is a line for every header (demo).
        """
        super().__init__()
        self.locations = locations
        self._home = home
        self.notice = notice
        if notice:
            self.sub_title = notice.splitlines()[0]
        if settings is None:
            settings = load_settings(locations.settings)
        if isinstance(settings, Settings):
            settings = LoadedSettings(settings)
        self.settings = settings.settings
        self._settings_problem = settings.problem
        self._settings_writable = settings.writable
        self._connector_factory = connector_factory or default_connector_factory(locations)
        self._catalog_loader = catalog_loader or default_catalog_loader
        self._vault_options = dict(vault_options or {})
        self._clock = clock

        self.vault: Vault | None = None
        self.connector: Connector | None = None
        self.catalog: list[ExchangeInfo] | None = None
        self.catalog_problem: str | None = None
        self.checks: dict[str, AccountCheck] = {}
        self.accounts_changed = Signal[None](self, "accounts-changed")
        self.catalog_changed = Signal[None](self, "catalog-changed")
        self._last_activity = clock()
        self._idle_timer: Timer | None = None

    # ---- start-up ------------------------------------------------------------------------

    def on_mount(self) -> None:
        if self.settings.theme in self.available_themes:
            self.theme = self.settings.theme
        else:
            self.notify(
                f"Unknown theme {self.settings.theme!r} in the settings; using the default.",
                severity="warning",
            )
        self.theme_changed_signal.subscribe(self, self._theme_changed)
        if self._settings_problem:
            self.notify(self._settings_problem, title="Settings", severity="warning", timeout=12)
        self._idle_timer = self.set_interval(IDLE_CHECK_SECONDS, self.check_idle_lock, pause=True)
        self.show_entry_screen()
        self.call_after_refresh(self._warm_up_screens)

    @work(thread=True, exit_on_error=False, group="warm-up")
    def _warm_up_screens(self) -> None:
        """Import the screens the first frame does not need once it is on the terminal, so
        unlocking (the dashboard) and F1 (help) do not pause on an import."""
        import importlib

        modules = ["tui.screens.help"]
        if self._home is not None:
            modules.append("tui.dashboard.session")
        for module in modules:
            importlib.import_module(module)

    def show_entry_screen(self) -> None:
        """The unlock screen when a keyfile exists, else the first-run screen."""
        keyfile = self.locations.keyfile
        if keyfile.exists() or keyfile.is_symlink():
            self._replace_top(UnlockScreen())
        else:
            self._replace_top(CreateKeyfileScreen())

    def _replace_top(self, screen: Screen[Any]) -> None:
        if len(self.screen_stack) > 1:
            self.switch_screen(screen)
        else:
            self.push_screen(screen)

    # ---- the keyfile (called from thread workers) -----------------------------------------

    def open_vault(self, password: redact.Secret) -> Vault:
        from tui.vault import Vault

        return Vault.open(self.locations.keyfile, password, **self._vault_options)

    def inspect_vault(self) -> None:
        """Raise the keyfile error that needs no password to find (see `Vault.inspect`)."""
        from tui.vault import Vault

        caps = self._vault_options.get("caps")
        Vault.inspect(self.locations.keyfile, **({"caps": caps} if caps is not None else {}))

    def create_vault(self, password: redact.Secret) -> Vault:
        from tui.paths import ensure_private_dir
        from tui.vault import Vault

        ensure_private_dir(self.locations.config_dir)
        return Vault.create(self.locations.keyfile, password, **self._vault_options)

    def show_keyfile_problem(self, error: BaseException) -> None:
        trouble = explain_keyfile_error(error, self.locations.keyfile)
        log.warning("keyfile problem: %s", trouble.title)

        def chosen(choice: str | None) -> None:
            if choice == "quit":
                self.exit()
            else:
                self.show_entry_screen()

        self.push_screen(KeyfileProblemScreen(trouble, self.locations.keyfile), chosen)

    # ---- session ------------------------------------------------------------------------

    @property
    def vault_options(self) -> dict[str, Any]:
        """Extra keyword arguments for Vault.create/open/change_password (tests: cheap KDF)."""
        return dict(self._vault_options)

    @property
    def unlocked(self) -> bool:
        return self.vault is not None

    def start_session(self, vault: Vault, *, created: bool = False) -> None:
        from tui.screens.exchanges import ExchangeListScreen

        self.vault = vault
        self.connector = self._connector_factory()
        self.checks = {}
        self.touch()
        if self._idle_timer is not None:
            self._idle_timer.resume()
        if self._home is None:
            self._replace_top(ExchangeListScreen())
        else:
            self._replace_top(self._home(self))
            if not vault.accounts:
                self.push_screen(ExchangeListScreen())
        if created:
            self.notify(
                "Keyfile created. Pick an exchange and press Enter to add a key.",
                title="Ready",
            )
        self.load_catalog()
        self._warm_up_exchange_library()
        if self._home is None:
            self.check_accounts()

    async def lock(self, reason: str | None = None) -> None:
        """Forget the decrypted keys, close exchange clients, show the unlock screen."""
        if self.vault is None:
            return
        vault, self.vault = self.vault, None
        connector, self.connector = self.connector, None
        self.checks = {}
        if self._idle_timer is not None:
            self._idle_timer.pause()
        self.workers.cancel_group(self, "session")
        # Not awaited: the stack changes at once; awaiting removal inside a handler stalls.
        while len(self.screen_stack) > 2:
            self.pop_screen()
        self.switch_screen(UnlockScreen())
        try:
            vault.close()
        except Exception as error:  # closing must not stop the lock
            log.warning("closing the keyfile failed: %s", describe(error))
        if connector is not None:
            self._close_connector(connector)
        redact.forget_all()
        if reason:
            self.notify(reason, title="Locked")

    async def on_unmount(self) -> None:
        """Quitting: release the keyfile and close every exchange client."""
        vault, self.vault = self.vault, None
        connector, self.connector = self.connector, None
        if vault is not None:
            try:
                vault.close()
            except Exception as error:
                log.warning("closing the keyfile failed: %s", describe(error))
        if connector is not None:
            try:
                await connector.aclose()
            except Exception as error:
                log.warning("closing exchange clients failed: %s", describe(error))
        redact.forget_all()

    @work(group="closing", exit_on_error=False)
    async def _close_connector(self, connector: Connector) -> None:
        await connector.aclose()

    async def action_lock(self) -> None:
        await self.lock()

    @property
    def has_home_screen(self) -> bool:
        """True when a home screen (the dashboard) sits under the exchange list."""
        return self._home is not None

    def action_home(self) -> None:
        """Back to the screen shown after unlock, closing the ones above it."""
        if self._home is None:
            return
        from tui.dashboard.session import show_dashboard

        show_dashboard(self)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "home":
            return self.unlocked and self._home is not None
        if action in {"lock", "change_password", "remove_account", "connect"}:
            return self.unlocked
        return True

    # ---- idle auto-lock ------------------------------------------------------------------

    def touch(self) -> None:
        """Note user activity (keys, mouse, paste)."""
        self._last_activity = self._clock()

    async def on_event(self, event: events.Event) -> None:
        if isinstance(
            event,
            events.Key
            | events.MouseDown
            | events.MouseScrollDown
            | events.MouseScrollUp
            | events.Paste,
        ):
            self.touch()
        await super().on_event(event)

    def check_idle_lock(self) -> None:
        """Lock when no input came for the configured time (runs on a timer)."""
        minutes = self.settings.idle_lock_minutes
        if self.vault is None or minutes <= 0:
            return
        if self._clock() - self._last_activity >= minutes * 60:
            self.call_later(self.lock, f"Locked after {minutes} minutes without input.")

    # ---- catalog and background checks ----------------------------------------------------

    def load_catalog(self) -> None:
        if self.catalog is None:
            self._load_catalog()

    @work(thread=True, exclusive=True, exit_on_error=False, group="catalog")
    def _load_catalog(self) -> None:
        try:
            exchanges = self._catalog_loader(self.locations.cache_dir)
        except Exception as error:
            log.exception("loading the exchange catalog failed")
            self.post_message(CatalogFailed(error))
            return
        self.post_message(CatalogLoaded(exchanges))

    def on_catalog_loaded(self, message: CatalogLoaded) -> None:
        self.catalog = sorted(message.exchanges, key=lambda info: info.name.lower())
        self.catalog_problem = None
        self.catalog_changed.publish(None)

    def on_catalog_failed(self, message: CatalogFailed) -> None:
        self.catalog_problem = describe(message.error)
        self.catalog_changed.publish(None)
        self.report_failure("The exchange list could not be loaded", message.error, blocking=True)

    def exchange_info(self, exchange_id: str) -> ExchangeInfo | None:
        for info in self.catalog or ():
            if info.id == exchange_id:
                return info
        return None

    @work(thread=True, exit_on_error=False, group="warm-up")
    def _warm_up_exchange_library(self) -> None:
        """Import ccxt in the background so the first verify does not pause the screen."""
        import importlib

        importlib.import_module("ccxt.async_support")

    @work(exclusive=True, exit_on_error=False, group="session")
    async def check_accounts(self, accounts: Iterable[Account] | None = None) -> None:
        """Check every account (or the given ones) and publish each result as it arrives."""
        if self.vault is None or self.connector is None:
            return
        todo = list(accounts if accounts is not None else self.vault.accounts)
        if not todo:
            return
        async for report in self.connector.refresh(todo, with_permissions=True):
            self.checks[report.account_id] = AccountCheck.from_report(report)
            self.accounts_changed.publish(None)

    def record_check(self, account_id: str, check: AccountCheck) -> None:
        self.checks[account_id] = check
        self.accounts_changed.publish(None)

    # ---- saving ----------------------------------------------------------------------------

    def save_vault(self) -> None:
        """Write the keyfile. Blocking: call from a thread worker."""
        assert self.vault is not None
        self.vault.save()

    # ---- actions ---------------------------------------------------------------------------

    def action_help(self) -> None:
        from tui.screens.help import HelpScreen  # Markdown: kept off the path to the first frame

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.locations.settings))

    def action_connect(self, exchange_id: str) -> None:
        from tui.screens.key_entry import KeyEntryScreen

        info = self.exchange_info(exchange_id)
        if info is None or self.vault is None:
            return
        self.push_screen(KeyEntryScreen(info))

    def action_change_password(self) -> None:
        from tui.screens.change_password import ChangePasswordScreen

        if self.vault is not None:
            self.push_screen(ChangePasswordScreen())

    def action_remove_account(self, exchange_id: str = "") -> None:
        from tui.screens.remove_account import start_remove_account

        if self.vault is not None:
            start_remove_account(self, exchange_id or None)

    def on_account_removed(self, message: AccountRemoved) -> None:
        account = message.account
        self.checks.pop(account.id, None)
        self.accounts_changed.publish(None)
        if self.connector is not None:
            self.run_worker(
                self.connector.close_account(account.id), group="closing", exit_on_error=False
            )
        self.notify(f"{account.display_name} removed.", title="Account removed")

    # ---- settings ---------------------------------------------------------------------------

    def _theme_changed(self, theme: object) -> None:
        name = getattr(theme, "name", None) or self.theme
        if name != self.settings.theme:
            self.update_settings(theme=name)

    def update_settings(self, **changes: Any) -> None:
        self.settings = self.settings.with_changes(**changes)
        if self._settings_writable:
            self._save_settings(self.settings)

    @work(thread=True, exclusive=True, exit_on_error=False, group="settings")
    def _save_settings(self, settings: Settings) -> None:
        try:
            save_settings(settings, self.locations.settings)
        except OSError as error:
            self.post_message(TaskFailed("Settings were not saved", error))

    # ---- failures: the one place that turns them into a toast or a modal -------------------

    def report_failure(self, title: str, error: BaseException | str, *, blocking: bool) -> None:
        text = describe(error)
        if blocking:
            self.push_screen(ErrorScreen(title, text))
        else:
            self.notify(text, title=title, severity="error", timeout=8)

    def on_task_failed(self, message: TaskFailed) -> None:
        self.report_failure(message.title, message.error, blocking=message.blocking)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if event.state != WorkerState.ERROR or worker.error is None:
            return
        if worker.group in {"closing", "warm-up"}:
            log.warning("background task %s failed: %s", worker.name, describe(worker.error))
            return
        log.error("task %s failed: %s", worker.name, describe(worker.error))
        self.report_failure("Something went wrong", worker.error, blocking=True)

    # ---- crashes: a traceback without local variables, secrets scrubbed ---------------------

    def _session_secrets(self) -> list[str]:
        values: list[str] = []
        vault = self.vault
        if vault is None:
            return values
        try:
            for account in vault.accounts:
                for value in account.credentials.values():
                    plain = value.reveal() if isinstance(value, redact.Secret) else value
                    if isinstance(plain, str):
                        values.append(plain)
        except Exception:  # noqa: S110 - a crash report must never crash
            pass
        return values

    def crash_report(self, error: BaseException) -> str:
        plain = "".join(traceback.format_exception(error))
        return redact.scrub(plain, extra=self._session_secrets())

    def _handle_exception(self, error: Exception) -> None:
        self._return_code = 1
        if self._exception is None:
            self._exception = error
            self._exception_event.set()
        report = self.crash_report(error)
        log.error("crash:\n%s", report)
        self.bell()
        self._exit_renderables.append(Text(f"{CRASH_HEADER}\n\n{report}"))
        self._close_messages_no_wait()


def run_app(locations: Locations, *, notice: str | None = None) -> int:
    """Entry point used by `keydeck` with no subcommand (and by `keydeck --demo`)."""
    from tui.logs import setup_logging

    disable_core_dumps()
    try:
        setup_logging(locations.log_file)
    except OSError as error:
        print(f"keydeck: cannot write the log file {locations.log_file}: {error.strerror}")
    app = KeydeckApp(locations, home=_dashboard_home, notice=notice)
    app.run()
    return app.return_code or 0


def _dashboard_home(app: KeydeckApp) -> Screen[Any]:
    """The dashboard, imported on first use: it is not on the path to the first frame."""
    from tui.dashboard.session import session_dashboard

    return session_dashboard(app)
