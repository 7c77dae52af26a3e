"""WOO X: the calling key found in the account's (masked) key list, balances left unpriced
where ccxt has no spot ticker, and WOO's error codes. WOO is not in conftest's shared
EXCHANGES, whose tests expect every asset priced from tickers."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from tests.connect.conftest import account_for
from tui.connect import Connector
from tui.connect.exchanges import normalize_permissions
from tui.connect.exchanges.woo import CALLING_KEY
from tui.connect.problems import ProblemKind as K
from tui.sim import Simulator
from tui.sim.market import UNPRICED_ASSET
from tui.sim.model import Balance, SimAccount, Traits

# GET /v3/account/credentials, the doc's example answer (its trailing comma and comment
# dropped), https://developer.woox.io/api-reference/endpoint/account/credentials
CREDENTIALS_EXAMPLE = {
    "success": True,
    "data": {
        "rows": [
            {
                "accountName": "Main",
                "userId": 12523,
                "apiKey": "+Pxxxxxxxxxxxxxxxxxxxx==",
                "permissions": ["READ", "TRADE", "WITHDRAWAL"],
                "allowedIPs": ["123.0.0.1", "124.2.1.1"],
            }
        ],
        "meta": {"total": 46, "recordsPerPage": 1, "currentPage": 1},
    },
    "timestamp": 1721295317627,
}
A_KEY_IT_MASKS = "+PabcdefghijklmnopqrsA=="


def _answer(rows: list[dict[str, object]], total: int | None = None) -> dict[str, object]:
    meta = {"total": len(rows) if total is None else total, "recordsPerPage": 1000}
    return {**CREDENTIALS_EXAMPLE, "data": {"rows": rows, "meta": meta}}


def test_documented_answer_masked_row_fits_only_a_complete_list() -> None:
    # The example is page 1 of 46: other keys may fit the same mask, so nothing is read.
    partial = normalize_permissions("woo", {**CREDENTIALS_EXAMPLE, CALLING_KEY: A_KEY_IT_MASKS})
    assert not partial.reported and partial.unreadable
    rows = CREDENTIALS_EXAMPLE["data"]["rows"]
    p = normalize_permissions("woo", {**_answer(rows), CALLING_KEY: A_KEY_IT_MASKS})
    assert p.reported and p.read and p.spot_trade and p.withdraw is True
    assert p.margin is None and p.futures is None and p.internal_transfer is None
    assert p.ip_restricted is True and p.ip_addresses == ("123.0.0.1", "124.2.1.1")
    assert p.created_at is None and p.expires_at is None


def test_never_guesses_the_row() -> None:
    row = CREDENTIALS_EXAMPLE["data"]["rows"][0]
    other = {**row, "apiKey": "+Pxxxxxxxxxxxxxxxxxxxx==", "permissions": ["READ"]}
    for raw in (
        _answer([row]),  # no calling key
        {**_answer([row]), CALLING_KEY: "ZZabcdefghijklmnopqrsA=="},  # not its mask
        {**_answer([row]), CALLING_KEY: "+Pabc"},  # another length
        {**_answer([row, other]), CALLING_KEY: A_KEY_IT_MASKS},  # two rows fit
        {**_answer([{**row, "apiKey": "xxxxxxxxxxxxxxxxxxxxxx=="}]), CALLING_KEY: A_KEY_IT_MASKS},
        {"data": {"rows": "nonsense"}, CALLING_KEY: A_KEY_IT_MASKS},
    ):
        assert not normalize_permissions("woo", raw).reported, raw


def test_an_exact_key_counts_in_any_list_and_no_allowed_ips_is_no_restriction() -> None:
    row = {"apiKey": A_KEY_IT_MASKS, "permissions": ["READ"], "accountName": "Main"}
    p = normalize_permissions("woo", {**_answer([row], total=46), CALLING_KEY: A_KEY_IT_MASKS})
    assert p.reported and p.read and p.spot_trade is False and p.withdraw is False
    assert p.ip_restricted is False and p.ip_addresses == ()


async def test_default_keys(sim: Simulator, connector: Connector) -> None:
    accounts = [account_for(sim, "woo", label) for label in ("main", "risky", "sub")]
    reports = {r.label: r async for r in connector.refresh(accounts, force=True)}
    for label, report in reports.items():
        assert report.problem is None, (label, report.problem)
        assert report.status.state == "ok" and abs(report.status.clock_offset_ms) < 2000
    main_p, risky_p, sub_p = (reports[x].permissions for x in ("main", "risky", "sub"))
    assert main_p.spot_trade and main_p.withdraw is False and main_p.ip_restricted is True
    assert risky_p.withdraw is True and risky_p.ip_restricted is False
    assert sub_p.read and sub_p.spot_trade is False
    codes = {label: [f.code for f in r.findings] for label, r in reports.items()}
    assert codes["risky"][:2] == ["withdraw_enabled", "no_ip_allowlist"]
    assert reports["risky"].findings[0].severity == "critical"
    assert "read_only" in codes["sub"] and codes["main"] == []


async def test_balances_without_spot_tickers_are_unknown_never_zero(
    sim: Simulator, connector: Connector
) -> None:
    balances = await connector.balances(account_for(sim, "woo"))
    simulated = sim.account("woo", "main").traits.balances
    rows = {row.asset: row for row in balances.assets}
    assert set(rows) == set(simulated)
    assert rows["USDT"].usd == simulated["USDT"].total.quantize(Decimal("0.01"))
    for asset in ("BTC", "ETH", "SOL", UNPRICED_ASSET):
        assert rows[asset].total == simulated[asset].total and rows[asset].usd is None
    assert balances.unpriced_assets == tuple(sorted(["BTC", "ETH", "SOL", UNPRICED_ASSET]))
    assert balances.total_usd == rows["USDT"].usd


def _add_key(sim: Simulator, label: str, permissions: frozenset[str]) -> None:
    credentials = sim.exchanges["woo"].default_credentials(label)
    traits = Traits(permissions=permissions, balances={"USDT": Balance("1", "0")})
    sim.add_account(SimAccount(exchange="woo", label=label, credentials=credentials, traits=traits))


async def test_the_key_is_found_on_a_later_page(sim: Simulator, connector: Connector) -> None:
    """Takes ~6 s: ccxt spaces the two calls as WOO's limit (10 per 60 s) asks."""
    for number in range(1000):  # keys "az..." (see default_credentials)
        _add_key(sim, f"k{number:04}", frozenset({"read"}))
    _add_key(sim, "late", frozenset({"read", "withdraw"}))  # "bG...", row 1003 of 1003
    late = await connector.permissions(account_for(sim, "woo", "late"))
    assert late.reported and late.withdraw is True


async def test_a_mask_two_keys_fit_is_unreadable(sim: Simulator, connector: Connector) -> None:
    _add_key(sim, "main2", frozenset({"read"}))  # "bWFpbjIt...": masked as main is
    account = account_for(sim, "woo")
    permissions = await connector.permissions(account)
    assert not permissions.reported and permissions.unreadable
    [finding] = connector.findings(account, permissions)
    assert finding.code == "permissions_unreadable" and finding.severity == "warning"


async def test_refusals(sim: Simulator, tmp_path: Path) -> None:
    good = sim.account("woo", "main").credentials
    sim.set_faults("woo", "risky", ip_not_allowed=True)
    sim.set_faults("woo", "sub", rate_limited=True)
    accounts = [
        account_for(sim, "woo", "main", credentials={"secret": good["secret"][:-4] + "0000"}),
        account_for(sim, "woo", "risky"),
        account_for(sim, "woo", "sub"),
    ]
    async with Connector(cache_dir=tmp_path, timeout_s=5.0) as connector:
        reports = {r.label: r async for r in connector.refresh(accounts, force=True)}
        assert reports["main"].problem.kind is K.bad_credentials
        assert "-1002" in reports["main"].problem.title
        assert reports["risky"].problem.kind is K.bad_credentials  # -1002 covers the IP too
        assert reports["sub"].problem.kind is K.rate_limited
        sim.clear_faults()
        sim.set_faults("woo", "main", expired=True)
        sim.set_faults("woo", "risky", maintenance=True)
        faulty = [account_for(sim, "woo", label) for label in ("main", "risky")]
        reports = {r.label: r async for r in connector.refresh(faulty, force=True)}
        assert reports["main"].problem.kind is K.bad_credentials
        assert reports["risky"].problem.kind is K.maintenance
        sim.clear_faults()
        sim.set_faults("woo", clock_skew_ms=-30_000)
        [late] = [r async for r in connector.refresh([account_for(sim, "woo")], force=True)]
    assert late.problem.kind is K.clock_skew and late.status.clock_offset_ms < -25_000
