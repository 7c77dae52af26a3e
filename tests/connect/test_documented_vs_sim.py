"""The simulator cannot drift from the docs: its answer for a kind of key normalizes to the
same rights as the exchange's documented answer for that kind of key."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.connect.conftest import EXCHANGES as SIM_EXCHANGES
from tests.connect.conftest import account_for
from tests.connect.documented_answers import load_all, read, rights
from tui.connect.service import Connector
from tui.sim import Simulator
from tui.sim.model import Balance, SimAccount, Traits

ANSWERS = load_all()
# Kinds of key: the simulator's permissions for it, and how a documented answer is picked.
KINDS = {
    "withdraw": frozenset({"read", "spot", "withdraw"}),
    "read_only": frozenset({"read"}),
}


def _documented(exchange: str, kind: str) -> dict[str, bool | None] | None:
    for answer in ANSWERS:
        if answer.exchange != exchange:
            continue
        got = rights(read(exchange, answer.answer))
        if kind == "withdraw" and got["withdraw"] is True:
            return got
        read_only = got["withdraw"] is False and got["trade"] is False
        if kind == "read_only" and read_only and got["transfer"] is not True:
            return got
    return None


CASES = [
    (exchange, kind)
    for exchange in SIM_EXCHANGES
    for kind in KINDS
    if _documented(exchange, kind) is not None
]


@pytest.mark.parametrize(("exchange", "kind"), CASES)
async def test_the_simulator_answers_as_documented(
    sim: Simulator, connector: Connector, exchange: str, kind: str
) -> None:
    label = f"doc-{kind}"
    sim.add_account(
        SimAccount(
            exchange=exchange,
            label=label,
            credentials=sim.exchanges[exchange].default_credentials(label),
            traits=Traits(
                permissions=KINDS[kind],
                ip_allowlist=(sim.state.client_ip,),
                created_at=datetime(2025, 1, 15, tzinfo=UTC),
                balances={"USDT": Balance("5", "0")},
            ),
        )
    )
    simulated = rights(await connector.permissions(account_for(sim, exchange, label)))
    documented = _documented(exchange, kind)
    assert documented is not None
    if kind == "withdraw":
        assert simulated["withdraw"] is True
    else:
        assert simulated == documented
