"""Every simulator fault x every exchange: through the connector and `keydeck check --json`.

The matrix runs once per module (about a minute: a few cells wait for request timeouts);
each cell is then its own test so a failure names the exchange and the fault.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.hardening.fault_matrix import (
    DOC_PATH,
    EXCHANGES,
    FAULT_NAMES,
    MUST_MENTION,
    Cell,
    CheckRun,
    MatrixRun,
    expected_kind,
    render_doc,
    run_check_matrix,
    run_matrix,
)
from tui.sim import Simulator

# Long (the whole matrix / a real pty session); one worker runs the module fixture once.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("fault-matrix")]

CELLS = [(exchange, fault) for exchange in EXCHANGES for fault in FAULT_NAMES]


def _sim_secrets() -> set[str]:
    """Every credential value the simulator hands out (the matrix's keys are derived alike)."""

    async def collect() -> set[str]:
        simulator = Simulator()
        values = {v for a in simulator.accounts for v in a.credentials.values()}
        for exchange in EXCHANGES:
            cls = simulator.exchanges[exchange]
            for fault in FAULT_NAMES:
                values.update(cls.default_credentials(f"fault-{fault}").values())
        return {v for v in values if len(v) >= 8}

    return asyncio.run(collect())


@pytest.fixture(scope="module")
def connector_run() -> MatrixRun:
    return asyncio.run(run_matrix())


@pytest.fixture(scope="module")
def check_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[MatrixRun, list[CheckRun]]:
    config_dir = tmp_path_factory.mktemp("fault-matrix") / "config"
    return asyncio.run(run_check_matrix(config_dir))


def _assert_cell(cell: Cell) -> None:
    expected = expected_kind(cell.exchange, cell.fault)
    where = f"{cell.exchange}/{cell.fault}"
    assert cell.kind is expected, f"{where}: {cell.kind} ({cell.title}), expected {expected}"
    if expected is None:
        assert cell.state != "failing", where
        return
    assert cell.state == "failing", where
    text = f"{cell.title} {cell.fix}"
    assert MUST_MENTION[expected].lower() in text.lower(), f"{where}: {text}"
    for leftover in ("Traceback", "{", "}", "None", "Error:"):
        assert leftover not in text, f"{where}: {leftover!r} in {text!r}"


@pytest.mark.parametrize(("exchange", "fault"), CELLS)
def test_connector_reports_the_expected_problem(
    connector_run: MatrixRun, exchange: str, fault: str
) -> None:
    _assert_cell(connector_run.cells[(exchange, fault)])


def test_connector_leaves_healthy_accounts_alone(connector_run: MatrixRun) -> None:
    assert len(connector_run.controls) >= 2 * len(EXCHANGES)
    for control in connector_run.controls:
        assert control.kind is None, control
        assert control.state != "failing", control


@pytest.mark.parametrize(("exchange", "fault"), CELLS)
def test_check_json_reports_the_same(
    check_run: tuple[MatrixRun, list[CheckRun]],
    connector_run: MatrixRun,
    exchange: str,
    fault: str,
) -> None:
    cell = check_run[0].cells[(exchange, fault)]
    _assert_cell(cell)
    assert cell.fix == connector_run.cells[(exchange, fault)].fix


def test_check_json_runs_cleanly(check_run: tuple[MatrixRun, list[CheckRun]]) -> None:
    matrix, runs = check_run
    assert matrix.controls and all(c.kind is None for c in matrix.controls), matrix.controls
    secrets = _sim_secrets()
    for run in runs:
        assert run.document is not None, run.stdout[-500:]
        assert run.code == 2, (run.code, run.stderr[-500:])  # 2: an account failed
        assert run.document["exit_code"] == 2
        assert "Traceback" not in run.stdout + run.stderr
        leaked = [s for s in secrets if s in run.stdout or s in run.stderr]
        assert not leaked, "credentials in keydeck check's output"


def test_fault_matrix_doc_is_current(connector_run: MatrixRun) -> None:
    expected = render_doc(connector_run)
    current = DOC_PATH.read_text(encoding="utf-8") if DOC_PATH.exists() else ""
    assert current == expected, (
        f"{Path(DOC_PATH).name} is out of date: run python -m tests.hardening.fault_matrix"
    )
