"""Security findings about a key's permissions, table-driven: a new rule is one row.

Each rule has a predicate over the normalized Permissions (and the current time) and texts
that may use `{name}` (exchange display name), `{days}` and `{link}`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tui.connect.catalog import api_keys_page
from tui.connect.exchanges import permission_reader
from tui.connect.lapse import lapse_findings
from tui.connect.models import SEVERITY_ORDER, Finding, Permissions, Severity
from tui.connect.names import display_name

EXPIRY_WARNING_DAYS = 14
ROTATE_AFTER_DAYS = 90


@dataclass(frozen=True)
class Context:
    exchange_id: str
    name: str
    link: str | None
    now: datetime
    reads: tuple[str, ...] = ()
    """What the exchange's permission reader claims to tell (READABLE_RIGHTS names)."""


Predicate = Callable[[Permissions, Context], bool]
Days = Callable[[Permissions, Context], int | None]


@dataclass(frozen=True)
class Rule:
    code: str
    severity: Severity
    applies: Predicate
    title: str
    advice: str
    days: Days | None = None
    with_link: bool = False


def _days_to_expiry(p: Permissions, ctx: Context) -> int | None:
    if p.expires_at is None:
        return None
    return (p.expires_at - ctx.now).days


def _age_days(p: Permissions, ctx: Context) -> int | None:
    if p.created_at is None:
        return None
    return (ctx.now - p.created_at).days


def _expires_soon(p: Permissions, ctx: Context) -> bool:
    if p.expires_at is None:
        return False
    return p.expires_at - ctx.now <= timedelta(days=EXPIRY_WARNING_DAYS)


def _is_old(p: Permissions, ctx: Context) -> bool:
    age = _age_days(p, ctx)
    return age is not None and age > ROTATE_AFTER_DAYS


_CHECKLIST = (
    "{name}'s API does not report a key's permissions, so Keydeck cannot see whether this key "
    "can withdraw. Check it yourself on {name}'s API management page{link_part}: "
    "1) withdrawals are OFF; 2) the key is limited "
    "to your IP addresses; 3) only the permissions you need (read, and trade if a bot "
    "trades); 4) transfers are off unless you need them; 5) note when the key expires and "
    "rotate it regularly."
)

_CHECK_YOURSELF = (
    "Check it yourself on {name}'s API management page{link_part}: 1) withdrawals are OFF; "
    "2) the key is limited to your IP addresses; 3) only the permissions you need (read, and "
    "trade if a bot trades); 4) transfers are off unless you need them."
)


def _withdraw_unknown(p: Permissions, ctx: Context) -> bool:
    """The invariant "unknown is never silent": the exchange answered for this key, but the
    answer did not say whether it can withdraw (a field missing, renamed, of another type,
    or a documented shape that has no such field)."""
    return p.reported and not p.unreadable and p.withdraw is None


def _trade_unknown(p: Permissions, ctx: Context) -> bool:
    # Only when withdrawals are known: otherwise withdraw_unknown already says it all.
    return p.reported and p.withdraw is not None and p.can_trade is None and "trade" in ctx.reads


def _transfer_unknown(p: Permissions, ctx: Context) -> bool:
    return (
        p.reported
        and p.withdraw is False
        and p.internal_transfer is None
        and "transfer" in ctx.reads
    )


RULES: tuple[Rule, ...] = (
    Rule(
        code="withdraw_enabled",
        severity="critical",
        applies=lambda p, ctx: p.withdraw is True,
        title="Withdrawals are enabled on this key",
        advice="Anyone who gets this key can move your funds off {name}. Turn withdrawals off "
        "on {name}'s API management page, or replace the key with one that cannot withdraw.",
        with_link=True,
    ),
    Rule(
        code="withdraw_unknown",
        severity="warning",
        applies=_withdraw_unknown,
        title="Could not confirm that this key cannot withdraw",
        advice="{name} answered for this key, but its answer did not say whether the key can "
        "withdraw, so Keydeck cannot confirm that withdrawals are off. " + _CHECK_YOURSELF,
        with_link=True,
    ),
    Rule(
        code="withdraw_addresses_enabled",
        severity="warning",
        applies=lambda p, ctx: p.withdraw_addresses is True and p.withdraw is not True,
        title="This key can change the withdrawal address book",
        advice="The key cannot withdraw, but it can add or change withdrawal addresses on "
        "{name}. Turn those rights off on {name}'s API management page unless a tool you run "
        "needs them.",
        with_link=True,
    ),
    Rule(
        code="transfer_unknown",
        severity="warning",
        applies=_transfer_unknown,
        title="Could not confirm that this key cannot move funds between accounts",
        advice="{name}'s answer did not say whether the key may transfer funds between your "
        "accounts. " + _CHECK_YOURSELF,
        with_link=True,
    ),
    Rule(
        code="trade_unknown",
        severity="info",
        applies=_trade_unknown,
        title="Could not confirm whether this key can trade",
        advice="{name}'s answer did not say whether the key may place orders. " + _CHECK_YOURSELF,
        with_link=True,
    ),
    Rule(
        code="no_ip_allowlist",
        severity="warning",
        applies=lambda p, ctx: p.reported and p.ip_restricted is False,
        title="The key works from any IP address",
        advice="Restrict the key to the IP addresses you use it from on {name}. A leaked key "
        "that is IP-restricted is useless to others.",
        with_link=True,
    ),
    Rule(
        code="transfer_enabled",
        severity="warning",
        applies=lambda p, ctx: p.internal_transfer is True and p.withdraw is not True,
        title="Internal transfers are enabled on this key",
        advice="The key can move funds between your {name} accounts and sub-accounts. Turn "
        "this off unless a tool you run needs it.",
        with_link=True,
    ),
    Rule(
        code="expires_soon",
        severity="warning",
        applies=_expires_soon,
        title="The key expires in {days} days",
        advice="Create a replacement key on {name} before it expires and update it in Keydeck, "
        "or extend the key if {name} allows it.",
        days=_days_to_expiry,
        with_link=True,
    ),
    Rule(
        code="key_old",
        severity="warning",
        applies=_is_old,
        title="The key is {days} days old: time to rotate it",
        advice="Keys that live long are more likely to have leaked. Create a new key on "
        "{name}, replace it in Keydeck, then delete the old one.",
        days=_age_days,
        with_link=True,
    ),
    Rule(
        code="read_only",
        severity="info",
        applies=lambda p, ctx: p.reported and p.can_trade is False,
        title="Read-only key: it cannot trade",
        advice="Fine for watching balances. A trading bot using this key will have its orders "
        "rejected; enable trading on {name} only if you need it.",
    ),
    Rule(
        code="permissions_unreadable",
        severity="warning",
        applies=lambda p, ctx: p.unreadable,
        title="Could not read this key's permissions",
        advice="{name}'s answer about this key was not what it sends (a proxy, captive portal "
        "or outage in between?), so Keydeck cannot tell whether the key can trade or "
        "withdraw. Keydeck asks again on the next refresh; meanwhile check on {name}'s API "
        "management page{link_part} that withdrawals are off.",
        with_link=True,
    ),
    Rule(
        code="permissions_not_reported",
        severity="info",
        applies=lambda p, ctx: not p.reported and not p.unreadable,
        title="{name} does not report this key's permissions",
        advice=_CHECKLIST,
        with_link=True,
    ),
)


def _format(text: str, ctx: Context, days: int | None) -> str:
    link_part = f" ({ctx.link})" if ctx.link else ""
    shown_days = "0" if days is not None and days < 0 else str(days) if days is not None else ""
    return text.format(name=ctx.name, link=ctx.link or "", link_part=link_part, days=shown_days)


def _expired_title(rule: Rule, days: int | None) -> str:
    if rule.code == "expires_soon" and days is not None and days < 0:
        return "The key has expired"
    if rule.code == "expires_soon" and days == 0:
        return "The key expires today"
    return rule.title


def evaluate(
    exchange_id: str,
    permissions: Permissions,
    now: datetime | None = None,
    sandbox: bool = False,
    rules: tuple[Rule, ...] = RULES,
) -> list[Finding]:
    """Every finding for this key, most severe first (`sandbox`: a testnet/demo key, which
    some exchanges exempt from their rules for keys without an IP allowlist)."""
    reader = permission_reader(exchange_id)
    ctx = Context(
        exchange_id=exchange_id,
        name=display_name(exchange_id),
        link=api_keys_page(exchange_id),
        now=now or datetime.now(UTC),
        reads=reader.reads if reader is not None else (),
    )
    findings: list[Finding] = []
    for rule in rules:
        if not rule.applies(permissions, ctx):
            continue
        days = rule.days(permissions, ctx) if rule.days else None
        findings.append(
            Finding(
                severity=rule.severity,
                code=rule.code,
                title=_format(_expired_title(rule, days), ctx, days),
                advice=_format(rule.advice, ctx, days),
                link=ctx.link if rule.with_link else None,
            )
        )
    if rules is RULES:  # a lapse for want of an allowlist goes right after saying it is missing
        lapse = lapse_findings(
            exchange_id, permissions, name=ctx.name, link=ctx.link, now=ctx.now, sandbox=sandbox
        )
        at = next((i + 1 for i, f in enumerate(findings) if f.code == "no_ip_allowlist"), 0)
        findings[at:at] = lapse
    findings.sort(key=lambda f: SEVERITY_ORDER[f.severity])
    return findings
