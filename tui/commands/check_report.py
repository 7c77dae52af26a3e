"""What `keydeck check` prints: the exit code of a run, the readable table, the JSON document
(schema in docs/check-json.md). No I/O beyond the stream it is given."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, TextIO

EXIT_OK = 0
EXIT_CRITICAL = 1
EXIT_FAILED = 2

_MARKS = {"ok": "✓", "warning": "!", "critical": "✗", "failing": "✗"}


@dataclass(frozen=True)
class Checked:
    """One account's report, with what the keyfile says about it."""

    report: Any
    acknowledged: frozenset[str] = frozenset()
    """Finding codes the user accepted for this key (in the app: k)."""
    endpoint: str | None = None

    def is_open(self, finding: Any) -> bool:
        """A critical finding the user has not accepted."""
        return finding.severity == "critical" and finding.code not in self.acknowledged

    @property
    def failed(self) -> bool:
        return self.report.problem is not None or self.report.status.state == "failing"

    @property
    def severity(self) -> str:
        """The account line's word: failing, critical (an open critical finding), warning
        (a warning finding or a warning status), else ok."""
        if self.failed:
            return "failing"
        findings = self.report.findings
        if any(self.is_open(f) for f in findings):
            return "critical"
        if self.report.status.state == "warning" or any(f.severity == "warning" for f in findings):
            return "warning"
        return "ok"


def exit_code(checked: Sequence[Checked]) -> int:
    """2 when an account failed; else 1 for a critical finding not acknowledged; else 0."""
    if any(c.failed for c in checked):
        return EXIT_FAILED
    if any(c.is_open(f) for c in checked for f in c.report.findings):
        return EXIT_CRITICAL
    return EXIT_OK


def counts(checked: Sequence[Checked]) -> dict[str, int]:
    """Open criticals, acknowledged criticals and warnings over every account."""
    findings = [(c, f) for c in checked for f in c.report.findings]
    return {
        "critical": sum(1 for c, f in findings if c.is_open(f)),
        "acknowledged": sum(
            1 for c, f in findings if f.severity == "critical" and not c.is_open(f)
        ),
        "warnings": sum(1 for _, f in findings if f.severity == "warning"),
    }


def document(checked: Sequence[Checked], code: int, version: str) -> dict[str, Any]:
    from tui.connect.export import SCHEMA, money_text, report_dict

    reports = [c.report for c in checked]
    accounts = [
        report_dict(c.report, acknowledged=c.acknowledged, endpoint=c.endpoint) for c in checked
    ]
    priced = [r.balances for r in reports if r.balances is not None]
    return {
        "schema": SCHEMA,
        "keydeck_version": version,
        "checked_at": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        "exit_code": code,
        "summary": {
            "accounts": len(reports),
            "failed": sum(1 for a in accounts if a["problem"] is not None),
            **counts(checked),
            "total_usd": money_text(sum((b.total_usd for b in priced), Decimal(0))),
            "total_usd_complete": len(priced) == len(reports) and all(b.complete for b in priced),
        },
        "accounts": accounts,
    }


def _usd(value: Decimal | None) -> str:
    return "unknown" if value is None else f"${value:,.2f}"


def _padded(text: str, cells: int) -> str:
    """`text` padded to `cells` terminal cells (wide CJK characters count two)."""
    from rich.cells import cell_len, set_cell_size

    return (
        set_cell_size(text, cells)
        if cell_len(text) > cells
        else text + " " * (cells - cell_len(text))
    )


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _account(item: Checked, out: TextIO) -> None:
    from tui.base import format as fmt
    from tui.connect.names import display_name

    report = item.report
    status = report.status
    name = f"{display_name(report.exchange)} · {report.label}"
    severity = item.severity
    parts = [f"{_MARKS[severity]} {_padded(name, 28)}", f"{severity:<8}"]
    if status.latency_ms is not None:
        parts.append(f"{status.latency_ms:>6.0f} ms")
    kind = report.problem.kind if report.problem is not None else None
    offset = fmt.clock_for_verdict(status.clock_offset_ms, kind)
    if offset is not None:  # as the app shows it: never "-0.0 s", none for a refused key
        whole = report.exchange in fmt.WHOLE_SECOND_CLOCKS
        parts.append(f"clock {fmt.clock_offset(offset, whole_seconds=whole)}")
    if report.balances is not None:
        total = _usd(report.balances.total_usd)
        if report.balances.unpriced_assets:
            total += f" + {len(report.balances.unpriced_assets)} unpriced"
        parts.append(total)
    print("  ".join(parts), file=out)
    problem = report.problem or (status.problem if status.state == "warning" else None)
    if problem is not None:
        print(f"    {problem.title}", file=out)
        print(f"    Fix: {problem.fix}", file=out)
    if report.balances is not None:
        for row in report.balances.assets:
            print(
                f"    {_padded(row.asset, 8)} total {fmt.amount(row.total):>18}"
                f"  in orders {fmt.amount(row.used):>14}  {_usd(row.usd):>16}",
                file=out,
            )
    if item.endpoint:
        print(f"    endpoint {item.endpoint}", file=out)
    for finding in report.findings:
        accepted = finding.severity == "critical" and not item.is_open(finding)
        mark = f"{finding.severity}, acknowledged" if accepted else finding.severity
        print(f"    [{mark}] {finding.title}", file=out)
        if finding.severity != "info" and not accepted:
            print(f"      {finding.advice}", file=out)


def table(checked: Sequence[Checked], out: TextIO) -> None:
    """One line per account (its severity first), its balances and findings, then the
    total with the counts of failures, criticals and warnings."""
    if not checked:
        print("The keyfile holds no API keys yet.", file=out)
        return
    for item in checked:
        _account(item, out)
    found = counts(checked)
    failed = sum(1 for c in checked if c.failed)
    tally = [f"{found['critical']} critical", _plural(found["warnings"], "warning")]
    if found["acknowledged"]:
        tally.append(f"{found['acknowledged']} critical acknowledged")
    if failed:
        tally.insert(0, f"{failed} failing")
    tally_text = " · " + ", ".join(tally)
    read = [c.report.balances for c in checked if c.report.balances is not None]
    if not read:
        print(f"\nTotal unknown: no account's balances could be read.{tally_text}", file=out)
        return
    notes = []
    if len(read) < len(checked):
        notes.append(f"{_plural(len(checked) - len(read), 'account')} not read")
    if any(b.unpriced_assets for b in read):
        notes.append("some assets without a price")
    suffix = f" ({'; '.join(notes)})" if notes else ""
    grand_total = sum((b.total_usd for b in read), Decimal(0))
    print(f"\nTotal {_usd(grand_total)}{suffix}{tally_text}", file=out)
