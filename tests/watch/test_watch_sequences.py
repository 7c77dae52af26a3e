"""`keydeck watch` over time: outages that end, flapping, 5xx bursts, latency spikes, and a
keyfile that changes under it. Each change is told once per settled state, every outage
recovers by itself, and a keyfile that can no longer be read stops the watch loudly."""

from __future__ import annotations

import asyncio
import itertools
import os
import time
from pathlib import Path

import pytest

from tests.support.accounts import sim_account
from tests.support.process import open_sockets
from tests.watch.helpers import PASSWORD, WebhookReceiver, eventually, make_keyfile
from tests.watch.test_watch_sim import Run, _config
from tui.connect.clock import SleepDetector
from tui.sim import Simulator
from tui.sim.timeline import Step
from tui.vault import KdfParams, Vault
from tui.watch.runner import EXIT_KEYFILE_UNREADABLE, WAKE_LOOK_S

pytestmark = pytest.mark.slow  # each test waits out real back-offs and timelines

EXCHANGES = ["binance", "okx", "kraken"]


def count(receiver: WebhookReceiver, name: str) -> dict[str | None, int]:
    counts: dict[str | None, int] = {}
    for event in receiver.events(name):
        counts[event["exchange"]] = counts.get(event["exchange"], 0) + 1
    return counts


async def test_outage_of_the_whole_port_fails_then_recovers_each_once(tmp_path: Path) -> None:
    async with Simulator(exchanges=EXCHANGES) as sim, WebhookReceiver() as receiver:
        locations = make_keyfile(tmp_path / "config", [sim_account(sim, e) for e in EXCHANGES])
        run = Run(locations, _config(receiver))
        await run.rounds_pass(1)
        await sim.go_offline()  # a Wi-Fi drop: connections refused
        await eventually(lambda: len(count(receiver, "account_failed")) == 3, what="failed")
        await run.rounds_pass(3)  # still down: no second alert
        await sim.go_online()  # same port: the keys recover without a restart
        await eventually(
            lambda: len(count(receiver, "account_recovered")) == 3, limit=40, what="recovered"
        )
        await run.rounds_pass(2)
        assert count(receiver, "account_failed") == dict.fromkeys(EXCHANGES, 1)
        assert count(receiver, "account_recovered") == dict.fromkeys(EXCHANGES, 1)
        assert await run.finish() == 0


async def test_one_exchange_down_and_back_recovers_within_the_network_back_off(
    tmp_path: Path,
) -> None:
    async with Simulator(exchanges=EXCHANGES) as sim, WebhookReceiver() as receiver:
        locations = make_keyfile(tmp_path / "config", [sim_account(sim, e) for e in EXCHANGES])
        run = Run(locations, _config(receiver))
        await run.rounds_pass(1)
        sim.set_faults("okx", down=True)
        await eventually(lambda: count(receiver, "account_failed") == {"okx": 1}, what="okx")
        await run.rounds_pass(3)  # the back-off grows, and stays bounded
        sim.clear_faults("okx")
        back = asyncio.get_running_loop().time()
        await eventually(lambda: receiver.events("account_recovered"), limit=30, what="back")
        assert asyncio.get_running_loop().time() - back < 20  # the network back-off's cap
        assert count(receiver, "account_failed") == {"okx": 1}
        assert await run.finish() == 0


async def test_flapping_every_two_seconds_is_told_once_per_settled_state(tmp_path: Path) -> None:
    timeline = [Step(0.0, exchange="okx", faults={"down": True}), Step(1.0, exchange="okx")]
    async with Simulator(exchanges=["okx"]) as sim, WebhookReceiver() as receiver:
        locations = make_keyfile(tmp_path / "config", [sim_account(sim, "okx")])
        run = Run(locations, _config(receiver))
        await run.rounds_pass(1)
        tasks_before, sockets_before = len(asyncio.all_tasks()), open_sockets()
        flapping = asyncio.create_task(
            sim.run_timeline(
                [
                    *timeline,
                    *[Step(2.0 * i, exchange="okx", faults={"down": True}) for i in range(1, 10)],
                    *[Step(2.0 * i + 1, exchange="okx", clear=True) for i in range(10)],
                ]
            )
        )
        await flapping  # 20 s of up and down
        sim.clear_faults()
        await eventually(
            lambda: (
                len(receiver.events("account_recovered")) == len(receiver.events("account_failed"))
            ),
            what="settled",
        )
        await run.rounds_pass(2)
        failed, recovered = receiver.events("account_failed"), receiver.events("account_recovered")
        # Each change told once: alternating, never two of a kind in a row, no storm.
        kinds = [e["event"] for e in receiver.received if e["event"].startswith("account_")]
        assert all(a != b for a, b in itertools.pairwise(kinds)), kinds
        assert len(failed) == len(recovered) <= 11
        assert len(asyncio.all_tasks()) <= tasks_before + 2  # no task growth
        assert open_sockets() <= sockets_before + 4  # nor connection growth
        assert await run.finish() == 0


@pytest.mark.parametrize("fault", ["maintenance", "timeout"])
async def test_a_burst_of_errors_or_a_latency_spike_then_healthy_recovers(
    tmp_path: Path, fault: str
) -> None:
    async with Simulator(exchanges=["binance", "okx"]) as sim, WebhookReceiver() as receiver:
        locations = make_keyfile(
            tmp_path / "config", [sim_account(sim, "binance"), sim_account(sim, "okx")]
        )
        config = _config(receiver)
        config.request_timeout_s = 1.0  # a latency spike past the timeout
        config.account_timeout_s = 3.0
        run = Run(locations, config)
        await run.rounds_pass(1)
        sim.set_faults("binance", **{fault: True})
        await eventually(lambda: receiver.events("account_failed"), what="failed")
        sim.clear_faults()
        await eventually(lambda: receiver.events("account_recovered"), limit=40, what="back")
        await run.rounds_pass(2)
        assert count(receiver, "account_failed") == {"binance": 1}
        assert count(receiver, "account_recovered") == {"binance": 1}
        assert await run.finish() == 0


@pytest.mark.parametrize("change", ["password changed", "replaced", "removed"])
async def test_a_keyfile_that_can_no_longer_be_read_stops_the_watch_loudly(
    tmp_path: Path, change: str
) -> None:
    async with Simulator(exchanges=["binance"]) as sim, WebhookReceiver() as receiver:
        locations = make_keyfile(tmp_path / "config", [sim_account(sim, "binance")])
        run = Run(locations, _config(receiver))
        await run.rounds_pass(1)
        fast = KdfParams.insecure_fast()
        if change == "password changed":
            with Vault.open(locations.keyfile, PASSWORD, kdf=fast) as vault:
                vault.change_password(PASSWORD, "a different password 77", kdf=fast)
        elif change == "replaced":
            other = make_keyfile(tmp_path / "other", [])
            os.replace(other.keyfile, locations.keyfile)
        else:
            locations.keyfile.unlink()
        code = await asyncio.wait_for(run.task, 30)
        assert code == EXIT_KEYFILE_UNREADABLE
        [event] = receiver.events("keyfile_unreadable")
        assert event["severity"] == "critical"
        assert "keydeck watch" in event["detail"]
        assert run.out.getvalue().count("keyfile_unreadable") == 1  # stdout, once
        [line] = run.err.getvalue().splitlines()
        assert line.startswith("keydeck watch: stopped:")
        assert PASSWORD not in line


async def test_after_a_sleep_of_the_computer_every_account_is_checked_at_once(
    tmp_path: Path,
) -> None:
    """The lid closes during an outage and opens after it: the watch does not wait out its
    interval (timed by a monotonic clock that stood still), it checks every account now."""
    ahead = [0.0]
    wake = SleepDetector(wall=lambda: time.time() + ahead[0])
    async with Simulator(exchanges=["binance", "okx"]) as sim, WebhookReceiver() as receiver:
        locations = make_keyfile(
            tmp_path / "config", [sim_account(sim, "binance"), sim_account(sim, "okx")]
        )
        config = _config(receiver)
        config.interval_s = 600.0  # no round of its own during the test
        await sim.go_offline()
        run = Run(locations, config, wake)
        await eventually(lambda: len(count(receiver, "account_failed")) == 2, what="failed")
        await sim.go_online()
        await asyncio.sleep(2 * WAKE_LOOK_S)  # ordinary time: no round yet
        assert run.rounds == 1
        ahead[0] += 3600  # an hour asleep: the wall clock jumps, the monotonic one did not
        await eventually(
            lambda: len(count(receiver, "account_recovered")) == 2, limit=20, what="recovered"
        )
        # The round counts itself after its events are sent and its state saved (in a
        # thread): under load the webhooks can arrive first.
        await eventually(lambda: run.rounds >= 2, limit=20, what="the round's end")
        assert run.rounds == 2
        assert await run.finish() == 0
