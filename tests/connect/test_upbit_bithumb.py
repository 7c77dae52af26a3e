"""Upbit and Bithumb: only the key's expiry is read; the checklist stays for its rights."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from tests.connect.conftest import account_for
from tui.connect import Connector, ProblemKind
from tui.connect.exchanges import normalize_permissions
from tui.connect.exchanges.upbit import CALLING_KEY
from tui.sim import Simulator
from tui.sim.market import UNPRICED_ASSET

KST = timezone(timedelta(hours=9))

# GET /v1/api_keys, the example answer of Bithumb's "API 키 리스트 조회"
# (https://apidocs.bithumb.com/reference/api-키-리스트-조회). Upbit documents the same two
# fields (https://docs.upbit.com/kr/reference/list-api-keys; its page shows no example).
DOCUMENTED_ANSWER = [
    {
        "access_key": "59683c90185742d69fd8fa1bc0cf27785c392afaa56ece",
        "expire_at": "2025-06-11T09:00:00+09:00",
    },
    {
        "access_key": "3e97926e9b75a6aeb637d2c172a292588502daccfb5cab",
        "expire_at": "2025-06-12T09:00:00+09:00",
    },
]


@pytest.mark.parametrize("exchange", ["upbit", "bithumb"])
def test_documented_answer_gives_the_calling_keys_expiry(exchange: str) -> None:
    raw = {"data": DOCUMENTED_ANSWER, CALLING_KEY: DOCUMENTED_ANSWER[1]["access_key"]}
    p = normalize_permissions(exchange, raw)
    assert p.expires_at == datetime(2025, 6, 12, 9, 0, tzinfo=KST)
    # The list tells no rights: not reported, so the manual checklist is shown.
    assert p.reported is False and p.withdraw is None and p.ip_restricted is None


@pytest.mark.parametrize("exchange", ["upbit", "bithumb"])
def test_no_match_is_no_expiry(exchange: str) -> None:
    raw = {"data": DOCUMENTED_ANSWER, CALLING_KEY: "someone-else"}
    assert normalize_permissions(exchange, raw).expires_at is None
    assert normalize_permissions(exchange, {"data": DOCUMENTED_ANSWER}).expires_at is None


@pytest.mark.parametrize("exchange", ["upbit", "bithumb"])
async def test_refresh_reads_balances_expiry_and_keeps_the_checklist(
    sim: Simulator, connector: Connector, exchange: str
) -> None:
    sim.account(exchange, "risky").traits.expires_at = datetime.now(UTC) + timedelta(
        days=5, hours=1
    )
    accounts = [account_for(sim, exchange, label) for label in ("main", "risky")]
    reports = {r.label: r async for r in connector.refresh(accounts)}
    main, risky = reports["main"], reports["risky"]
    assert main.problem is None and main.status.state == "ok"
    assert main.status.clock_offset_ms is None  # no server time to compare with
    rows = {row.asset: row for row in main.balances.assets}
    assert rows["BTC"].usd == (rows["BTC"].total * Decimal("65000.10")).quantize(Decimal("0.01"))
    assert rows[UNPRICED_ASSET].usd is None
    assert main.permissions.expires_at == sim.account(exchange, "main").traits.expires_at
    assert [f.code for f in main.findings] == ["permissions_not_reported"]
    assert [f.code for f in risky.findings] == ["expires_soon", "permissions_not_reported"]
    assert risky.findings[0].title == "The key expires in 5 days"


@pytest.mark.parametrize("exchange", ["upbit", "bithumb"])
async def test_errors_become_the_right_problems(
    sim: Simulator, connector: Connector, exchange: str
) -> None:
    good = sim.account(exchange, "main").credentials
    bad_key = account_for(sim, exchange, "main", credentials={"apiKey": "nope"})
    bad_secret = account_for(sim, exchange, "main", credentials={"secret": good["secret"] + "x"})
    for account in (bad_key, bad_secret):
        result = await connector.verify(account)
        assert result.problem is not None and result.problem.kind is ProblemKind.bad_credentials
    sim.set_faults(exchange, "sub", ip_not_allowed=True)
    result = await connector.verify(account_for(sim, exchange, "sub"))
    assert result.problem is not None and result.problem.kind is ProblemKind.ip_not_allowed
    sim.set_faults(exchange, "risky", rate_limited=True)
    result = await connector.verify(account_for(sim, exchange, "risky"))
    assert result.problem is not None and result.problem.kind is ProblemKind.rate_limited
    if exchange == "bithumb":
        sim.set_faults(exchange, clock_skew_ms=-90_000)
        result = await connector.verify(account_for(sim, exchange, "main"))
        assert result.problem is not None and result.problem.kind is ProblemKind.clock_skew
