"""Every simulated fault, on every exchange, becomes the right Problem with a useful fix."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from tests.connect.conftest import EXCHANGES, NO_SERVER_TIME, Account, account_for
from tui.connect import Connector, ProblemKind
from tui.connect.models import AccountReport
from tui.sim import Balance, Faults, SimAccount, Simulator, Traits

K = ProblemKind

# label -> faults switched on for that key alone.
KEY_FAULTS: dict[str, dict[str, object]] = {
    "geo": {"geo_blocked": True},
    "maintenance": {"maintenance": True},
    "ratelimit": {"rate_limited": True},
    "ipblock": {"ip_not_allowed": True},
    "expired": {"expired": True},
    "garbled": {"malformed_json": True},
}
EXPECTED: dict[str, ProblemKind] = {
    "geo": K.blocked,
    "maintenance": K.maintenance,
    "ratelimit": K.rate_limited,
    "ipblock": K.ip_not_allowed,
    "expired": K.bad_credentials,
    "garbled": K.bad_answer,
    "badkey": K.bad_credentials,
    "badsecret": K.bad_credentials,
    "badpass": K.bad_passphrase,
}
# Where the exchange's own answer cannot tell the cases apart (as on the real exchange).
EXCEPTIONS: dict[tuple[str, str], ProblemKind] = {
    ("binance", "ipblock"): K.bad_credentials,  # -2015 "Invalid API-key, IP, or permissions"
    ("coinbase", "ipblock"): K.bad_credentials,  # a bare 401
    ("kraken", "ipblock"): K.permission_missing,  # EGeneral:Permission denied
    ("kucoin", "badsecret"): K.bad_passphrase,  # the passphrase is checked with the secret
    ("gemini", "ipblock"): K.bad_credentials,  # Gemini documents no IP refusal of its own
    ("bitfinex", "ipblock"): K.bad_credentials,  # nor does Bitfinex ("apikey: invalid")
}
# Words the title or fix must contain, so the advice is concrete.
MUST_MENTION: dict[ProblemKind, str] = {
    K.blocked: "not a key problem",
    K.maintenance: "maintenance",
    K.rate_limited: "retries",
    K.bad_credentials: "key",
    K.bad_passphrase: "passphrase",
    K.ip_not_allowed: "IP address",
    K.permission_missing: "IP address",
    K.bad_answer: "not what it sends",
    K.clock_skew: "time sync",
    K.timeout: "did not answer",
}


def _other_pem() -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    ).decode()


def _provision(sim: Simulator, exchange: str, label: str, **faults: object) -> Account:
    sim.add_account(
        SimAccount(
            exchange=exchange,
            label=label,
            credentials=sim.exchanges[exchange].default_credentials(label),
            traits=Traits(balances={"USDT": Balance("10", "0")}),
            faults=Faults(**faults),
        )
    )
    return account_for(sim, exchange, label)


def _bad_credential_accounts(sim: Simulator, exchange: str) -> list[Account]:
    good = sim.account(exchange, "main").credentials
    wrong_secret = _other_pem() if exchange == "coinbase" else good["secret"][:-4] + "0000"
    accounts = [
        account_for(sim, exchange, "main", credentials={"apiKey": good["apiKey"] + "x"}),
        account_for(sim, exchange, "main", credentials={"secret": wrong_secret}),
    ]
    accounts = [
        accounts[0].replace(label="badkey"),
        accounts[1].replace(label="badsecret"),
    ]
    if "password" in good:
        wrong = account_for(sim, exchange, "main", credentials={"password": "not-the-passphrase"})
        accounts.append(wrong.replace(label="badpass"))
    return accounts


@pytest.fixture
async def fault_connector(tmp_path: Path) -> AsyncIterator[Connector]:
    async with Connector(cache_dir=tmp_path, timeout_s=5.0, account_timeout_s=30) as c:
        yield c


def _check(report: AccountReport, expected: ProblemKind) -> None:
    problem = report.problem
    assert problem is not None, report
    assert problem.kind is expected, (report.label, problem)
    assert report.status.state == "failing"
    assert report.balances is None
    text = f"{problem.title} {problem.fix}"
    assert MUST_MENTION[expected].lower() in text.lower(), (report.label, text)
    assert "Traceback" not in text and "{" not in text


@pytest.mark.parametrize("exchange", EXCHANGES)
async def test_key_faults(sim: Simulator, fault_connector: Connector, exchange: str) -> None:
    accounts = [_provision(sim, exchange, label, **f) for label, f in KEY_FAULTS.items()]
    accounts += _bad_credential_accounts(sim, exchange)
    reports = {r.label: r async for r in fault_connector.refresh(accounts)}
    assert set(reports) == {a.label for a in accounts}
    for label, report in reports.items():
        _check(report, EXCEPTIONS.get((exchange, label), EXPECTED[label]))
    if exchange == "bybit":
        assert "expired" in reports["expired"].problem.title
    assert reports["geo"].status.reachable is False
    assert reports["badkey"].status.reachable is True


async def test_timeouts_everywhere(sim: Simulator, tmp_path: Path) -> None:
    accounts = [_provision(sim, e, "hang", timeout=True) for e in EXCHANGES]
    async with Connector(cache_dir=tmp_path, timeout_s=1.0) as connector:
        reports = [r async for r in connector.refresh(accounts)]
    assert len(reports) == len(EXCHANGES)
    for report in reports:
        _check(report, K.timeout)
        assert report.status.reachable is False


@pytest.mark.parametrize("exchange", [e for e in EXCHANGES if e not in NO_SERVER_TIME])
async def test_clock_skew(sim: Simulator, fault_connector: Connector, exchange: str) -> None:
    account = account_for(sim, exchange)
    sim.set_faults(exchange, clock_skew_ms=4_000)
    status = await fault_connector.status(account)
    assert status.state == "warning" and status.problem is not None
    assert status.problem.kind is K.clock_skew
    assert 2_500 < status.clock_offset_ms < 5_500
    assert "behind" in status.problem.title

    sim.set_faults(exchange, clock_skew_ms=-30_000)
    [report] = [r async for r in fault_connector.refresh([account])]
    _check(report, K.clock_skew)
    assert report.status.clock_offset_ms < -25_000


async def test_unreachable_endpoint(fault_connector: Connector) -> None:
    account = Account(
        exchange="okx",
        label="nowhere",
        credentials={"apiKey": "k", "secret": "s", "password": "p"},
        endpoint="http://127.0.0.1:9",  # discard port: nothing listens
    )
    [report] = [r async for r in fault_connector.refresh([account])]
    assert report.problem is not None and report.problem.kind is K.unreachable
    assert "connection" in report.problem.fix


async def test_sandbox_without_testnet(fault_connector: Connector) -> None:
    account = Account(
        exchange="kraken",
        label="t",
        credentials={"apiKey": "k", "secret": "c2VjcmV0"},
        sandbox=True,
    )
    result = await fault_connector.verify(account)
    assert not result.ok and result.problem.kind is K.unsupported
    assert "testnet" in result.problem.title
