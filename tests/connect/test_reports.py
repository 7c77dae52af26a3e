"""One list of problem kinds means "the exchange could not be reached", in every report."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tui.connect.health import Health
from tui.connect.models import VerifyResult
from tui.connect.problems import UNREACHABLE_KINDS, ProblemKind, make_problem
from tui.connect.reports import failed_report, new_key_report, reachable
from tui.vault import Account

ACCOUNT = Account(exchange="binance", label="main", credentials={"apiKey": "k", "secret": "s"})
NOW = datetime(2026, 1, 2, tzinfo=UTC)


@pytest.mark.parametrize("kind", list(ProblemKind), ids=lambda kind: kind.value)
def test_every_report_says_unreachable_for_exactly_the_unreachable_kinds(
    kind: ProblemKind,
) -> None:
    problem = make_problem(kind, "binance")
    expected = kind not in UNREACHABLE_KINDS
    assert reachable(problem) is expected
    failed = failed_report(ACCOUNT, problem, health=Health(), now=NOW, wait_s=0, latency_ms=None)
    new_key = new_key_report(
        ACCOUNT, VerifyResult(ok=False, problem=problem, latency_ms=1.0), None, (), NOW
    )
    assert failed.status.reachable is expected
    assert new_key.status.reachable is expected
    assert new_key.problem is problem and new_key.status.state == "failing"


def test_tls_and_insecure_endpoints_are_unreachable() -> None:
    assert {ProblemKind.tls_failed, ProblemKind.insecure_endpoint} <= UNREACHABLE_KINDS
    assert reachable(None)
