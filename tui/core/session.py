"""Session: the unlocked state of one keyfile, shared by the app and the headless commands.

A Session owns the open `Vault`, the `Connector` and the one store of what Keydeck knows
about each account (its latest `AccountReport`). Screens, `keydeck check` and `keydeck watch`
all act through it, so the dashboard and the headless tools can never disagree.

No Textual here. Blocking methods (keyfile writes, the KDF) say so: the app calls them from
thread workers. Listeners registered with `subscribe` are told when the accounts or their
reports change; they may be called from any thread (Textual screens post a message).

`KeyfileAccess` is the way in: it inspects, opens or creates the keyfile and hands back a
Session. `ExchangeCatalog` holds the exchange list once it is loaded.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import AsyncIterator, Callable, Collection, Iterable, Mapping
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
        """Check a key before it is saved: one signed call, then its permissions and findings.

        Never raises for exchange errors: a failure is the report's `problem`. The result is
        not stored (the account may never be saved); `save_account(..., report=)` stores it.
        """
        from tui.connect.models import AccountReport, AccountStatus
        from tui.connect.problems import UNREACHABLE_KINDS

        connector = self.connector
        await connector.close_account(account.id)  # never reuse a client with the old key
        result = await connector.verify(account)
        permissions = None
        findings: tuple[Any, ...] = ()
        if result.ok:
            try:
                permissions = await connector.permissions(account)
            except asyncio.CancelledError:
                raise
            except Exception as error:
                log.warning("reading permissions failed: %s", redact.scrub(str(error)))
            else:
                findings = tuple(connector.findings(account, permissions))
        else:
            await connector.close_account(account.id)
        problem = result.problem
        status = AccountStatus(
            state="ok" if result.ok else "failing",
            reachable=problem is None or problem.kind not in UNREACHABLE_KINDS,
            latency_ms=result.latency_ms,
            clock_offset_ms=None,
            checked_at=datetime.now(UTC),
            problem=problem,
        )
        return AccountReport(
            account_id=account.id,
            exchange=account.exchange,
            label=account.label,
            status=status,
            permissions=permissions,
            findings=findings,
            problem=result.problem,
        )

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
        while todo:
            answered: set[str] = set()
            reports = self.connector.refresh(todo, with_permissions=True, force=force)
            async with contextlib.aclosing(reports):
                async for report in reports:
                    if self._closed:
                        return
                    account = self.vault.get_by_id(report.account_id)
                    if account is not None:
                        report = await allowlist_memory.track(self, account, report)
                        self.reports[report.account_id] = report
                        await self._forget_fixed_risks(report)
                        self.reported.publish()
                    if not _unreachable(report):
                        answered.add(host_of(report_account(todo, report.account_id)))
                    yield report
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
        with self._write_lock:
            vault = self.vault
            if replaces is not None:
                previous = vault.get_by_id(replaces.id)
                vault.update(account)
            else:
                previous = None
                vault.add(account)
            try:
                vault.save()
            except BaseException:
                with _logged("undoing an unsaved change"):
                    if previous is not None:
                        vault.update(previous)
                    else:
                        vault.remove(account.id)
                raise
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
        with self._write_lock:
            self.vault.update(new)
            self.vault.add(retired)
            try:
                self.vault.save()
            except BaseException:
                with _logged("undoing an unsaved key rotation"):
                    self.vault.remove(retired.id)
                    self.vault.update(old)
                raise
        self.reports[new.id] = report
        self.changed.publish()
        return retired

    def save_accounts(
        self, accounts: list[Account], reports: Mapping[str, AccountReport] | None = None
    ) -> None:
        """Add several accounts in ONE keyfile write (an import); all or nothing."""
        with self._write_lock:
            added: list[Account] = []
            try:
                for account in accounts:
                    added.append(self.vault.add(account))
                self.vault.save()
            except BaseException:
                with _logged("undoing an unsaved import"):
                    for account in reversed(added):
                        self.vault.remove(account.id)
                raise
        for account_id, report in (reports or {}).items():
            self.reports[account_id] = report
        self.changed.publish()

    def remove_account(self, account_id: str) -> Account:
        """Remove an account and write the keyfile; on failure it is put back in memory."""
        with self._write_lock:
            vault = self.vault
            account = vault.get_by_id(account_id)
            if account is None:
                raise KeyError(account_id)
            vault.remove(account_id)
            try:
                vault.save()
            except BaseException:
                with _logged("putting back an account that was not removed"):
                    vault.add(account)
                raise
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

    def _set_acknowledged(self, account_id: str, codes: set[str], on: bool) -> None:
        with self._write_lock:
            account = self.vault.get_by_id(account_id)
            if account is None:
                return
            before = frozenset(account.acknowledged)
            after = before | codes if on else before - codes
            if after == before:
                return
            self._store(account, account.replace(acknowledged=after), "acknowledgement")
        self.changed.publish()

    def set_note(self, account_id: str, name: str, value: str) -> None:
        """Set one of an account's notes and save (nothing when it holds that). Blocking."""
        with self._write_lock:
            account = self.vault.get_by_id(account_id)
            if account is not None and account.notes.get(name) != value:
                self._store(account, account.replace(notes={**account.notes, name: value}), name)

    def _store(self, before: Account, after: Account, what: str) -> None:
        """Replace `before` with `after` and save; in memory it is undone if the save fails."""
        self.vault.update(after)
        try:
            self.vault.save()
        except BaseException:
            with _logged(f"undoing an unsaved {what}"):
                self.vault.update(before)
            raise

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
    from tui.connect.problems import UNREACHABLE_KINDS

    return (
        report is not None
        and report.problem is not None
        and (report.problem.kind in UNREACHABLE_KINDS)
    )


def make_connector(locations: Locations, **options: Any) -> Connector:
    """The connector every command uses: its cache under `locations`, and the system proxy
    only when the settings say so (`use_system_proxy`). `options`: timeouts."""
    from tui.base.settings import load_settings
    from tui.connect.service import Connector

    proxy = load_settings(locations.settings).settings.use_system_proxy
    return Connector(cache_dir=locations.cache_dir, use_system_proxy=proxy, **options)


def describe(error: BaseException | str | Any) -> str:
    """A one-line, secret-free description of an error for the screen."""
    if isinstance(error, str):
        return redact.scrub(error)
    return redact.scrub(str(error) or type(error).__name__)


@contextlib.contextmanager
def _logged(what: str) -> Any:
    try:
        yield
    except Exception as error:
        log.warning("%s failed: %s", what, describe(error))
