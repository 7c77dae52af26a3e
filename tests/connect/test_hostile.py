"""The connector against a hostile server (tests/connect/hostile.py), on every exchange module.

Whatever the server does, no account reads as ok, nothing reaches the redirect target, and
each refresh ends in bounded time with a Problem that names what happened.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.connect.hostile import MODES, HostileServer
from tui.connect import Connector
from tui.connect.exchanges import EXCHANGES
from tui.connect.models import AccountReport
from tui.connect.problems import ProblemKind as K
from tui.sim import exchanges as sim_registry
from tui.vault import Account

EXCHANGE_IDS = tuple(sorted({module.id for module in EXCHANGES.values()}))

# What each mode must be called; None: any failing kind (the exchange's own error handling
# decides, e.g. an HTML 500 is an outage to some exchanges).
EXPECTED: dict[str, K | None] = {
    "redirect": K.redirected,
    "redirect-https": K.redirected,
    "object": K.bad_answer,
    "list": K.bad_answer,
    "html": K.bad_answer,
    "html500": None,
    "bomb": K.too_large,
    "huge": K.too_large,
    "huge-declared": K.too_large,
    "nested": K.bad_answer,
    "nan": K.bad_answer,
    "trickle": K.timeout,
    "hang": K.timeout,
    "echo": None,
}


def hostile_account(server: HostileServer, exchange: str, mode: str) -> Account:
    """An account of `exchange` at the hostile server; an alias (binanceusdm...) takes the
    credentials of the exchange it is an alias of, as a user's key would."""
    simulated = EXCHANGES[exchange].alias_for or exchange
    credentials = sim_registry.get(simulated).default_credentials(f"hostile-{mode}")
    return Account(
        exchange=exchange, label=mode, credentials=credentials, endpoint=server.endpoint(mode)
    )


@pytest.fixture(scope="module")
def hostile() -> Iterator[HostileServer]:
    with HostileServer.start() as server:
        yield server


def _assert_not_ok(report: AccountReport, mode: str) -> None:
    where = (report.exchange, mode)
    assert report.problem is not None, where
    assert report.status.state == "failing", where
    assert report.balances is None and report.permissions is None, where
    expected = EXPECTED[mode]
    if expected is not None:
        assert report.problem.kind is expected, (where, report.problem)
    assert report.problem.kind is not K.unknown, (where, report.problem)


@pytest.mark.parametrize("mode", MODES)
async def test_nothing_a_hostile_server_says_reads_as_ok(
    hostile: HostileServer, tmp_path: Path, mode: str
) -> None:
    accounts = [hostile_account(hostile, exchange, mode) for exchange in EXCHANGE_IDS]
    # A short request timeout where the timeout is what is tested; elsewhere room to read
    # 8 MB per exchange, all at once, on a loaded machine ("huge" read as a timeout in CI).
    timeout_s = 1.5 if EXPECTED[mode] is K.timeout else 6.0
    started = time.monotonic()
    async with Connector(cache_dir=tmp_path, timeout_s=timeout_s, account_timeout_s=8) as connector:
        reports = [report async for report in connector.refresh(accounts, force=True)]
    assert time.monotonic() - started < 12
    assert len(reports) == len(EXCHANGE_IDS)
    for report in reports:
        _assert_not_ok(report, mode)
        if mode == "redirect":
            assert f"127.0.0.1:{hostile.trap_port}" in report.problem.title
        text = f"{report.problem.title} {report.problem.fix} {report.problem.detail}"
        credentials = hostile_account(hostile, report.exchange, mode).credentials
        for secret in (credentials[name].reveal() for name in credentials if name != "apiKey"):
            assert secret not in text, (report.exchange, mode)
    assert hostile.trap_requests == []


async def test_verify_and_status_refuse_a_redirect_too(
    hostile: HostileServer, tmp_path: Path
) -> None:
    async with Connector(cache_dir=tmp_path, timeout_s=2) as connector:
        for exchange in EXCHANGE_IDS:
            account = hostile_account(hostile, exchange, "redirect")
            result = await connector.verify(account)
            assert not result.ok and result.problem.kind is K.redirected, exchange
            status = await connector.status(account)
            assert status.problem is not None and status.problem.kind is K.redirected
    assert hostile.trap_requests == []


@pytest.mark.parametrize("mode", ["object", "list", "html", "nan"])
async def test_verify_never_proves_a_key_with_a_foreign_answer(
    hostile: HostileServer, tmp_path: Path, mode: str
) -> None:
    """Verify decides whether a new key is saved: `{}` must not prove it works."""
    async with Connector(cache_dir=tmp_path, timeout_s=2) as connector:
        for exchange in EXCHANGE_IDS:
            result = await connector.verify(hostile_account(hostile, exchange, mode))
            assert not result.ok and result.problem.kind is K.bad_answer, (exchange, mode)
