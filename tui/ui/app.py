"""KeydeckApp: the composition root of the full-screen app.

Services come in (`KeyfileAccess`, the `ExchangeCatalog`, the settings); the app owns the
life of a `Session`; what keys and screens ask for (`tui.ui.messages`) goes to the
`Navigator` (tui/ui/navigator.py), which opens the screens. Screens get their services in their
constructors and never reach back into the app. tui/ui/lifecycle.py runs it as a process.

Session life-cycle: unlock -> `SessionStarted` -> the dashboard (the exchange list above it
when the keyfile is empty); lock (ctrl+l, the command palette, or idle time) -> the session
closes (keys forgotten, clients closed), timers pause, the unlock screen shows again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events, work
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.timer import Timer
from textual.worker import Worker, WorkerState

from tui.base.paths import Locations
from tui.base.settings import LoadedSettings, Settings, load_settings, save_settings
from tui.core.exchange_catalog import CatalogLoader, ExchangeCatalog
from tui.core.idle import IdleClock
from tui.core.keyfile_access import KeyfileAccess
from tui.core.session import ConnectorFactory
from tui.ui.crash import ScrubbedCrashes
from tui.ui.idle_lock import IdleLock
from tui.ui.messages import (
    AccountRemoved,
    ConnectRequested,
    KeyfileFailed,
    RecheckRequested,
    RemoveRequested,
    SessionStarted,
    TaskFailed,
    describe,
)
from tui.ui.navigator import Navigator

if TYPE_CHECKING:
    from textual.command import Provider

    from tui.core.session import Session
    from tui.ui.dashboard.messages import ViewChosen

log = logging.getLogger(__name__)

IDLE_CHECK_SECONDS = 5.0
SETTINGS_SAVE_DELAY_S = 1.0


def _keydeck_commands() -> type[Provider]:
    """The palette's commands, imported when the palette first opens (not for the first
    frame: docs/benchmarks.md, first frame)."""
    from tui.ui.screens.palette import KeydeckCommands

    return KeydeckCommands


class KeydeckApp(IdleLock, ScrubbedCrashes):
    TITLE = "Keydeck"
    SUB_TITLE = "exchange API keys"
    CSS_PATH = Path(__file__).with_name("app.tcss")
    ENABLE_COMMAND_PALETTE = True
    COMMANDS = ScrubbedCrashes.COMMANDS | {_keydeck_commands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1", "help", "Help", id="help", tooltip="Help: the keys of the screen you are on"),
        Binding(
            "ctrl+l",
            "lock",
            "Lock",
            id="lock",
            priority=True,
            tooltip="Lock: forget the decrypted keys until you unlock again",
        ),
        Binding("f2", "home", "Home", id="home", tooltip="Home: back to the dashboard"),
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
        wall_clock: Callable[[], datetime] | None = None,
        notice: str | None = None,
        after_first_frame: Callable[[], str | None] | None = None,
        crash_dir: Path | None = None,
    ) -> None:
        """Services come in here so tests build the app around a temp keyfile.

        `settings`: the loaded settings (None: read `locations.settings`).
        `connector_factory`: makes the connector service, once per unlock (None: the real one).
        `catalog_loader`: blocking exchange-catalog loader, run in a thread worker.
        `vault_options`: extra arguments for `Vault.create/open/change_password`, e.g. a
        cheap `kdf` in tests. `clock`: monotonic seconds, for the idle lock. `wall_clock`:
        the dashboard's "now" (screenshots pin it).
        `notice` is a line for every header (the demo's password and endpoints).
        `after_first_frame` runs in a thread once the first frame is out (the log file's
        set-up); a text it returns is shown as a warning. `crash_dir`: where a crash report
        goes (None: `locations.crash_dir`).
        """
        super().__init__()
        self.locations = locations
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
        self.keyfile = KeyfileAccess.for_locations(
            locations, connector_factory=connector_factory, vault_options=vault_options
        )
        self.catalog = ExchangeCatalog(catalog_loader, locations.cache_dir)
        self.session: Session | None = None
        self._wall_clock = wall_clock
        self._idle = IdleClock(clock)
        self._idle_warned = False
        self._kept_form: tuple[str, str] | None = None  # (exchange, label) of a form
        self._idle_timer: Timer | None = None
        self._settings_timer: Timer | None = None
        self._after_first_frame = after_first_frame
        self.crash_dir = crash_dir if crash_dir is not None else locations.crash_dir
        self.navigator = Navigator(
            self,
            keyfile=self.keyfile,
            catalog=self.catalog,
            locations=locations,
            notice=notice,
            session=lambda: self.session,
        )

    # ---- start-up ------------------------------------------------------------------------

    def get_default_screen(self) -> Screen[Any]:
        """The entry screen is the first screen: no blank default screen composed first and
        then covered (~30 ms of the first frame, docs/benchmarks.md)."""
        screen = self.navigator.entry_screen()
        # What `switch_screen` gives the screen it shows, so this one can be switched away
        # from too (Textual's default screen gets none: tests/app/test_unlock.py fails then).
        screen._push_result_callback(screen, None)
        return screen

    def on_mount(self) -> None:
        if self.settings.theme in self.available_themes:
            self.theme = self.settings.theme
        else:
            self._warn(f"Unknown theme {self.settings.theme!r} in the settings; the default.")
        self.theme_changed_signal.subscribe(self, self._theme_changed)
        if self._settings_problem:
            self._warn(self._settings_problem, title="Settings")
        self._idle_timer = self.set_interval(IDLE_CHECK_SECONDS, self.check_idle_lock, pause=True)
        self.call_after_refresh(self._warm_up_screens)

    def _warn(self, text: str, *, title: str | None = None) -> None:
        self.notify(text, title=title or "", severity="warning", timeout=12, markup=False)

    @work(thread=True, exit_on_error=False, group="warm-up")
    def _warm_up_screens(self) -> None:
        """Once the first frame is on the terminal: set up the log, then import the screens
        it did not need, so unlocking (the dashboard) and F1 (help) do not pause on one."""
        import importlib

        if self._after_first_frame is not None:
            problem = self._after_first_frame()
            if problem:
                self.call_from_thread(self._warn, problem)
        for module in ("tui.ui.screens.help", "tui.ui.dashboard.session", "tui.ui.screens.dialogs"):
            importlib.import_module(module)

    def on_keyfile_failed(self, message: KeyfileFailed) -> None:
        self.navigator.keyfile_failed(message.error)

    # ---- session ------------------------------------------------------------------------

    @property
    def unlocked(self) -> bool:
        return self.session is not None

    def on_session_started(self, message: SessionStarted) -> None:
        self.start_session(message.session, created=message.created)

    def start_session(self, session: Session, *, created: bool = False) -> None:
        self.session = session
        self.touch()
        if self._idle_timer is not None:
            self._idle_timer.resume()
        self.navigator.show_session(session, self.settings, created=created, clock=self._wall_clock)
        kept, self._kept_form = self._kept_form, None
        if kept is not None:
            self._reopen_form(session, *kept)
        self.load_catalog()
        self._warm_up_exchange_library()

    async def lock(self, reason: str | None = None) -> None:
        """Forget the decrypted keys, close exchange clients, show the unlock screen."""
        session, self.session = self.session, None
        if session is None:
            return
        if self._idle_timer is not None:
            self._idle_timer.pause()
        self.workers.cancel_group(self, "session")
        for screen in self.screen_stack:  # before the keyfile closes: nothing may reach it
            release = getattr(screen, "release_accounts", None)
            if release is not None:
                release()
        # Not awaited: the stack changes at once; awaiting removal inside a handler stalls.
        while len(self.screen_stack) > 1:
            self.pop_screen()
        self.switch_screen(self.navigator.unlock_screen())
        self._close_session(session)
        if reason:
            self.notify(reason, title="Locked", markup=False)

    @work(group="closing", exit_on_error=False)
    async def _close_session(self, session: Session) -> None:
        await session.aclose()

    async def on_unmount(self) -> None:
        """Quitting: save settings not saved yet, release the keyfile and close every
        exchange client."""
        if self._settings_timer is not None:
            self._settings_timer.stop()
            self._settings_timer = None
            try:
                save_settings(self.settings, self.locations.settings)
            except OSError as error:
                log.warning("settings not saved on quitting: %s", error.strerror)
        session, self.session = self.session, None
        if session is not None:
            await session.aclose()

    async def action_lock(self) -> None:
        await self.lock()

    def action_home(self) -> None:
        self.navigator.home()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in {"home", "lock", "change_password", "remove_account", "connect"}:
            return self.unlocked
        return True

    # ---- idle auto-lock ------------------------------------------------------------------

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

    # ---- the exchange catalog ---------------------------------------------------------------

    def load_catalog(self) -> None:
        if not self.catalog.loaded:
            self._load_catalog()

    @work(thread=True, exclusive=True, exit_on_error=False, group="catalog")
    def _load_catalog(self) -> None:
        self.catalog.load()
        if self.catalog.problem is not None:
            self.post_message(
                TaskFailed(
                    "The exchange list could not be loaded", self.catalog.problem, blocking=True
                )
            )

    @work(thread=True, exit_on_error=False, group="warm-up")
    def _warm_up_exchange_library(self) -> None:
        """Import ccxt in the background so the first verify does not pause the screen."""
        import importlib

        importlib.import_module("ccxt.async_support")

    # ---- actions: screens the app opens with the session ------------------------------------

    def action_help(self) -> None:
        self.navigator.help()

    def action_connect(self, exchange_id: str) -> None:
        self.navigator.connect(exchange_id)

    def on_connect_requested(self, message: ConnectRequested) -> None:
        self.navigator.connect(message.exchange_id)

    def action_connect_any(self) -> None:
        self.navigator.connect_any()

    def action_change_password(self) -> None:
        self.navigator.change_password()

    def action_remove_account(self, exchange_id: str = "") -> None:
        self.navigator.remove_account(exchange_id or None)

    def action_import_keys(self) -> None:
        self.navigator.import_keys()

    def action_take_back_risk(self) -> None:
        self.navigator.take_back_risk()

    def on_remove_requested(self, message: RemoveRequested) -> None:
        self.navigator.remove(message.account_id, message.exchange_id)

    def on_recheck_requested(self, message: RecheckRequested) -> None:
        self.navigator.recheck(message.account_id)

    def on_critical_acknowledged(self, message: Any) -> None:
        """The user accepted a critical risk on the dashboard: kept in the log as an audit."""
        log.warning(
            "critical risk %s acknowledged for account %s", message.code, message.account_id
        )

    def on_view_chosen(self, message: ViewChosen) -> None:
        """A dashboard view choice (sort, small balances, bars): kept across unlocks."""
        self.update_settings(**message.changes)

    def on_account_removed(self, message: AccountRemoved) -> None:
        account = message.account
        if self.session is not None:
            self.run_worker(
                self.session.forget_client(account.id), group="closing", exit_on_error=False
            )
        if message.forget_history:
            for screen in self.screen_stack:
                forget = getattr(screen, "forget_history", None)
                if callable(forget):
                    forget(account.id)
        name = self.catalog.display_name(account.exchange)
        self.notify(f"{name} · {account.label} removed.", title="Account removed", markup=False)

    # ---- settings ---------------------------------------------------------------------------

    def _theme_changed(self, theme: object) -> None:
        name = getattr(theme, "name", None) or self.theme
        if name != self.settings.theme:
            self.update_settings(theme=name)

    def update_settings(self, **changes: Any) -> None:
        """Keep `changes`; saved a second after the last change of a burst (`v v v` is one
        save: a save per key press started a thread while the next frame was being drawn,
        docs/benchmarks.md), and at once on quitting."""
        self.settings = self.settings.with_changes(**changes)
        if self._settings_writable:
            if self._settings_timer is not None:
                self._settings_timer.stop()
            self._settings_timer = self.set_timer(
                SETTINGS_SAVE_DELAY_S, self._save_pending_settings, name="save-settings"
            )

    def _save_pending_settings(self) -> None:
        self._settings_timer = None
        self._save_settings(self.settings)

    @work(thread=True, exclusive=True, exit_on_error=False, group="settings")
    def _save_settings(self, settings: Settings) -> None:
        try:
            save_settings(settings, self.locations.settings)
        except OSError as error:
            self.post_message(TaskFailed("Settings were not saved", error))

    # ---- failures -----------------------------------------------------------------------

    def on_task_failed(self, message: TaskFailed) -> None:
        self.navigator.failure(message.title, message.error, blocking=message.blocking)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if event.state != WorkerState.ERROR or worker.error is None:
            return
        if worker.group in {"closing", "warm-up"}:
            log.warning("background task %s failed: %s", worker.name, describe(worker.error))
            return
        log.error("task %s failed: %s", worker.name, describe(worker.error))
        self.navigator.failure("Something went wrong", worker.error, blocking=True)

    def crash_secrets(self) -> list[str]:
        return self.session.secrets() if self.session is not None else []
