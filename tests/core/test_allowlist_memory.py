"""The allowlist a key had when it last worked: kept (encrypted) with the account, written only
when it changes, and compared when the key is later refused for its address. Binance's -2015
is told apart with it. Against the simulator and a real temp keyfile."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.support.accounts import sim_account
from tests.support.app import PASSWORD, cheap_kdf
from tui.connect import Connector, ProblemKind
from tui.connect.allowlist import NOTE, from_notes
from tui.connect.models import AccountReport
from tui.core.keyfile_access import KeyfileAccess
from tui.core.session import Session
from tui.sim import Simulator
from tui.vault import Vault

HOME = "198.51.100.7"


@pytest.fixture
async def sim() -> AsyncIterator[Simulator]:
    async with Simulator() as running:
        running.state.client_ip = HOME
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


async def _check(session: Session, account_id: str) -> AccountReport:
    account = session.account(account_id)
    assert account is not None
    [report] = [r async for r in session.refresh([account], force=True)]
    return report


def _notes_on_disk(access: KeyfileAccess) -> dict[str, str]:
    with Vault.open(access.keyfile, PASSWORD, read_only=True, **access.vault_options) as vault:
        [account] = vault.accounts
        return dict(account.notes)


async def test_the_allowlist_is_remembered_and_written_only_when_it_changes(
    session: Session, access: KeyfileAccess, sim: Simulator
) -> None:
    account = session.save_account(sim_account(sim, "okx"))
    report = await _check(session, account.id)
    assert report.problem is None
    kept = from_notes(_notes_on_disk(access))
    assert kept is not None and kept.addresses == (HOME,) and kept.restricted is True
    written = access.keyfile.stat().st_mtime_ns
    await _check(session, account.id)
    assert access.keyfile.stat().st_mtime_ns == written  # same list: no write

    sim.account("okx", "main").traits.ip_allowlist = (HOME, "203.0.113.0/24")
    await _check(session, account.id)
    kept = from_notes(_notes_on_disk(access))
    assert kept is not None and kept.addresses == (HOME, "203.0.113.0/24")


async def test_an_ipv6_refusal_is_compared_with_the_remembered_list(
    session: Session, sim: Simulator
) -> None:
    account = session.save_account(sim_account(sim, "okx"))
    assert (await _check(session, account.id)).problem is None
    sim.state.client_ip = "2001:db8::1"
    report = await _check(session, account.id)
    problem = report.problem
    assert problem is not None and problem.kind is ProblemKind.ip_not_allowed
    assert problem.seen_ip == "2001:db8::1"
    today = datetime.now(UTC).date()
    assert problem.fix.startswith(
        f"The allowlist as last read on {today.day} {today:%b} has {HOME}; OKX saw "
        "2001:db8::1 (IPv6): this machine now reaches OKX over IPv6."
    )
    assert "Add it to the key's allowlist on OKX's API page." in problem.fix
    assert report.status.problem == problem
    # The failure did not replace what the key had when it last worked.
    kept = from_notes(session.account(account.id).notes)
    assert kept is not None and kept.addresses == (HOME,)


async def test_a_changed_ipv4_address_is_named(session: Session, sim: Simulator) -> None:
    account = session.save_account(sim_account(sim, "kucoin"))
    assert (await _check(session, account.id)).problem is None
    sim.state.client_ip = "203.0.113.9"
    problem = (await _check(session, account.id)).problem
    assert problem is not None and problem.seen_ip == "203.0.113.9"
    assert "KuCoin saw 203.0.113.9: this machine's public address has changed" in problem.fix


async def test_binance_2015_from_a_changed_address(session: Session, sim: Simulator) -> None:
    account = session.save_account(sim_account(sim, "binance"))
    assert (await _check(session, account.id)).problem is None
    sim.state.client_ip = "203.0.113.9"
    problem = (await _check(session, account.id)).problem
    assert problem is not None and problem.kind is ProblemKind.ip_not_allowed
    assert "203.0.113.9" in problem.title and "not on the key's IP allowlist" in problem.title
    assert "deleted" not in problem.fix


async def test_binance_2015_for_a_deleted_key(session: Session, sim: Simulator) -> None:
    account = session.save_account(sim_account(sim, "binance"))
    assert (await _check(session, account.id)).problem is None
    key = sim.account("binance", "main").credentials["apiKey"]
    sim.account("binance", "main").credentials["apiKey"] = key + "-deleted"
    problem = (await _check(session, account.id)).problem
    assert problem is not None and problem.kind is ProblemKind.bad_credentials
    assert "deleted or disabled" in problem.title
    assert f"covers {HOME}" in problem.fix


async def test_binance_2015_for_a_key_without_allowlist(session: Session, sim: Simulator) -> None:
    account = session.save_account(sim_account(sim, "binance", "risky"))
    assert (await _check(session, account.id)).problem is None
    sim.account("binance", "risky").credentials["apiKey"] += "-deleted"
    sim.state.client_ip = "203.0.113.9"
    problem = (await _check(session, account.id)).problem
    assert problem is not None and problem.kind is ProblemKind.bad_credentials
    assert "worked from any address" in problem.fix
    assert "deleted or disabled" in problem.title


async def test_the_note_is_kept_under_its_name(session: Session, sim: Simulator) -> None:
    account = session.save_account(sim_account(sim, "bybit"))
    await _check(session, account.id)
    assert NOTE in session.account(account.id).notes


async def test_a_rounds_allowlists_are_saved_in_one_write(
    session: Session, access: KeyfileAccess, sim: Simulator
) -> None:
    """A first round of many accounts rewrote the keyfile once per account (issue 30: 88
    saves on a first round of 100); now the round's new notes go in one save."""
    accounts = [session.save_account(sim_account(sim, name)) for name in ("okx", "kucoin", "bybit")]
    before = session.vault.generation
    reports = [r async for r in session.refresh(force=True)]
    assert all(r.problem is None for r in reports)
    assert session.vault.generation == before + 1  # one save for three new notes
    with Vault.open(access.keyfile, PASSWORD, read_only=True, **access.vault_options) as vault:
        for account in accounts:
            stored = vault.get_by_id(account.id)
            assert stored is not None
            kept = from_notes(stored.notes)
            assert kept is not None and kept.addresses == (HOME,)
    # The same lists read again: nothing to write.
    [r async for r in session.refresh(force=True)]
    assert session.vault.generation == before + 1
