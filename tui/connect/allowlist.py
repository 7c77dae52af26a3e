"""The IP allowlist a key had when it last worked, and what a later IP refusal means.

When a key's rights are readable, the allowlist that came with them is kept in the account's
notes (encrypted with the keyfile) under `NOTE`, written only when it changes. When the key
later fails for its address, `explain` compares the address the exchange saw with it:
"The allowlist as last read on 3 Dec has 203.0.113.7; OKX saw 2001:db8::1 (IPv6): this
machine now reaches OKX over IPv6." Binance's -2015 (one answer for a bad key, an address
off the list and a missing right) is told apart the same way.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date

from tui.connect.models import AccountReport, Permissions
from tui.connect.problems import Problem, ProblemKind, exchange_display_name
from tui.connect.seen_ip import canonical_ip, in_allowlist, ip_version, shown

NOTE = "ip_allowlist"
"""The account note holding the last allowlist read (JSON)."""

_MAX_ENTRIES = 64


@dataclass(frozen=True)
class Remembered:
    """The key's allowlist as last read: `restricted` None when the exchange did not say."""

    addresses: tuple[str, ...]
    restricted: bool | None
    read: bool | None
    since: date

    def to_note(self) -> str:
        return json.dumps(
            {
                "addresses": list(self.addresses),
                "restricted": self.restricted,
                "read": self.read,
                "since": self.since.isoformat(),
            },
            separators=(",", ":"),
        )

    def same_list(self, other: Remembered) -> bool:
        return (self.addresses, self.restricted, self.read) == (
            other.addresses,
            other.restricted,
            other.read,
        )


def _entry(text: object) -> str | None:
    """An allowlist entry: an address or a CIDR range, canonical; anything else dropped."""
    value = str(text).strip()
    if "/" in value:
        address, _, bits = value.partition("/")
        canonical = canonical_ip(address)
        return f"{canonical}/{int(bits)}" if canonical and bits.isdigit() else None
    return canonical_ip(value)


def _addresses(values: object) -> tuple[str, ...]:
    if not isinstance(values, list | tuple):
        return ()
    kept = (_entry(v) for v in values[:_MAX_ENTRIES])
    return tuple(dict.fromkeys(v for v in kept if v))


def from_permissions(permissions: Permissions | None, today: date) -> Remembered | None:
    """What to remember from a good read of the key's rights (None: nothing about IPs)."""
    if permissions is None or not permissions.reported:
        return None
    if permissions.ip_restricted is None and not permissions.ip_addresses:
        return None
    addresses = _addresses(permissions.ip_addresses)
    return Remembered(addresses, permissions.ip_restricted, permissions.read, today)


def from_notes(notes: Mapping[str, str]) -> Remembered | None:
    text = notes.get(NOTE)
    if not text:
        return None
    try:
        data = json.loads(text)
        since = date.fromisoformat(str(data["since"]))
    except (ValueError, KeyError, TypeError):
        return None
    if not isinstance(data, dict):
        return None
    restricted, read = data.get("restricted"), data.get("read")
    return Remembered(
        _addresses(data.get("addresses")),
        restricted if isinstance(restricted, bool) else None,
        read if isinstance(read, bool) else None,
        since,
    )


def updated_note(
    notes: Mapping[str, str], permissions: Permissions | None, today: date
) -> str | None:
    """The new note text when the allowlist read differs from the one kept, else None."""
    current = from_permissions(permissions, today)
    if current is None:
        return None
    kept = from_notes(notes)
    if kept is not None and kept.same_list(current):
        return None
    return current.to_note()


def _day(value: date, today: date) -> str:
    return f"{value.day} {value:%b}" + ("" if value.year == today.year else f" {value.year}")


def _listing(addresses: tuple[str, ...]) -> str:
    if len(addresses) == 1:
        return addresses[0]
    return ", ".join(addresses[:-1]) + " and " + addresses[-1]


def _comparison(kept: Remembered, seen: str, name: str, today: date) -> str:
    day = _day(kept.since, today)
    head = f"The allowlist as last read on {day} has {_listing(kept.addresses)}"
    if in_allowlist(seen, kept.addresses):
        return (
            f"{head}, which covers {shown(seen)}: the allowlist was probably changed on "
            f"{name} since."
        )
    versions = {ip_version(a.partition("/")[0]) for a in kept.addresses}
    if ip_version(seen) == 6 and 6 not in versions:
        why = f"this machine now reaches {name} over IPv6"
    elif ip_version(seen) == 4 and 4 not in versions:
        why = f"this machine now reaches {name} over IPv4"
    else:
        why = "this machine's public address has changed (a new router, a VPN, another server)"
    return f"{head}; {name} saw {shown(seen)}: {why}."


def _add_it(name: str) -> str:
    return f"Add it to the key's allowlist on {name}'s API page."


def explain(problem: Problem, kept: Remembered | None, exchange_id: str, today: date) -> Problem:
    """`problem` with what the remembered allowlist tells about it (unchanged if nothing)."""
    if kept is None:
        return problem
    name = exchange_display_name(exchange_id)
    seen = problem.seen_ip
    if problem.kind is ProblemKind.ip_not_allowed:
        if seen is None or not kept.restricted or not kept.addresses:
            return problem
        return replace(problem, fix=f"{_comparison(kept, seen, name, today)} {_add_it(name)}")
    if problem.kind is ProblemKind.bad_credentials and _is_binance_2015(problem, exchange_id):
        return _binance_2015(problem, kept, seen, name, today)
    return problem


def _is_binance_2015(problem: Problem, exchange_id: str) -> bool:
    return exchange_id.startswith("binance") and "-2015" in problem.detail


def _binance_2015(
    problem: Problem, kept: Remembered, seen: str | None, name: str, today: date
) -> Problem:
    """One cause, not three: a changed address, a missing right, or a deleted key."""
    day = _day(kept.since, today)
    if kept.restricted and kept.addresses and seen is not None:
        if not in_allowlist(seen, kept.addresses):
            return replace(
                problem,
                kind=ProblemKind.ip_not_allowed,
                title=f"{name} refused this request from {seen}: that address is not on the "
                "key's IP allowlist.",
                fix=f"{_comparison(kept, seen, name, today)} {_add_it(name)}",
            )
        cause = f"The allowlist as last read on {day} covers {shown(seen)}, the address {name} saw"
    elif kept.restricted is False:
        cause = (
            f"When last read ({day}) the key worked from any address, so the address is "
            "unlikely the cause (unless an allowlist was added since)"
        )
    else:
        return problem
    if kept.read is False:
        return replace(
            problem,
            kind=ProblemKind.permission_missing,
            title=f"{name} refused this request: the key lacks the right to read the account.",
            fix=f"{cause}. When last read the key lacked 'Enable Reading', which this check "
            f"needs: edit the key on {name} and enable reading only; never withdrawals.",
        )
    return replace(
        problem,
        title=f"{name} refused this key: it was most likely deleted or disabled.",
        fix=f"{cause}, and the key could read the account then. {name} gives this answer for a "
        f"deleted or disabled key: check that it is still listed on {name}'s API page; if not, "
        "create a new key and add it to Keydeck.",
    )


def last_worked_line(notes: Mapping[str, str], today: date) -> str | None:
    """The account detail's line: the allowlist the key had when it last worked."""
    kept = from_notes(notes)
    if kept is None:
        return None
    head = f"IP allowlist when the key last worked (as read on {_day(kept.since, today)})"
    if kept.restricted and kept.addresses:
        return f"{head}: {_listing(kept.addresses)}"
    if kept.restricted is False:
        return f"{head}: none, any address"
    return None


def explain_report(report: AccountReport, notes: Mapping[str, str], today: date) -> AccountReport:
    """The report with its problem explained by the allowlist the key had when it worked."""
    problem = report.problem
    if problem is None:
        return report
    explained = explain(problem, from_notes(notes), report.exchange, today)
    if explained is problem:
        return report
    status = report.status
    if status.problem is problem:
        status = replace(status, problem=explained)
    return replace(report, problem=explained, status=status)
