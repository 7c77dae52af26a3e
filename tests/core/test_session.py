"""The Session against the simulator and a real temp keyfile: saves roll back in memory when
the write fails, reports are stored as they arrive, fixed risks lose their acknowledgement."""

from __future__ import annotations

import errno
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.accounts import sim_account
from tests.support.app import PASSWORD, cheap_kdf
from tui.connect import Connector
from tui.core.keyfile_access import KeyfileAccess
from tui.core.session import Session
from tui.sim import Simulator
from tui.vault import Vault, VaultError


@pytest.fixture
async def sim() -> AsyncIterator[Simulator]:
    async with Simulator() as running:
        yield running


@pytest.fixture
def access(tmp_path: Path) -> KeyfileAccess:
    return KeyfileAccess(
        keyfile=tmp_path / "keys.kdk",
        connector_factory=lambda: Connector(cache_dir=tmp_path / "cache", timeout_s=5),
        vault_options=cheap_kdf(),
    )


@pytest.fixture
async def session(access: KeyfileAccess) -> AsyncIterator[Session]:
    opened = access.create(PASSWORD)
    yield opened
    await opened.aclose()


def labels_on_disk(access: KeyfileAccess) -> list[str]:
    with Vault.open(access.keyfile, PASSWORD, read_only=True, **access.vault_options) as vault:
        return sorted(a.label for a in vault.accounts)


def failing_replace(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_space(*_args: Any, **_kwargs: Any) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", no_space)


async def test_a_failed_save_is_rolled_back_in_memory(
    session: Session, access: KeyfileAccess, sim: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    session.save_account(sim_account(sim, "binance"))
    with monkeypatch.context() as patch:
        failing_replace(patch)
        with pytest.raises(VaultError):
            session.save_account(sim_account(sim, "okx"))
    assert [a.exchange for a in session.accounts] == ["binance"]
    # A later save must not write the account the user was told was not saved.
    session.save_account(sim_account(sim, "kraken"))
    assert labels_on_disk(access) == ["main", "main"]
    assert sorted(a.exchange for a in session.accounts) == ["binance", "kraken"]


async def test_a_failed_remove_puts_the_account_back(
    session: Session, access: KeyfileAccess, sim: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    account = session.save_account(sim_account(sim, "binance"))
    with monkeypatch.context() as patch:
        failing_replace(patch)
        with pytest.raises(VaultError):
            session.remove_account(account.id)
    assert [a.id for a in session.accounts] == [account.id]
    session.save_account(sim_account(sim, "okx"))
    assert len(labels_on_disk(access)) == 2


async def test_a_failed_replace_keeps_the_old_key(
    session: Session, sim: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = session.save_account(sim_account(sim, "binance"))
    new = old.replace(credentials=dict(sim.account("binance", "risky").credentials))
    with monkeypatch.context() as patch:
        failing_replace(patch)
        with pytest.raises(VaultError):
            session.save_account(new, old)
    stored = session.account(old.id)
    assert stored is not None
    assert stored.credentials["apiKey"].reveal() == sim.account("binance").credentials["apiKey"]


async def test_refresh_stores_each_report_and_tells_listeners(
    session: Session, sim: Simulator
) -> None:
    for exchange in ("binance", "okx"):
        session.save_account(sim_account(sim, exchange))
    told: list[int] = []
    session.subscribe(lambda: told.append(1), reports=True)
    reports = [report async for report in session.refresh()]
    assert {r.exchange for r in reports} == {"binance", "okx"}
    assert set(session.reports) == {a.id for a in session.accounts}
    assert all(r.problem is None for r in reports)
    assert len(told) == 2


async def test_verify_reports_a_rejected_key_without_storing_it(
    session: Session, sim: Simulator
) -> None:
    wrong = dict(sim.account("okx").credentials)
    wrong["secret"] = sim.account("okx", "risky").credentials["secret"]
    account = sim_account(sim, "okx", credentials=wrong)
    report = await session.verify(account)
    assert report.problem is not None and report.status.state == "failing"
    assert session.reports == {}


async def test_a_fixed_risk_drops_its_acknowledgement_so_a_relapse_alerts(
    session: Session, access: KeyfileAccess, sim: Simulator
) -> None:
    account = session.save_account(sim_account(sim, "okx", "risky"))
    [report] = [r async for r in session.refresh()]
    codes = {f.code for f in report.findings if f.severity == "critical"}
    assert "withdraw_enabled" in codes
    session.acknowledge(account.id, "withdraw_enabled")
    assert session.is_acknowledged(account.id, "withdraw_enabled")
    # The user turns withdrawals off at the exchange: the acknowledgement is dropped...
    sim.account("okx", "risky").traits.permissions = frozenset({"read", "spot"})
    [_report] = [r async for r in session.refresh(force=True)]
    assert not session.is_acknowledged(account.id, "withdraw_enabled")
    # ...on disk too.
    with Vault.open(access.keyfile, PASSWORD, read_only=True, **access.vault_options) as vault:
        stored = vault.get_by_id(account.id)
        assert stored is not None and "withdraw_enabled" not in stored.acknowledged


async def test_unacknowledge_takes_it_back(session: Session, sim: Simulator) -> None:
    account = session.save_account(sim_account(sim, "okx", "risky"))
    session.acknowledge(account.id, "withdraw_enabled")
    session.unacknowledge(account.id, "withdraw_enabled")
    assert not session.is_acknowledged(account.id, "withdraw_enabled")


async def test_close_is_one_path_and_safe_twice(session: Session) -> None:
    await session.aclose()
    await session.aclose()
    assert session.closed and session.vault.closed
    assert [r async for r in session.refresh()] == []


def test_the_session_layer_imports_no_textual() -> None:
    import subprocess
    import sys

    code = "import sys, tui.core.session; assert 'textual' not in sys.modules, 'textual imported'"
    subprocess.run([sys.executable, "-c", code], check=True)


async def test_an_import_that_cannot_be_written_adds_nothing(
    session: Session, access: KeyfileAccess, sim: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    accounts = [sim_account(sim, "binance"), sim_account(sim, "okx")]
    with monkeypatch.context() as patch:
        failing_replace(patch)
        with pytest.raises(VaultError):
            session.save_accounts(accounts)
    assert session.accounts == []
    session.save_accounts(accounts)  # one write, both
    assert sorted(a.exchange for a in session.accounts) == ["binance", "okx"]
    assert labels_on_disk(access) == ["main", "main"]
