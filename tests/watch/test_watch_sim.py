"""`watch_keyfile` in-process against the simulator, with a webhook receiver on 127.0.0.1."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from pathlib import Path

import pytest

from tests.support.accounts import sim_account
from tests.watch.helpers import PASSWORD, WebhookReceiver, eventually, make_keyfile
from tui.history import History
from tui.paths import Locations
from tui.sim import Simulator
from tui.vault import KdfParams, Vault
from tui.watch.events import Event
from tui.watch.runner import WatchConfig, watch_keyfile


class Run:
    """One in-process watch: its task, stop event, rounds and stdout."""

    def __init__(self, locations: Locations, config: WatchConfig) -> None:
        self.stop = asyncio.Event()
        self.rounds = 0
        self.events: list[Event] = []
        self.out = io.StringIO()
        self.err = io.StringIO()

        def on_round(number: int, events: list[Event]) -> None:
            self.rounds = number
            self.events.extend(events)

        self.task = asyncio.create_task(
            watch_keyfile(
                locations,
                PASSWORD,
                config,
                stop=self.stop,
                out=self.out,
                err=self.err,
                on_round=on_round,
            )
        )

    async def rounds_pass(self, count: int, limit: float = 30.0) -> None:
        target = self.rounds + count
        await eventually(lambda: self.rounds >= target or self.task.done(), limit, "rounds")
        assert not self.task.done(), self.task.result()

    async def finish(self) -> int:
        self.stop.set()
        return await asyncio.wait_for(self.task, 30)


def _config(receiver: WebhookReceiver) -> WatchConfig:
    return WatchConfig(
        interval_s=1.0,
        webhooks=[receiver.url],
        retry_delays_s=(0.2, 0.4, 0.8),
        history_write_every_s=0.0,
        request_timeout_s=5.0,
        account_timeout_s=15.0,
    )


@pytest.mark.slow
async def test_watch_reports_each_change_once_and_not_again_after_restart(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with Simulator(exchanges=["binance", "okx"]) as sim, WebhookReceiver() as receiver:
        locations = make_keyfile(
            tmp_path / "config", [sim_account(sim, "binance"), sim_account(sim, "okx")]
        )
        run = Run(locations, _config(receiver))
        await run.rounds_pass(1)
        baseline = len(receiver.received)
        assert not receiver.events("account_failed")

        # A fault on one key: exactly one account_failed for it, however many rounds fail.
        sim.set_faults("binance", "main", ip_not_allowed=True)
        await eventually(lambda: receiver.events("account_failed"), what="account_failed")
        await run.rounds_pass(3)
        [failed] = receiver.events("account_failed")
        assert (failed["exchange"], failed["label"], failed["severity"]) == (
            "binance",
            "main",
            "critical",
        )
        # Binance's -2015 names key, IP and permissions at once: the classifier's call.
        assert failed["problem_kind"] in {"ip_not_allowed", "bad_credentials"}
        assert failed["seen_ip"] == sim.state.client_ip  # "..., request ip: <address>"
        assert f"saw this request from {sim.state.client_ip}" in failed["fix"]
        assert failed["fix"] == failed["detail"] and failed["fix"]
        assert failed["time"].endswith("Z") and failed["title"]

        # Cleared: one account_recovered (after the connector's back-off, if it began).
        sim.clear_faults()
        await eventually(
            lambda: receiver.events("account_recovered"), limit=60, what="account_recovered"
        )
        await run.rounds_pass(2)
        assert len(receiver.events("account_recovered")) == 1
        assert len(receiver.events("account_failed")) == 1

        # Withdrawals granted on the other key: one critical finding_new.
        okx = sim.account("okx", "main")
        okx.traits.permissions = frozenset({*okx.traits.permissions, "withdraw"})
        await eventually(
            lambda: [e for e in receiver.events("finding_new") if e["severity"] == "critical"],
            what="finding_new critical",
        )
        await run.rounds_pass(2)
        [critical] = [e for e in receiver.events("finding_new") if e["severity"] == "critical"]
        assert (critical["exchange"], critical["code"]) == ("okx", "withdraw_enabled")

        # The webhook fails twice: the event is retried, logged, and the watch goes on.
        receiver.fail_next = 2
        attempts = receiver.attempts
        with caplog.at_level(logging.WARNING, logger="tui.watch"):
            okx.traits.permissions = okx.traits.permissions - {"withdraw"}
            await eventually(lambda: receiver.events("finding_cleared"), what="retried event")
            await run.rounds_pass(2)
        assert receiver.attempts == attempts + 3
        assert "answered HTTP 500" in caplog.text and "retrying" in caplog.text
        assert "s3cr3t-token" not in caplog.text  # webhook paths are secrets
        assert not run.task.done()

        assert await run.finish() == 0
        printed = [json.loads(line) for line in run.out.getvalue().splitlines()]
        assert printed == receiver.received  # stdout saw the same events, one per line
        assert {e.event for e in run.events} >= {"account_failed", "finding_new"}
        seen = len(receiver.received)
        assert seen > baseline

        # A restart does not alert again: the states were persisted.
        again = Run(locations, _config(receiver))
        await again.rounds_pass(3)
        assert await again.finish() == 0
        assert len(receiver.received) == seen and again.out.getvalue() == ""

        # The watch recorded the history (values of both accounts).
        with Vault.open(locations.keyfile, PASSWORD, read_only=True) as vault:
            history = History.for_vault(vault)
        points = history.points()
        history.close()
        assert points and {len(p.holdings) for p in points} <= {1, 2}
        assert any(len(p.holdings) == 2 for p in points)
        state_files = list(locations.state_dir.glob("watch-*.kdw"))
        assert len(state_files) == 1
        text = state_files[0].read_bytes().decode("latin-1")  # encrypted: no labels either
        secrets = [v for a in sim.accounts for v in a.credentials.values()]
        assert not [s for s in [*secrets, PASSWORD, "withdraw_enabled", "okx"] if s in text]


@pytest.mark.slow
async def test_watch_follows_the_keyfile_and_acknowledgements(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """An account added and a risk acknowledged while the watch runs (by the app, say)."""
    async with Simulator(exchanges=["binance", "bybit"]) as sim, WebhookReceiver() as receiver:
        locations = make_keyfile(tmp_path / "config", [sim_account(sim, "binance")])
        run = Run(locations, _config(receiver))
        await run.rounds_pass(1)

        def criticals() -> list[dict[str, object]]:
            return [e for e in receiver.events("finding_new") if e["severity"] == "critical"]

        assert not criticals()
        # The app holds the write lock (the cheap KDF, or opening would re-key the file).
        with Vault.open(locations.keyfile, PASSWORD, kdf=KdfParams.insecure_fast()) as writer:
            risky = sim_account(sim, "bybit", "risky")
            writer.add(risky.replace(acknowledged=frozenset({"withdraw_enabled"})))
            writer.save()
            await eventually(lambda: receiver.events("finding_new", "risky"), what="new account")
            await run.rounds_pass(2)
            assert not criticals()  # acknowledged: no alert
            stored = writer.get_by_id(risky.id)
            assert stored is not None
            writer.update(stored.replace(acknowledged=frozenset()))  # taken back
            writer.save()
            await eventually(criticals, what="alert after the acknowledgement is taken back")
            await run.rounds_pass(2)
            assert len(criticals()) == 1
            stored = writer.get_by_id(risky.id)
            assert stored is not None
            writer.update(stored.replace(acknowledged=frozenset({"withdraw_enabled"})))
            writer.save()
        await run.rounds_pass(2)
        # Fixed at the exchange while acknowledged: no event, and the read-only session does
        # not try (and fail, every round) to drop the acknowledgement.
        bybit = sim.account("bybit", "risky")
        with caplog.at_level(logging.WARNING):
            bybit.traits.permissions = bybit.traits.permissions - {"withdraw"}
            await run.rounds_pass(3)
        assert not receiver.events("finding_cleared") and len(criticals()) == 1
        assert "acknowledgement" not in caplog.text
        assert await run.finish() == 0


async def test_bad_sinks_are_refused_before_anything_opens(tmp_path: Path) -> None:
    from tui.watch.sinks import SetupError

    locations = make_keyfile(tmp_path / "config", [])
    for config in (
        WatchConfig(webhooks=["http://example.com/hook"]),
        WatchConfig(webhooks=["ftp://127.0.0.1/x"]),
        WatchConfig(commands=["no-such-command-here --flag"]),
    ):
        with pytest.raises(SetupError):
            await watch_keyfile(locations, PASSWORD, config, stop=asyncio.Event())
