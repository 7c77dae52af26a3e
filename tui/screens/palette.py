"""Keydeck's commands in the command palette (ctrl+p)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from textual.command import DiscoveryHit, Hit, Hits, Provider

from tui.screens.base import keydeck


@dataclass(frozen=True)
class Command:
    title: str
    help: str
    run: Callable[[], Any]
    discoverable: bool = True


class KeydeckCommands(Provider):
    """connect <exchange>, lock, change password, remove account."""

    def _commands(self) -> list[Command]:
        app = keydeck(self.screen)
        if not app.unlocked or app.vault is None:
            return []
        commands = [
            Command("Lock", "Forget the decrypted keys until you unlock again", app.action_lock),
            Command(
                "Change master password",
                "Re-encrypt the keyfile with a new password",
                app.action_change_password,
            ),
        ]
        accounts = list(app.vault.accounts)
        if app.has_home_screen and accounts:
            commands += [
                Command("Status", "Each account's connection, latency and clock", app.action_home),
                Command("Balance", "Balances per account and in total", app.action_home),
            ]
        if accounts:
            commands.append(
                Command(
                    "Remove account…",
                    "Delete an account's keys from the keyfile",
                    app.action_remove_account,
                )
            )
        connected = {account.exchange for account in accounts}
        for info in app.catalog or ():
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
