"""The watch loop: a read-only Session refreshed every interval, changes sent to the sinks.

`watch_keyfile(locations, password, config, stop=event)` is the whole watch as a function
(tests run it in-process and set `stop`); `keydeck watch` (tui/commands/watch.py) wraps it
with the password, logging and signal handling.

Each round: notice a keyfile changed on disk (new accounts, acknowledgements) and reload it
with the key already derived; refresh every account (the connector's back-off for failing
keys applies: a watch must not hammer an exchange; after a sleep of the computer the next
round starts at once and checks every account); turn the reports into events against
the last-known states; emit; persist the states; record the history.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TextIO

from tui.base.paths import Locations
from tui.connect.clock import SleepDetector
from tui.core.history import History
from tui.vault import KeyfileRekeyed, Vault, VaultError
from tui.vault.password import PasswordLike
from tui.watch.events import Event, WatchState, observe
from tui.watch.metrics import WatchMetrics, listening_message, parse_address
from tui.watch.sinks import (
    RETRY_DELAYS_S,
    CommandSink,
    DesktopSink,
    Sink,
    Sinks,
    StdoutSink,
    WebhookSink,
)
from tui.watch.state import StateStore, state_path

log = logging.getLogger(__name__)

EXIT_STOPPED = 0
EXIT_USAGE = 2
EXIT_KEYFILE = 3
EXIT_KEYFILE_UNREADABLE = 4
"""The keyfile being watched can no longer be read (its password changed, another file was
put in its place, it was removed): restarting with the same password cannot help, so the
systemd unit in docs/watch.md does not restart on it."""
RECHECK_UNREADABLE_S = 1.0
"""A keyfile that cannot be read is looked at once more after this long before the watch
stops (a copy being put in place by hand)."""
WAKE_LOOK_S = 1.0
"""Between rounds, how often the watch looks whether the computer slept (its interval is
timed by the monotonic clock, which stands still in suspend)."""


@dataclass
class WatchConfig:
    interval_s: float = 60.0
    webhooks: Sequence[str] = ()
    webhook_format: str = "json"
    commands: Sequence[str] = ()
    desktop: bool = False
    balance_move_pct: float | None = None
    """Alert when an account's or the total USD value moves more than this; None: off."""
    record_history: bool = True
    history_write_every_s: float = 300.0
    retry_delays_s: Sequence[float] = RETRY_DELAYS_S
    request_timeout_s: float = 15.0
    account_timeout_s: float = 60.0
    vault_options: Mapping[str, Any] = field(default_factory=dict)
    """Extra `Vault.open` arguments (tests pass KDF caps)."""
    metrics: str | None = None
    """`--metrics HOST:PORT`: serve Prometheus metrics there (tui/watch/metrics.py)."""


RoundListener = Callable[[int, list[Event]], None]


class WatchStopped(Exception):
    """The watch cannot go on: the keyfile it watches can no longer be read. The message
    says what happened and what to do."""


def build_sinks(config: WatchConfig, out: TextIO | None = None) -> Sinks:
    """Every sink of `config`; raises `SetupError` for a bad URL, command or notifier."""
    others: list[Sink] = [WebhookSink(url, config.webhook_format) for url in config.webhooks]
    others += [CommandSink(command) for command in config.commands]
    if config.desktop:
        others.append(DesktopSink())
    return Sinks(StdoutSink(out), others, config.retry_delays_s)


class Watcher:
    """One keyfile's watch on an open read-only Session."""

    def __init__(
        self,
        session: Any,
        sinks: Sinks,
        store: StateStore,
        history: History | None,
        config: WatchConfig,
        *,
        on_round: RoundListener | None = None,
        metrics: WatchMetrics | None = None,
        wake: SleepDetector | None = None,
    ) -> None:
        self.session = session
        self.wake = wake if wake is not None else SleepDetector()
        self.metrics = metrics
        self.on_round = on_round
        self.sinks = sinks
        self.store = store
        self.history = history
        self.config = config
        self.state: WatchState = store.load()
        self.rounds = 0

    async def run(self, stop: asyncio.Event) -> None:
        """Rounds every `interval_s` until `stop` is set (a round under way is cancelled);
        after a sleep of the computer, a round of every account at once."""
        stopping = asyncio.create_task(stop.wait())
        self.wake.woke()  # the reference
        force = False
        try:
            while not stop.is_set():
                one_round = asyncio.create_task(self.round(force=force))
                await asyncio.wait({one_round, stopping}, return_when=asyncio.FIRST_COMPLETED)
                if not one_round.done():
                    one_round.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await one_round
                    break
                one_round.result()  # WatchStopped and bugs surface here
                force = await self._pause(stopping)
        finally:
            stopping.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await stopping

    async def _pause(self, stopping: asyncio.Task[Any]) -> bool:
        """Wait one interval, or until `stopping`; True as soon as the computer is seen to
        have slept (the next round then checks every account, back-off or not)."""
        deadline = time.monotonic() + self.config.interval_s
        while (left := deadline - time.monotonic()) > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(stopping), min(left, WAKE_LOOK_S))
                return False
            if self.wake.woke():
                log.info("the computer slept: every account is checked again now")
                return True
        return self.wake.woke()

    async def round(self, *, force: bool = False) -> list[Event]:
        """One round; `force` checks failing accounts too, whatever their back-off."""
        await self._follow_keyfile()
        session = self.session
        ids = [a.id for a in session.accounts]
        started = time.monotonic()
        reports = []
        durations_s: dict[str, float] = {}
        async for report in session.refresh(force=force):
            reports.append(report)
            durations_s[report.account_id] = time.monotonic() - started
        events, self.state = observe(
            self.state,
            reports,
            now=datetime.now(UTC),
            is_acknowledged=session.is_acknowledged,
            account_ids=ids,
            balance_move_pct=self.config.balance_move_pct,
        )
        for event in events:
            log.info("event %s %s/%s %s", event.event, event.exchange, event.label, event.title)
            self.sinks.emit(event)
        await asyncio.to_thread(self.store.save, self.state)
        if self.history is not None:
            await asyncio.to_thread(self.history.record, reports)
        if self.metrics is not None:
            self.metrics.round(
                reports,
                durations_s,
                account_ids=[a.id for a in session.accounts],
                is_acknowledged=session.is_acknowledged,
                now=time.time(),
            )
        self.rounds += 1
        if self.on_round is not None:
            self.on_round(self.rounds, events)
        return events

    async def _follow_keyfile(self) -> None:
        """Reload a keyfile saved elsewhere. One that can no longer be read (re-keyed,
        replaced, removed, damaged, rolled back) stops the watch: `WatchStopped`."""
        vault = self.session.vault
        if not await asyncio.to_thread(vault.changed_on_disk):
            return
        before = {a.id for a in vault.accounts}
        try:
            changed = await self._reload(vault)
        except KeyfileRekeyed:
            raise WatchStopped(
                "the keyfile's password was changed, or another keyfile was put in its place: "
                "start keydeck watch again with its password"
            ) from None
        except VaultError as error:
            raise WatchStopped(
                f"the keyfile can no longer be read ({error}); put it back or restore it, "
                "then start keydeck watch again"
            ) from None
        if changed:
            gone = before - {a.id for a in vault.accounts}
            for account_id in gone:
                await self.session.forget_client(account_id)
            log.info("the keyfile changed on disk: %d account(s) now", len(vault.accounts))

    async def _reload(self, vault: Vault) -> bool:
        """`vault.reload()`, with one more look a moment later when the file cannot be read
        (caught mid-copy); a changed password needs no second look."""
        try:
            return await asyncio.to_thread(vault.reload)
        except KeyfileRekeyed:
            raise
        except VaultError as error:
            log.warning("the keyfile cannot be read (%s): looking again", error)
        await asyncio.sleep(RECHECK_UNREADABLE_S)
        return await asyncio.to_thread(vault.reload)


def unreadable_event(reason: str) -> Event:
    """The one event sent to every sink when the watch stops on its keyfile."""
    return Event(
        event="keyfile_unreadable",
        time=datetime.now(UTC),
        exchange=None,
        label=None,
        severity="critical",
        title="Keydeck watch stopped: the keyfile can no longer be read",
        detail=reason[:1].upper() + reason[1:] + ".",
    )


def start_metrics(config: WatchConfig, err: TextIO | None) -> WatchMetrics | None:
    """The Prometheus exporter of `--metrics`, listening; raises SetupError."""
    if config.metrics is None:
        return None
    host, port = parse_address(config.metrics)
    metrics = WatchMetrics(with_balances=config.balance_move_pct is not None)
    host, port = metrics.serve(host, port)
    message = listening_message(host, port)
    log.info(message)
    if err is not None:
        print(f"keydeck watch: {message}", file=err, flush=True)
    return metrics


def open_history(vault: Vault, config: WatchConfig) -> History | None:
    if not config.record_history:
        return None
    try:
        return History.for_vault(vault, write_every_s=config.history_write_every_s)
    except VaultError as error:
        log.warning("not recording history: %s", error)
        return None


async def watch_keyfile(
    locations: Locations,
    password: PasswordLike,
    config: WatchConfig,
    *,
    stop: asyncio.Event,
    out: TextIO | None = None,
    err: TextIO | None = None,
    on_round: RoundListener | None = None,
    wake: SleepDetector | None = None,
) -> int:
    """Watch until `stop` is set. Exit codes: 0 stopped, 4 the keyfile can no longer be
    read (re-keyed, replaced, removed: a `keyfile_unreadable` event went to every sink). Raises
    `SetupError` before opening anything if a sink cannot be used, and the `VaultError`s of
    `Vault.open`. `on_round(number, events)` is called after each round (a heartbeat);
    `wake` tells a sleep of the computer (tests give it their own clocks)."""
    from tui.core.session import Session, make_connector

    sinks = build_sinks(config, out)
    try:
        metrics = start_metrics(config, err)
    except BaseException:
        await sinks.aclose(0)
        raise
    try:
        vault = await asyncio.to_thread(
            Vault.open,
            locations.keyfile,
            password,
            read_only=True,
            state_dir=locations.state_dir,
            **config.vault_options,
        )
    except BaseException:
        await sinks.aclose(0)
        if metrics is not None:
            await asyncio.to_thread(metrics.close)
        raise
    connector = make_connector(
        locations,
        timeout_s=config.request_timeout_s,
        account_timeout_s=config.account_timeout_s,
        slow_every_s=0,  # an alert on new rights must not wait minutes (tui/connect/cadence.py)
    )
    session = Session(vault, connector)
    history = open_history(vault, config)
    store = StateStore.for_vault(state_path(locations.state_dir, locations.keyfile), vault)
    watcher = Watcher(
        session, sinks, store, history, config, on_round=on_round, metrics=metrics, wake=wake
    )
    log.info("watching %s every %g s", locations.keyfile, config.interval_s)
    try:
        await watcher.run(stop)
    except WatchStopped as error:
        sinks.emit(unreadable_event(str(error)))  # delivered (5 s at most) before the exit
        if err is not None:
            print(f"keydeck watch: stopped: {error}", file=err)
        log.error("watch stopped: %s", error)
        return EXIT_KEYFILE_UNREADABLE
    finally:
        if metrics is not None:
            # keydeck_watch_up 0 first, whatever stopped the watch (re-keyed, unreadable).
            await asyncio.to_thread(metrics.close)
        await sinks.aclose()
        if history is not None:
            await asyncio.to_thread(history.close)
        await session.aclose()
    return EXIT_STOPPED
