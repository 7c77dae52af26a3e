"""Recovery over time on the connector itself: the same port down and up again, manual
checks that fail, and a sleep of the computer. The stuck state of issue 19 (a forced check
after a restart kept the old "unreachable") must be impossible."""

from __future__ import annotations

import time
from typing import Any

from tests.support.accounts import sim_account
from tui.connect.clock import SleepDetector
from tui.connect.health import NETWORK_MAX_BACKOFF_S, HealthBook, backoff_s
from tui.connect.problems import ProblemKind, make_problem
from tui.connect.service import Connector
from tui.sim import Simulator

EXCHANGES = ["binance", "okx", "kraken", "bybit", "kucoin"]


def kinds(reports: list[Any]) -> dict[str, str | None]:
    return {r.exchange: r.problem.kind if r.problem else None for r in reports}


async def test_the_same_port_down_and_up_recovers_every_exchange_on_the_same_connector() -> None:
    async with Simulator(exchanges=EXCHANGES) as sim:
        accounts = [sim_account(sim, exchange) for exchange in EXCHANGES]
        async with Connector(timeout_s=3) as connector:
            assert set(kinds(await connector.refresh_all(accounts)).values()) == {None}
            await sim.go_offline()
            for _ in range(3):  # an outage of several rounds: the back-off may start
                down = kinds(await connector.refresh_all(accounts, force=True))
                assert set(down.values()) == {ProblemKind.unreachable}
            await sim.go_online()
            back = kinds(await connector.refresh_all(accounts, force=True))
            assert set(back.values()) == {None}, back


async def test_one_exchange_down_then_back_recovers_without_force_within_the_cap() -> None:
    async with Simulator(exchanges=["okx", "binance"]) as sim:
        accounts = [sim_account(sim, "okx"), sim_account(sim, "binance")]
        async with Connector(timeout_s=3) as connector:
            await connector.refresh_all(accounts)
            sim.set_faults("okx", down=True)
            for _ in range(4):
                await connector.refresh_all(accounts)
            [okx] = [r for r in await connector.refresh_all(accounts) if r.exchange == "okx"]
            assert okx.problem is not None and okx.status.retry_at is not None
            wait = (okx.status.retry_at - okx.status.checked_at).total_seconds()
            assert wait <= NETWORK_MAX_BACKOFF_S + 1
            sim.clear_faults("okx")
            # The user presses "check now": a fresh attempt, and the account is back.
            assert (
                kinds(await connector.refresh_all(accounts, force={accounts[0].id}))
                == {
                    "okx": None,
                    "binance": None,
                }
                or kinds(await connector.refresh_all(accounts, force=True))["okx"] is None
            )


async def test_failed_manual_checks_leave_the_back_off_where_it_was() -> None:
    async with Simulator(exchanges=["binance"]) as sim:
        sim.set_faults("binance", "main", expired=True)
        [account] = [sim_account(sim, "binance")]
        async with Connector(timeout_s=3) as connector:
            await connector.refresh_all([account])  # automatic: first failure, no wait
            await connector.refresh_all([account], force=True)  # would be the second
            [auto] = await connector.refresh_all([account])
            health = connector._health.of(account)
            failures, until = health.consecutive_failures, health.backoff_until
            for _ in range(5):
                [manual] = await connector.refresh_all([account], force=True)
                assert manual.problem is not None
            assert (health.consecutive_failures, health.backoff_until) == (failures, until)
            sim.clear_faults()
            [fixed] = await connector.refresh_all([account], force=True)
            assert fixed.problem is None
            assert health.consecutive_failures == 0 and health.backoff_until == 0.0
            assert auto.problem is not None


def test_network_back_off_is_short_and_bounded_others_grow() -> None:
    for failures in range(1, 12):
        assert backoff_s(ProblemKind.unreachable, failures) <= NETWORK_MAX_BACKOFF_S
        assert backoff_s(ProblemKind.timeout, failures) <= NETWORK_MAX_BACKOFF_S
    assert backoff_s(ProblemKind.bad_credentials, 6) > NETWORK_MAX_BACKOFF_S


def test_a_sleep_of_the_computer_drops_every_back_off() -> None:
    wall = [time.time()]
    book = HealthBook(lambda: wall[0])
    account = type("A", (), {"id": "a1", "exchange": "okx", "endpoint": None})()
    problem = make_problem(ProblemKind.bad_credentials, "okx")
    for _ in range(4):
        book.failure(account, problem)
    assert book.of(account).backoff_until > time.monotonic()
    assert not book.after_sleep()  # the first look only sets the reference
    wall[0] += 3600  # the lid was closed for an hour: the monotonic clock stood still
    assert book.after_sleep()
    assert book.of(account).backoff_until == 0.0
    assert not book.after_sleep()  # once per jump


def test_the_scout_never_cuts_another_back_off_short() -> None:
    """A rate-limited key beside unreachable ones on the same host is not made their scout
    (found in review: it was checked every round, as if asked by hand, so its wait never
    grew); a key due anyway is the scout without being forced; else one that waits for the
    network is."""
    book = HealthBook()
    host = "http://127.0.0.1:9/"
    limited, down, due = (
        type("A", (), {"id": name, "exchange": "okx", "endpoint": host + name})()
        for name in ("limited", "down", "due")
    )
    book.failure(limited, make_problem(ProblemKind.rate_limited, "okx"))
    for _ in range(2):
        book.failure(down, make_problem(ProblemKind.unreachable, "okx"))
    assert dict((a.id, f) for a, f in book.plan([limited, down], False)) == {
        "limited": False,
        "down": True,
    }
    assert dict((a.id, f) for a, f in book.plan([limited, down, due], False)) == {
        "limited": False,
        "down": False,
        "due": False,  # checked anyway: it scouts without being forced
    }


def test_the_sleep_detector_ignores_ordinary_time() -> None:
    detector = SleepDetector()
    assert not detector.woke()
    assert not detector.woke()


async def test_after_an_outage_the_first_automatic_round_recovers_every_account() -> None:
    """Found by scripts/soak.py: once every account of a host waited out a network back-off
    (two failed rounds), the first round after the host came back skipped them all, and
    nothing answered to re-open them: recovery took two refresh intervals. Now one account
    per host is checked anyway, and when it answers, the others are checked in that round."""
    async with Simulator(exchanges=EXCHANGES) as sim:
        accounts = [sim_account(sim, exchange) for exchange in EXCHANGES]
        async with Connector(timeout_s=3) as connector:
            await connector.refresh_all(accounts)
            await sim.go_offline()
            for _ in range(3):  # automatic rounds: the back-off starts after the second
                down = kinds(await connector.refresh_all(accounts))
                assert set(down.values()) == {ProblemKind.unreachable}
            assert all(connector._health.of(a).backoff_until > time.monotonic() for a in accounts)
            await sim.go_online()
            back = kinds(await connector.refresh_all(accounts))  # automatic, not forced
            assert set(back.values()) == {None}, back


def test_the_sleep_detector_compares_the_wall_clock_with_the_monotonic_one() -> None:
    wall, monotonic = [1_000_000.0], [50.0]
    detector = SleepDetector(wall=lambda: wall[0], monotonic=lambda: monotonic[0])
    assert not detector.woke()  # the reference
    wall[0] += 60
    monotonic[0] += 60  # a minute awake: both clocks moved
    assert not detector.woke()
    wall[0] += 3600
    monotonic[0] += 1  # an hour asleep: the monotonic clock stood still
    assert detector.woke()
    assert not detector.woke()  # once per sleep
    wall[0] -= 30  # the clock set back (NTP): not a sleep
    assert not detector.woke()
