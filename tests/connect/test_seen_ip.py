"""The address an exchange saw, read from its IP refusal: shown when it is one, never raw.

The quoted error texts (with their sources) are in tests/fixtures/exchange_answers/<id>/
error_ip_not_allowed.json; the simulator must answer the same texts, and Keydeck must read
the address out of them through a real signed request.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.connect.conftest import account_for
from tui.connect import Connector, ProblemKind
from tui.sim import Balance, Faults, SimAccount, Simulator, Traits
from tui.sim.errors import ErrorKind, SimError

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "exchange_answers"
IP_FIXTURES = sorted(FIXTURES.glob("*/error_ip_not_allowed.json"))
# Fields that change per answer (clocks) or that the simulator fills its own way.
_VOLATILE = {"requestTime", "time", "retExtInfo", "result", "data"}
ECHOING = ("binance", "okx", "kucoin", "mexc", "htx", "gate")


def _fixture(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", IP_FIXTURES, ids=lambda p: p.parent.name)
async def test_simulator_answers_the_quoted_text(sim: Simulator, path: Path) -> None:
    fixture = _fixture(path)
    assert (path.parent / fixture["source"]).is_file()
    exchange = sim.exchanges[path.parent.name]
    seen = fixture["seen_ip"] or "203.0.113.7"
    response = exchange.render_error(SimError(ErrorKind.IP_NOT_ALLOWED, seen))
    body = json.loads(response.text)
    expected = {k: v for k, v in fixture["body"].items() if k not in _VOLATILE}
    assert {k: body.get(k) for k in expected} == expected
    assert response.status == fixture["http_status"]


def _refused(sim: Simulator, exchange: str, label: str, allowlist: tuple[str, ...]) -> SimAccount:
    return sim.add_account(
        SimAccount(
            exchange=exchange,
            label=label,
            credentials=sim.exchanges[exchange].default_credentials(label),
            traits=Traits(ip_allowlist=allowlist, balances={"USDT": Balance("10")}),
        )
    )


@pytest.mark.parametrize("exchange", ECHOING)
@pytest.mark.parametrize("client_ip", ["203.0.113.7", "2001:db8::1"])
async def test_the_address_the_exchange_saw_is_shown(
    sim: Simulator, connector: Connector, exchange: str, client_ip: str
) -> None:
    sim.state.client_ip = client_ip
    _refused(sim, exchange, "moved", ("198.51.100.2",))
    account = account_for(sim, exchange, "moved")
    [report] = [r async for r in connector.refresh([account])]
    problem = report.problem
    assert problem is not None
    assert problem.seen_ip == client_ip
    assert f"saw this request from {client_ip}" in problem.fix
    if ":" in client_ip:
        assert "(IPv6)" in problem.fix
    if exchange != "binance":  # -2015 stays ambiguous without what the key was
        assert problem.kind is ProblemKind.ip_not_allowed


@pytest.mark.parametrize(
    "hostile",
    [
        "203.0.113.7\x1b[2J",
        "203.0.113.7.evil.example",
        "999.1.1.1",
        "evil.example.com",
        "::ffff:zz",
        "203.0.113.7<script>",
        "0.0.0.0",  # noqa: S104 - a text to refuse, not a bind address
    ],
)
async def test_a_malformed_or_hostile_address_is_never_shown(
    sim: Simulator, connector: Connector, hostile: str
) -> None:
    sim.state.client_ip = hostile
    sim.add_account(
        SimAccount(
            exchange="okx",
            label="hostile",
            credentials=sim.exchanges["okx"].default_credentials("hostile"),
            faults=Faults(ip_not_allowed=True),
        )
    )
    [report] = [r async for r in connector.refresh([account_for(sim, "okx", "hostile")])]
    problem = report.problem
    assert problem is not None and problem.kind is ProblemKind.ip_not_allowed
    assert problem.seen_ip is None
    shown = f"{problem.title} {problem.fix}"
    assert "evil" not in shown and "\x1b" not in shown and "script" not in shown
    assert "203.0.113.7" not in shown and "999." not in shown
    assert "allowlist" in shown
