"""The fault matrix: every simulator fault on every simulated exchange, what Keydeck must say.

One table (`FAULTS`, `EXPECTED_KIND`, `KIND_EXCEPTIONS`, `MUST_MENTION`) drives the tests in
test_fault_matrix.py and the generated docs/fault-matrix.md:

    python -m tests.hardening.fault_matrix          # run the matrix, rewrite the doc
    python -m tests.hardening.fault_matrix --check  # exit 1 if the doc is out of date

Faults are switched on for one key at a time (the simulator applies them to requests made
with that key), so a healthy key on every exchange rides along in the same refresh and must
stay healthy. Clock skew is a property of the exchange's clock, so it is switched on for a
whole exchange while the other exchanges are the healthy controls.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tui.base.paths import Locations, ensure_private_dir
from tui.connect import Connector, ProblemKind
from tui.connect.clients import load_ccxt
from tui.connect.problems import exchange_display_name
from tui.sim import Balance, Faults, SimAccount, Simulator, Traits
from tui.vault import Account, KdfParams, Vault

K = ProblemKind
DOC_PATH = Path(__file__).resolve().parents[2] / "docs" / "fault-matrix.md"
EXCHANGES: tuple[str, ...] = (
    "binance",
    "okx",
    "bybit",
    "kucoin",
    "coinbase",
    "kraken",
    "gate",
    "bitget",
    "mexc",
    "htx",
    "bingx",
    "gemini",
    "bitfinex",
    "deribit",
    "upbit",
    "bithumb",
)
CLOCK_SKEW_MS = -30_000
REQUEST_TIMEOUT_S = 8.0  # roomy: ~90 accounts refresh at once on a shared 2-core machine


@dataclass(frozen=True)
class Fault:
    name: str
    faults: dict[str, Any]
    scope: str  # "key" or "exchange"
    description: str


FAULTS: tuple[Fault, ...] = (
    Fault("latency", {"latency_ms": 300}, "key", "300 ms added to every answer"),
    Fault("geo_blocked", {"geo_blocked": True}, "key", "403 HTML region-block page"),
    Fault("maintenance", {"maintenance": True}, "key", "503 HTML maintenance page"),
    Fault("rate_limited", {"rate_limited": True}, "key", "the exchange's own 429 answer"),
    Fault("ip_not_allowed", {"ip_not_allowed": True}, "key", "request from outside the allowlist"),
    Fault("expired", {"expired": True}, "key", "the key has expired"),
    Fault("malformed_json", {"malformed_json": True}, "key", "answers cut in half"),
    Fault("timeout", {"timeout": True}, "key", "never answers"),
    Fault(
        "clock_skew",
        {"clock_skew_ms": CLOCK_SKEW_MS},
        "exchange",
        f"the exchange's clock is {abs(CLOCK_SKEW_MS) // 1000} s "
        f"{'behind' if CLOCK_SKEW_MS < 0 else 'ahead of'} real time",
    ),
)
FAULT_NAMES = tuple(f.name for f in FAULTS)

# None: the account must stay healthy (no problem at all).
EXPECTED_KIND: dict[str, ProblemKind | None] = {
    "latency": None,
    "geo_blocked": K.blocked,
    "maintenance": K.maintenance,
    "rate_limited": K.rate_limited,
    "ip_not_allowed": K.ip_not_allowed,
    "expired": K.bad_credentials,
    # Parsed strictly (tui.connect.ccxt_hooks): half an answer is never read as data.
    "malformed_json": K.bad_answer,
    "timeout": K.timeout,
    "clock_skew": K.clock_skew,
}
# Where the exchange's own answer cannot tell the cases apart (as on the real exchange).
KIND_EXCEPTIONS: dict[tuple[str, str], ProblemKind | None] = {
    ("binance", "ip_not_allowed"): K.bad_credentials,  # -2015 "Invalid API-key, IP, or ..."
    ("coinbase", "ip_not_allowed"): K.bad_credentials,  # a bare 401
    ("kraken", "ip_not_allowed"): K.permission_missing,  # EGeneral:Permission denied
    ("gemini", "ip_not_allowed"): K.bad_credentials,  # no documented IP refusal
    ("bitfinex", "ip_not_allowed"): K.bad_credentials,  # no documented IP refusal
    # No server clock in ccxt and nonces that only have to grow: a wrong clock breaks nothing.
    ("gemini", "clock_skew"): None,
    ("bitfinex", "clock_skew"): None,
    # No server time to compare with, and a request 30 s late is still accepted: Upbit's
    # JWT carries no time, Bithumb's timestamp window is wider (60 s assumed).
    ("upbit", "clock_skew"): None,
    ("bithumb", "clock_skew"): None,
}
# Words the fix (or title) must contain, so the advice is concrete for that kind.
MUST_MENTION: dict[ProblemKind, str] = {
    K.blocked: "not a key problem",
    K.maintenance: "wait",
    K.rate_limited: "retries",
    K.bad_credentials: "key",
    K.ip_not_allowed: "IP address",
    K.permission_missing: "IP address",
    K.unknown: "try again",
    K.bad_answer: "try again",
    K.clock_skew: "time sync",
    K.timeout: "try again",
}


def expected_kind(exchange: str, fault: str) -> ProblemKind | None:
    return KIND_EXCEPTIONS.get((exchange, fault), EXPECTED_KIND[fault])


@dataclass(frozen=True)
class Cell:
    """What Keydeck reported for one exchange under one fault."""

    exchange: str
    fault: str
    kind: ProblemKind | None
    title: str
    fix: str
    state: str


@dataclass(frozen=True)
class MatrixRun:
    cells: dict[tuple[str, str], Cell]
    controls: list[Cell]
    """Healthy accounts refreshed alongside the faulty ones."""


def _cell(exchange: str, fault: str, report: Any) -> Cell:
    problem = report.problem
    return Cell(
        exchange=exchange,
        fault=fault,
        kind=problem.kind if problem else None,
        title=problem.title if problem else "",
        fix=problem.fix if problem else "",
        state=report.status.state,
    )


def _provision(sim: Simulator, exchange: str, label: str, faults: dict[str, Any]) -> Account:
    simulated = sim.add_account(
        SimAccount(
            exchange=exchange,
            label=label,
            credentials=sim.exchanges[exchange].default_credentials(label),
            traits=Traits(balances={"USDT": Balance("10", "0"), "BTC": Balance("0.1", "0")}),
            faults=Faults(**faults),
        )
    )
    return to_vault_account(sim, simulated)


def to_vault_account(sim: Simulator, simulated: SimAccount) -> Account:
    return Account(
        exchange=simulated.exchange,
        label=simulated.label,
        credentials=dict(simulated.credentials),
        endpoint=sim.endpoint(simulated.exchange),
    )


def _connector(cache: Path) -> Connector:
    return Connector(cache_dir=cache, timeout_s=REQUEST_TIMEOUT_S, account_timeout_s=30.0)


async def run_matrix(exchanges: Iterable[str] = EXCHANGES) -> MatrixRun:
    """Every fault on every exchange through `Connector.refresh`, on one simulator."""
    exchanges = tuple(exchanges)
    cells: dict[tuple[str, str], Cell] = {}
    controls: list[Cell] = []
    # Import ccxt first: on a cold, busy machine the import (seconds, holding the GIL) would
    # otherwise eat into the first cells' request timeouts and turn faults into "timeout".
    await load_ccxt()
    with tempfile.TemporaryDirectory(prefix="keydeck-faults-") as folder:
        async with Simulator() as sim:
            key_faults = [f for f in FAULTS if f.scope == "key"]
            faulty = {
                (exchange, fault.name): _provision(
                    sim, exchange, f"fault-{fault.name}", fault.faults
                )
                for exchange in exchanges
                for fault in key_faults
            }
            healthy = {e: to_vault_account(sim, sim.account(e, "main")) for e in exchanges}
            by_id = {account.id: key for key, account in faulty.items()}
            async with _connector(Path(folder)) as connector:
                accounts = [*faulty.values(), *healthy.values()]
                async for report in connector.refresh(accounts):
                    if report.account_id in by_id:
                        exchange, fault = by_id[report.account_id]
                        cells[(exchange, fault)] = _cell(exchange, fault, report)
                    else:
                        controls.append(_cell(report.exchange, "control", report))
            for fault in (f for f in FAULTS if f.scope == "exchange"):
                halves = (exchanges[::2], exchanges[1::2])
                for skewed, others in (halves, halves[::-1]):
                    for exchange in skewed:
                        sim.set_faults(exchange, **fault.faults)
                    async with _connector(Path(folder)) as connector:
                        async for report in connector.refresh(healthy.values()):
                            if report.exchange in skewed:
                                cell = _cell(report.exchange, fault.name, report)
                                cells[(report.exchange, fault.name)] = cell
                            elif report.exchange in others:
                                controls.append(_cell(report.exchange, "control", report))
                    sim.clear_faults()
    return MatrixRun(cells, controls)


# --- the same through `keydeck check --json` ------------------------------------------------

CHECK_PASSWORD = "fault-matrix-password-1"


@dataclass(frozen=True)
class CheckRun:
    """One `keydeck check --json` subprocess: exit code, output, and the parsed document."""

    code: int
    stdout: str
    stderr: str
    document: dict[str, Any] | None


async def keydeck_check(config_dir: Path, accounts: Iterable[Account]) -> CheckRun:
    """Write `accounts` to a cheap-KDF keyfile in `config_dir` and run `keydeck check --json`."""
    locations = Locations.resolve(str(config_dir))
    ensure_private_dir(locations.config_dir)
    if locations.keyfile.exists():
        locations.keyfile.unlink()
    with Vault.create(locations.keyfile, CHECK_PASSWORD, kdf=KdfParams.insecure_fast()) as vault:
        for account in accounts:
            vault.add(account)
        vault.save()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KEYDECK_")}
    env.update(KEYDECK_CONFIG_DIR=str(config_dir), KEYDECK_PASSWORD=CHECK_PASSWORD)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tui",
        "check",
        "--json",
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), 170)
    out, err = stdout.decode(errors="replace"), stderr.decode(errors="replace")
    try:
        document = json.loads(out)
    except ValueError:
        document = None
    assert process.returncode is not None
    return CheckRun(process.returncode, out, err, document)


def _check_cell(exchange: str, fault: str, entry: dict[str, Any]) -> Cell:
    problem = entry.get("problem")
    return Cell(
        exchange=exchange,
        fault=fault,
        kind=ProblemKind(problem["kind"]) if problem else None,
        title=problem["title"] if problem else "",
        fix=problem["fix"] if problem else "",
        state=str(entry.get("status")),
    )


async def run_check_matrix(
    config_dir: Path, exchanges: Iterable[str] = EXCHANGES
) -> tuple[MatrixRun, list[CheckRun]]:
    """The matrix through `keydeck check --json` subprocesses (one per simulator set-up)."""
    exchanges = tuple(exchanges)
    cells: dict[tuple[str, str], Cell] = {}
    controls: list[Cell] = []
    runs: list[CheckRun] = []

    def collect(run: CheckRun, faulty: dict[tuple[str, str], str], skewed: tuple[str, ...]) -> None:
        runs.append(run)
        if run.document is None:
            return
        for entry in run.document.get("accounts", []):
            key = faulty.get((entry["exchange"], entry["label"]))
            if key is not None:
                cells[(entry["exchange"], key)] = _check_cell(entry["exchange"], key, entry)
            elif entry["exchange"] in skewed:
                cells[(entry["exchange"], "clock_skew")] = _check_cell(
                    entry["exchange"], "clock_skew", entry
                )
            else:
                controls.append(_check_cell(entry["exchange"], "control", entry))

    async with Simulator() as sim:
        key_faults = [f for f in FAULTS if f.scope == "key"]
        faulty_accounts: list[Account] = []
        labels: dict[tuple[str, str], str] = {}
        for exchange in exchanges:
            for fault in key_faults:
                label = f"fault-{fault.name}"
                faulty_accounts.append(_provision(sim, exchange, label, fault.faults))
                labels[(exchange, label)] = fault.name
        healthy = [to_vault_account(sim, sim.account(e, "main")) for e in exchanges]
        collect(await keydeck_check(config_dir, [*faulty_accounts, *healthy]), labels, ())
        # Exchange-wide faults all at once: the first run already showed healthy keys stay
        # healthy beside faulty ones, and each check subprocess costs seconds.
        for fault in (f for f in FAULTS if f.scope == "exchange"):
            for exchange in exchanges:
                sim.set_faults(exchange, **fault.faults)
            collect(await keydeck_check(config_dir, healthy), {}, exchanges)
            sim.clear_faults()
    return MatrixRun(cells, controls), runs


# --- the document --------------------------------------------------------------------------


def render_doc(run: MatrixRun, exchanges: Iterable[str] = EXCHANGES) -> str:
    """docs/fault-matrix.md: the kinds as a grid, then each distinct fix text once."""
    exchanges = tuple(exchanges)
    fixes: list[str] = []

    def reference(cell: Cell) -> str:
        if cell.kind is None:
            return "ok"
        generic = cell.fix.replace(exchange_display_name(cell.exchange), "{exchange}")
        if generic not in fixes:
            fixes.append(generic)
        return f"{cell.kind.value} [{fixes.index(generic) + 1}]"

    names = [exchange_display_name(e) for e in exchanges]
    lines = [
        "# Fault matrix",
        "",
        "Generated by `python -m tests.hardening.fault_matrix` from the table the hardening "
        "tests check (tests/hardening/fault_matrix.py); do not edit by hand. Each cell is the "
        "Problem kind Keydeck reports when the simulator injects that fault on that exchange, "
        "with the fix text it shows (numbered below). In the same refresh a healthy key on "
        "every exchange stays healthy, and `keydeck check --json` reports the same kinds.",
        "",
        "| fault | " + " | ".join(names) + " |",
        "| --- | " + " | ".join("---" for _ in names) + " |",
    ]
    for fault in FAULTS:
        row = [reference(run.cells[(exchange, fault.name)]) for exchange in exchanges]
        lines.append(f"| {fault.name} | " + " | ".join(row) + " |")
    lines += ["", "## Faults", ""]
    for fault in FAULTS:
        scope = "one key" if fault.scope == "key" else "the whole exchange"
        lines.append(f"- **{fault.name}** ({scope}): {fault.description}.")
    lines += ["", "## Fix texts", "", "`{exchange}` stands for the exchange's name.", ""]
    for number, fix in enumerate(fixes, start=1):
        lines.append(f"{number}. {fix}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.hardening.fault_matrix")
    parser.add_argument("--check", action="store_true", help="fail if the doc is out of date")
    args = parser.parse_args(argv)
    text = render_doc(asyncio.run(run_matrix()))
    current = DOC_PATH.read_text(encoding="utf-8") if DOC_PATH.exists() else ""
    if args.check:
        if current != text:
            print(f"{DOC_PATH} is out of date: run python -m tests.hardening.fault_matrix")
            return 1
        return 0
    DOC_PATH.write_text(text, encoding="utf-8")
    print(f"wrote {DOC_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
