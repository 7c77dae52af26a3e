"""Session: the unlocked state of one keyfile, shared by the app and the headless commands.

A Session owns the open `Vault`, the `Connector` and the one store of what Keydeck knows
about each account (its latest `AccountReport`). Screens, `keydeck check` and `keydeck watch`
all act through it, so the dashboard and the headless tools can never disagree.

No Textual here. Blocking methods (keyfile writes, the KDF) say so: the app calls them from
thread workers. Listeners registered with `subscribe` are told when the accounts or their
reports change; they may be called from any thread (Textual screens post a message).

`KeyfileAccess` (tui/core/keyfile_access.py) is the way in: it inspects, opens or creates the
keyfile and hands back a Session. The connector builds the reports (`tui.connect.reports`);
the Session keeps them, and writes the keyfile through `tui.vault.change` (undone in memory
when a write fails).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import AsyncIterator, Callable, Collection, Iterable, Mapping
from collections.abc import Set as AbstractSet
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui.base import redact
from tui.base.listeners import Listener, Listeners
from tui.core import allowlist_memory

if TYPE_CHECKING:
    from tui.base.paths import Locations
    from tui.connect.models import AccountReport
    from tui.connect.service import Connector
    from tui.vault import Account, Vault
    from tui.vault.change import VaultChange

log = logging.getLogger(__name__)

ConnectorFactory = Callable[[], "Connector"]


RETIRED_OF = "retired_of"
"""The note on a replaced key kept until its revocation is checked: the account it served."""


def is_retired(account: Account) -> bool:
    return RETIRED_OF in account.notes


class Session:
    """The unlocked keyfile, its exchange clients, and the latest report per account."""

    def __init__(
        self,
        vault: Vault,
        connector: Connector,
        *,
        vault_options: Mapping[str, Any] | None = None,
    ) -> None:
        self.vault = vault
        self.connector = connector
        self._vault_options = dict(vault_options or {})
        self.reports: dict[str, AccountReport] = {}
        """The one store of per-account state: the latest report of each account."""
        self.changed = Listeners()
        """Told when accounts change (added, replaced, removed, acknowledged)."""
        self.reported = Listeners()
        """Told when a report arrives (every account, every refresh round)."""
        self._write_lock = threading.Lock()
        self._closed = False

    # ---- reading ------------------------------------------------------------------------

    @property
    def accounts(self) -> list[Account]:
        """The accounts in use (a replaced key kept for its revocation check is not one)."""
        return [a for a in self.vault.accounts if not is_retired(a)]

    @property
    def closed(self) -> bool:
        return self._closed

    def account(self, account_id: str) -> Account | None:
        return self.vault.get_by_id(account_id)

    def accounts_of(self, exchange_id: str) -> list[Account]:
        return [a for a in self.vault.accounts if a.exchange == exchange_id]

    def holding_key_of(self, account: Account) -> Account | None:
        """Another stored account of the same exchange with the same API key (the keyfile
        refuses to store one key twice: the portfolio would count it twice)."""
        return self.vault.holding_key_of(account)

    def report(self, account_id: str) -> AccountReport | None:
        return self.reports.get(account_id)

    def subscribe(self, callback: Listener, *, reports: bool = False) -> Callable[[], None]:
        """Be told when accounts change, and with `reports` when a report arrives (from any
        thread); returns the function that stops it."""
        stops = [self.changed.subscribe(callback)]
        if reports:
            stops.append(self.reported.subscribe(callback))

        def unsubscribe() -> None:
            for stop in stops:
                stop()

        return unsubscribe

    # ---- checking -----------------------------------------------------------------------

    async def verify(self, account: Account) -> AccountReport:
        """Check a key before it is saved (`Connector.check_new_key`). The result is not
        stored (the account may never be saved); `save_account(..., report=)` stores it."""
        return await self.connector.check_new_key(account)

    async def refresh(
        self,
        accounts: Iterable[Account] | None = None,
        *,
        force: bool | Collection[str] = False,
    ) -> AsyncIterator[AccountReport]:
        """Check every account (or the given ones) concurrently; yield and store each report
        as it arrives. `force` bypasses the back-off of failing accounts (a user's "check
        now"). A critical risk that is gone at the exchange loses its acknowledgement, so a
        relapse alerts again."""
        from tui.connect.health import host_of  # not on the path to the first frame

        if self._closed:
            return
        todo = list(accounts) if accounts is not None else self.accounts
        read_only = self.vault.read_only
        while todo:
            answered: set[str] = set()
            notes: dict[str, str] = {}  # the allowlists read, saved once the round is done
            reports = self.connector.refresh(todo, with_permissions=True, force=force)
            async with contextlib.aclosing(reports):
                async for report in reports:
                    if self._closed:
                        return
                    account = self.vault.get_by_id(report.account_id)
                    if account is not None:
                        note = allowlist_memory.note_to_keep(read_only, account, report)
                        if note is not None:
                            notes[account.id] = note
                        report = allowlist_memory.explained(report, account)
                        self.reports[report.account_id] = report
                        await self._forget_fixed_risks(report)
                        self.reported.publish()
                    if not _unreachable(report):
                        answered.add(host_of(report_account(todo, report.account_id)))
                    yield report
            if not self._closed:
                await allowlist_memory.keep(self.set_notes, notes)
            # A host that answered again: its accounts that could not reach it, and were not
            # in this check, are checked now too (`R` on one key recovers its siblings).
            done = {a.id for a in todo}
            todo = [
                a
                for a in self.accounts
                if a.id not in done
                and host_of(a) in answered
                and _unreachable(self.reports.get(a.id))
            ]

    async def _forget_fixed_risks(self, report: AccountReport) -> None:
        permissions = report.permissions
        if report.problem is not None or permissions is None or not permissions.reported:
            return
        if self.vault.read_only:  # check/watch: the app drops it on its next refresh
            return
        current = {f.code for f in report.findings if f.severity == "critical"}
        fixed = self.acknowledged_codes(report.account_id) - current
        if fixed:
            try:
                await asyncio.to_thread(self._set_acknowledged, report.account_id, fixed, False)
            except Exception as error:  # the banner coming back is the safe side
                log.warning("could not drop a fixed acknowledgement: %s", describe(error))

    # ---- writing (blocking: call from a thread worker) ------------------------------------

    def save_account(
        self,
        account: Account,
        replaces: Account | None = None,
        *,
        report: AccountReport | None = None,
    ) -> Account:
        """Add `account` (or put it in place of `replaces`) and write the keyfile.

        If the write fails, memory is rolled back to what is on disk and the error raised,
        so a later save never writes a change the user was told had failed.
        """
        with self._write_lock, _vault_change(self.vault, "an unsaved change") as change:
            if replaces is not None:
                change.update(account)
            else:
                change.add(account)
        if report is not None:
            self.reports[account.id] = report
        else:
            self.reports.pop(account.id, None)
        self.changed.publish()
        return account

    def rotate_key(self, old: Account, new: Account, report: AccountReport) -> Account:
        """Put a new key in place of `old` (same account, label and history) and keep the old
        key, encrypted, as a retired entry until its revocation is checked. One write, rolled
        back in memory if it fails. Returns the retired entry."""
        from tui.vault import Account

        retired = Account(
            exchange=old.exchange,
            label=f"{old.label[:20]} · old {datetime.now(UTC):%m%d%H%M%S}",
            credentials=old.credentials,
            sandbox=old.sandbox,
            endpoint=old.endpoint,
            notes={RETIRED_OF: old.id},
        )
        with self._write_lock, _vault_change(self.vault, "an unsaved key rotation") as change:
            change.update(new)
            change.add(retired)
        self.reports[new.id] = report
        self.changed.publish()
        return retired

    def save_accounts(
        self, accounts: list[Account], reports: Mapping[str, AccountReport] | None = None
    ) -> None:
        """Add several accounts in ONE keyfile write (an import); all or nothing."""
        with self._write_lock, _vault_change(self.vault, "an unsaved import") as change:
            for account in accounts:
                change.add(account)
        for account_id, report in (reports or {}).items():
            self.reports[account_id] = report
        self.changed.publish()

    def remove_account(self, account_id: str) -> Account:
        """Remove an account and write the keyfile; on failure it is put back in memory."""
        with self._write_lock, _vault_change(self.vault, "an unsaved removal") as change:
            if self.vault.get_by_id(account_id) is None:
                raise KeyError(account_id)
            account = change.remove(account_id)
        self.reports.pop(account_id, None)
        self.changed.publish()
        return account

    async def forget_client(self, account_id: str) -> None:
        """Close a removed or edited account's exchange client."""
        await self.connector.close_account(account_id)

    def change_password(self, current: Any, new: Any) -> None:
        """Re-encrypt the keyfile under `new` (runs the KDF twice: seconds)."""
        with self._write_lock:
            self.vault.change_password(current, new, **self._vault_options)

    @property
    def backup_path(self) -> Path:
        return Path(self.vault.backup_path)

    def remove_backup(self) -> None:
        self.vault.remove_backup()

    # ---- acknowledged risks ---------------------------------------------------------------

    def acknowledged_codes(self, account_id: str) -> frozenset[str]:
        account = self.vault.get_by_id(account_id)
        return frozenset(account.acknowledged) if account is not None else frozenset()

    def is_acknowledged(self, account_id: str, code: str) -> bool:
        return code in self.acknowledged_codes(account_id)

    def acknowledge(self, account_id: str, code: str) -> None:
        """Accept a critical risk for one key; kept (encrypted) in the keyfile. Blocking."""
        self._set_acknowledged(account_id, {code}, True)

    def unacknowledge(self, account_id: str, code: str) -> None:
        """Take an acknowledgement back: the risk alerts again. Blocking."""
        self._set_acknowledged(account_id, {code}, False)

    def _set_acknowledged(self, account_id: str, codes: AbstractSet[str], on: bool) -> None:
        with self._write_lock:
            account = self.vault.get_by_id(account_id)
            if account is None:
                return
            before = frozenset(account.acknowledged)
            after = before | codes if on else before - codes
            if after == before:
                return
            self._store(account.replace(acknowledged=after), "acknowledgement")
        self.changed.publish()

    def set_notes(self, name: str, values: Mapping[str, str]) -> None:
        """Set the note `name` of each account in `values` (account id -> value) and save
        once; nothing for an account gone or holding that value already. Blocking."""
        with self._write_lock:
            changed = []
            for account_id, value in values.items():
                account = self.vault.get_by_id(account_id)
                if account is not None and account.notes.get(name) != value:
                    changed.append(account.replace(notes={**account.notes, name: value}))
            if changed:
                with _vault_change(self.vault, f"an unsaved {name}") as change:
                    for after in changed:
                        change.update(after)

    def _store(self, after: Account, what: str) -> None:
        """Put `after` in place of the account with its id and save; undone in memory if the
        save fails."""
        with _vault_change(self.vault, f"an unsaved {what}") as change:
            change.update(after)

    # ---- the end ----------------------------------------------------------------------------

    async def aclose(self) -> None:
        """The one close path (lock and exit): release the keyfile, close every client, and
        forget the secrets registered for scrubbing. Safe to call twice."""
        if self._closed:
            return
        self._closed = True
        self.reports.clear()
        try:
            self.vault.close()
        except Exception as error:  # closing must not stop a lock or an exit
            log.warning("closing the keyfile failed: %s", describe(error))
        try:
            await self.connector.aclose()
        except Exception as error:
            log.warning("closing exchange clients failed: %s", describe(error))
        redact.forget_all()

    def secrets(self) -> list[str]:
        """Every credential value in plain text, for scrubbing a crash report."""
        values: list[str] = []
        with contextlib.suppress(Exception):  # a crash report must never crash
            for account in self.vault.accounts:
                for value in account.credentials.values():
                    plain = value.reveal() if isinstance(value, redact.Secret) else value
                    if isinstance(plain, str):
                        values.append(plain)
        return values


def report_account(accounts: list[Account], account_id: str) -> Account:
    return next(a for a in accounts if a.id == account_id)


def _unreachable(report: AccountReport | None) -> bool:
    """The report says the exchange could not be reached at all."""
    from tui.connect.reports import reachable

    return report is not None and not reachable(report.problem)


def make_connector(locations: Locations, **options: Any) -> Connector:
    """The connector every command uses: its cache under `locations`, and the system proxy
    only when the settings say so (`use_system_proxy`). `options`: timeouts."""
    from tui.base.settings import load_settings
    from tui.connect.service import Connector

    proxy = load_settings(locations.settings).settings.use_system_proxy
    return Connector(cache_dir=locations.cache_dir, use_system_proxy=proxy, **options)


def _vault_change(vault: Vault, what: str) -> contextlib.AbstractContextManager[VaultChange]:
    from tui.vault.change import vault_change  # not on the path to the first frame

    return vault_change(vault, what)


def describe(error: BaseException | str | Any) -> str:
    """A one-line, secret-free description of an error for the screen."""
    if isinstance(error, str):
        return redact.scrub(error)
    return redact.scrub(str(error) or type(error).__name__)
