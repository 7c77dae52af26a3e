"""Answer shapes per exchange module (tui/connect/shapes.py): an answer without the fields an
exchange always sends never counts, and unreadable permissions are never shown as safe."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from tests.connect.conftest import EXCHANGES as SIM_EXCHANGES
from tests.connect.conftest import account_for
from tui.connect import Connector
from tui.connect.exchanges import EXCHANGES
from tui.connect.findings import evaluate
from tui.connect.models import Permissions
from tui.connect.problems import MalformedResponse
from tui.connect.shapes import Shape, require_server_time, require_shape
from tui.sim import Simulator

MODULES = sorted({module.id: module for module in EXCHANGES.values()}.items())


@pytest.mark.parametrize(("exchange", "module"), MODULES)
def test_every_module_declares_its_answer_shapes(exchange: str, module: object) -> None:
    assert module.balance_shape is not None, exchange
    if module.permissions is not None:
        assert module.permission_shape is not None, exchange


@pytest.mark.parametrize(("exchange", "module"), MODULES)
@pytest.mark.parametrize("answer", [{}, [], None, "<html>", {"data": None}, [{}]])
def test_empty_or_foreign_answers_never_have_the_shape(
    exchange: str, module: object, answer: object
) -> None:
    for shape in (module.balance_shape, module.permission_shape):
        if shape is None or (shape.root is list and answer == []):
            continue  # Gate and Bitget list balances: [] is an empty account (ccxt keeps only
            # the list); a server answering [] to everything fails the server time instead
        assert shape.faults(answer), (exchange, answer)


def test_paths_types_and_list_items() -> None:
    shape = Shape(fields={"result.list": list, "data.0.perm": str})
    assert shape.faults({"result": {"list": []}, "data": [{"perm": "read_only"}]}) == []
    assert shape.faults({"result": {"list": {}}, "data": []}) == [
        "result.list is an object, not a list",
        "data.0.perm is missing",
    ]
    rows = Shape(root=list, items=("currency",))
    assert rows.faults([]) == [] and rows.faults([{"currency": "BTC"}]) == []
    assert rows.faults([{"currency": "BTC"}, {"cur": "ETH"}]) == ["entry 1 lacks currency"]
    with pytest.raises(MalformedResponse, match="okx: the balance answer"):
        require_shape({}, shape, "okx", "balance")


def test_array_rows_and_alternative_forms() -> None:
    rows = Shape(root=list, items=("0", "2"))  # Bitfinex wallets: [TYPE, CURRENCY, BALANCE...]
    assert rows.faults([["exchange", "BTC", "1.5"]]) == []
    assert rows.faults([["exchange", "BTC"]]) == ["entry 0 lacks 0, 2"]
    assert rows.faults([{}]) == ["entry 0 lacks 0, 2"]
    either = Shape(fields={"code": int}, one_of=({"data.a": list}, {"data.b": bool}))
    assert either.faults({"code": 0, "data": {"a": []}}) == []
    assert either.faults({"code": 0, "data": {"b": True}}) == []
    assert either.faults({"code": 0, "data": {}}) == ["data.a is missing or data.b is missing"]
    assert either.faults({}) == ["code is missing", "data.a is missing or data.b is missing"]


@pytest.mark.parametrize("value", [None, {}, "1700000000000", math.nan, math.inf, 0, 1e20, True])
def test_a_server_time_must_be_a_plausible_moment(value: object) -> None:
    with pytest.raises(MalformedResponse):
        require_server_time(value, "kraken")
    assert require_server_time(1_700_000_000_000, "kraken") == 1.7e12


def test_unreadable_permissions_warn_and_are_never_safe() -> None:
    findings = evaluate("binance", Permissions.could_not_read())
    assert [(f.code, f.severity) for f in findings] == [("permissions_unreadable", "warning")]
    assert "Could not read this key's permissions" in findings[0].title
    assert "withdraw" in findings[0].advice
    assert [f.code for f in evaluate("htx", Permissions.not_reported())] == [
        "permissions_not_reported"
    ]


@pytest.mark.parametrize("exchange", SIM_EXCHANGES)
async def test_the_simulators_real_answers_have_the_shapes(
    sim: Simulator, tmp_path: Path, exchange: str
) -> None:
    """The simulator speaks each exchange's documented format: its answers must pass."""
    async with Connector(cache_dir=tmp_path, timeout_s=5) as connector:
        [report] = [r async for r in connector.refresh([account_for(sim, exchange)])]
    assert report.problem is None, report.problem
    assert report.permissions is not None and report.permissions.reported
    assert not report.permissions.unreadable
