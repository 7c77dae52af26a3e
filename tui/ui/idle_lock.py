"""The idle lock of the app: a countdown a minute before, and a key form kept over it.

A mixin for KeydeckApp (which owns `session`, `settings`, `notice`, `catalog`, `lock`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.app import App

from tui.core.idle import Idle, IdleClock

if TYPE_CHECKING:
    from tui.core.exchange_catalog import ExchangeCatalog
    from tui.core.session import Session


class IdleLock(App[None]):
    _idle: IdleClock
    _idle_warned: bool
    _kept_form: tuple[str, str] | None
    session: Session | None
    catalog: ExchangeCatalog
    notice: str | None
    settings: Any

    async def lock(self, reason: str | None = None) -> None:
        raise NotImplementedError

    def touch(self) -> None:
        """Note user activity (keys, mouse, paste): it postpones the idle lock."""
        self._idle.touch()
        if self._idle_warned:
            self._show_idle_countdown(None)

    def check_idle_lock(self) -> None:
        """Warn a minute before, then lock when no input came for the configured time."""
        minutes = self.settings.idle_lock_minutes
        if self.session is None:
            return
        verdict, left = self._idle.verdict(minutes)
        if verdict is Idle.lock:
            self._show_idle_countdown(None)
            self._kept_form = self._form_to_keep()
            self.call_later(self.lock, f"Keydeck locked itself after {minutes} idle minutes.")
        else:
            self._show_idle_countdown(left if verdict is Idle.warn else None)

    def _show_idle_countdown(self, seconds_left: int | None) -> None:
        """The header counts down to the lock; a toast says it once; any key stops it."""
        if seconds_left is None:
            if self._idle_warned:
                self._idle_warned = False
                self.sub_title = (self.notice or self.SUB_TITLE).splitlines()[0]
            return
        if not self._idle_warned:
            self._idle_warned = True
            self.notify(
                "Press any key to stay unlocked. A form being filled in keeps its exchange "
                "and label; the secrets typed in it are dropped.",
                title="Keydeck locks in a minute",
                severity="warning",
                timeout=seconds_left,
            )
        self.sub_title = f"locking in {seconds_left} s without input: press any key"

    def _form_to_keep(self) -> tuple[str, str] | None:
        """The exchange and label of a key form being filled in (never its secrets)."""
        for screen in self.screen_stack:
            kept = getattr(screen, "kept_on_lock", None)
            if callable(kept):
                return kept()
        return None

    def _reopen_form(self, session: Session, exchange_id: str, label: str) -> None:
        """After an idle lock: the key form again, with what it held that is not secret."""
        from tui.ui.screens.key_entry import KeyEntryScreen

        info = self.catalog.info(exchange_id)
        if info is not None:
            self.push_screen(KeyEntryScreen(session, info, notice=self.notice, label=label))
            self.notify(
                "Keydeck locked itself while you were away. The exchange and label are kept; "
                "paste the key's secrets again.",
                title="Your form is back",
            )
