"""Reports as plain JSON-able data: the stable document of `keydeck check --json`.

The schema is documented in docs/check-json.md. Amounts are decimal strings (exact, never
floats); times are ISO 8601 in UTC; milliseconds are numbers. Unknown is `null`, never 0.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from decimal import Decimal
from typing import Any

from tui.connect.models import AccountReport, Balances, Finding, Permissions
from tui.connect.names import display_name
from tui.connect.problems import Problem

SCHEMA = "keydeck.check/1"


def decimal_text(value: Decimal | None) -> str | None:
    """`Decimal("1.50000000")` -> "1.5"; exact, no exponent; None stays None."""
    if value is None:
        return None
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


def money_text(value: Decimal | None) -> str | None:
    return None if value is None else format(value.quantize(Decimal("0.01")), "f")


def time_text(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat().replace("+00:00", "Z")


def problem_dict(problem: Problem | None) -> dict[str, str | None] | None:
    if problem is None:
        return None
    return {
        "kind": str(problem.kind),
        "title": problem.title,
        "fix": problem.fix,
        "seen_ip": problem.seen_ip,
    }


def finding_dict(finding: Finding, *, acknowledged: bool = False) -> dict[str, Any]:
    return {
        "severity": finding.severity,
        "code": finding.code,
        "title": finding.title,
        "advice": finding.advice,
        "link": finding.link,
        "acknowledged": acknowledged,
    }


def permissions_dict(permissions: Permissions | None) -> dict[str, Any] | None:
    if permissions is None:
        return None
    return {
        "reported": permissions.reported,
        "unreadable": permissions.unreadable,
        "read": permissions.read,
        "spot_trade": permissions.spot_trade,
        "margin": permissions.margin,
        "futures": permissions.futures,
        "withdraw": permissions.withdraw,
        "internal_transfer": permissions.internal_transfer,
        "ip_restricted": permissions.ip_restricted,
        "ip_addresses": list(permissions.ip_addresses),
        "created_at": time_text(permissions.created_at),
        "expires_at": time_text(permissions.expires_at),
        "trade_expires_at": time_text(permissions.trade_expires_at),
        "label": permissions.label,
        "sub_account": permissions.sub_account,
    }


def balances_rows(balances: Balances | None) -> list[dict[str, Any]]:
    if balances is None:
        return []
    return [
        {
            "asset": row.asset,
            "free": decimal_text(row.free),
            "used": decimal_text(row.used),
            "total": decimal_text(row.total),
            "usd": money_text(row.usd),
        }
        for row in balances.assets
    ]


def report_dict(
    report: AccountReport,
    *,
    acknowledged: Collection[str] = (),
    endpoint: str | None = None,
) -> dict[str, Any]:
    """One account of the `keydeck check --json` document. `acknowledged`: the finding codes
    the user accepted for this key; `endpoint`: the account's alternate API base URL."""
    status = report.status
    balances = report.balances
    return {
        "id": report.account_id,
        "exchange": report.exchange,
        "exchange_name": display_name(report.exchange),
        "label": report.label,
        "endpoint": endpoint,
        "status": status.state,
        "reachable": status.reachable,
        "problem": problem_dict(report.problem),
        "notice": problem_dict(status.problem if status.state == "warning" else None),
        "latency_ms": status.latency_ms,
        "clock_offset_ms": status.clock_offset_ms,
        "checked_at": time_text(status.checked_at),
        "balances": balances_rows(balances),
        "total_usd": money_text(balances.total_usd) if balances is not None else None,
        "unpriced_assets": list(balances.unpriced_assets) if balances is not None else [],
        "permissions": permissions_dict(report.permissions),
        "findings": [finding_dict(f, acknowledged=f.code in acknowledged) for f in report.findings],
    }
