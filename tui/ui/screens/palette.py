"""Keydeck's commands in the command palette (ctrl+p)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, Protocol, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider

if TYPE_CHECKING:
    from tui.core.exchange_catalog import ExchangeCatalog
    from tui.core.session import Session


class CommandHost(Protocol):
    """What the palette needs of the app: its services and the actions it routes."""

    session: Session | None
    catalog: ExchangeCatalog

    async def action_lock(self) -> None: ...

    def action_change_password(self) -> None: ...

    def action_home(self) -> None: ...

    def action_remove_account(self, exchange_id: str = "") -> None: ...

    def action_connect(self, exchange_id: str) -> None: ...

    def action_take_back_risk(self) -> None: ...

    def action_import_keys(self) -> None: ...


@dataclass(frozen=True)
class Command:
    title: str
    help: str
    run: Callable[[], Any]
    discoverable: bool = True


class KeydeckCommands(Provider):
    """connect <exchange>, lock, change password, remove account."""

    def _commands(self) -> list[Command]:
        app = cast("CommandHost", self.app)
        session = app.session
        if session is None:
            return []
        commands = [
            Command("Lock", "Forget the decrypted keys until you unlock again", app.action_lock),
            Command(
                "Change master password",
                "Re-encrypt the keyfile with a new password",
                app.action_change_password,
            ),
        ]
        accounts = session.accounts
        if accounts:
            commands += [
                Command("Status", "Each account's connection, latency and clock", app.action_home),
                Command("Balance", "Balances per account and in total", app.action_home),
            ]
        commands.append(
            Command(
                "Import keys…",
                "From Hummingbot, Freqtrade, a .env file, ccxt's keys.json or another keyfile",
                app.action_import_keys,
            )
        )
        if any(session.acknowledged_codes(a.id) for a in accounts):
            commands.append(
                Command(
                    "Take back an accepted risk…",
                    "Make an acknowledged critical warning alert again",
                    app.action_take_back_risk,
                )
            )
        if accounts:
            commands.append(
                Command(
                    "Remove account…",
                    "Delete an account's keys from the keyfile",
                    app.action_remove_account,
                )
            )
        connected = {account.exchange for account in accounts}
        for info in app.catalog.exchanges or ():
            commands.append(
                Command(
                    f"Connect {info.name}",
                    f"Add or replace an API key for {info.name} ({info.id})",
                    partial(app.action_connect, info.id),
                    discoverable=info.id in connected,
                )
            )
        return commands

    async def discover(self) -> Hits:
        for command in self._commands():
            if command.discoverable:
                yield DiscoveryHit(command.title, command.run, help=command.help)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for command in self._commands():
            score = matcher.match(command.title)
            if score > 0:
                yield Hit(score, matcher.highlight(command.title), command.run, help=command.help)
