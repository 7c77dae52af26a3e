"""A status check the exchange refused is the round's last request to it: no signed call
follows a 429 on the clock call (going on after a 429 gets an address banned: Binance's 418),
nor, where the status check is itself a signed call (exchanges without a public clock), a
refused key. The next round asks again and recovers. Counted from the simulator's own log of
the requests it received."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.connect.conftest import NO_SERVER_TIME, account_for
from tui.connect import Connector, ProblemKind
from tui.sim import Simulator
from tui.sim.server import SeenRequest


def asked(sim: Simulator, exchange: str) -> list[SeenRequest]:
    return [request for request in sim.requests if request.exchange == exchange]


async def test_a_429_on_the_clock_call_is_the_last_request_then_the_next_round_recovers(
    sim: Simulator, tmp_path: Path
) -> None:
    account = account_for(sim, "binance")
    async with Connector(cache_dir=tmp_path, timeout_s=5.0) as connector:
        sim.set_faults("binance", rate_limited=True)
        sim.requests.clear()
        [limited] = await connector.refresh_all([account])
        assert limited.problem is not None and limited.problem.kind is ProblemKind.rate_limited
        [clock_call] = asked(sim, "binance")  # not the markets, not the balance after it
        assert not clock_call.signed, clock_call

        sim.set_faults("binance", rate_limited=False)
        sim.requests.clear()
        [recovered] = await connector.refresh_all([account], force=True)  # `r`: past back-off
        assert recovered.problem is None, recovered.problem
        assert recovered.balances is not None
        assert any(request.signed for request in asked(sim, "binance"))


@pytest.mark.parametrize("exchange", sorted(NO_SERVER_TIME))
@pytest.mark.parametrize("refused", ["wrong key", "address not allowed"])
async def test_where_the_status_check_is_signed_a_refused_key_is_asked_once_per_round(
    sim: Simulator, tmp_path: Path, exchange: str, refused: str
) -> None:
    if refused == "wrong key":  # shaped as a key of that exchange, so ccxt sends it
        wrong = sim.account(exchange, "main").credentials["apiKey"] + "x"
        account = account_for(sim, exchange, credentials={"apiKey": wrong})
    else:
        sim.set_faults(exchange, "main", ip_not_allowed=True)
        account = account_for(sim, exchange)
    async with Connector(cache_dir=tmp_path, timeout_s=5.0) as connector:
        sim.requests.clear()
        [report] = await connector.refresh_all([account])
    # Gemini and Bitfinex answer a refused address as a refused key (test_faults_sim.py).
    assert report.problem is not None, report
    assert report.problem.kind is ProblemKind.bad_credentials, report.problem
    signed = [request for request in asked(sim, exchange) if request.signed]
    assert len(signed) == 1, signed  # the status check's own signed call, no balance call
