"""Deciding what an import adds: a unique label per key, and the duplicates it skips.

A duplicate is a key whose exchange and identity (`Account.key_identity()`: the API key,
else the wallet address, login...) are already in the keyfile, or earlier in the same import.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from tui.keys_io.sources import Candidate, Skipped
from tui.vault import Account

RowState = Literal["new", "duplicate"]


@dataclass(frozen=True)
class PlannedRow:
    candidate: Candidate
    account: Account
    """The account as it would be saved (label decided, endpoint applied)."""
    state: RowState
    duplicate_of: str | None = None
    """`exchange · label` of the account already holding that key."""


@dataclass(frozen=True)
class Plan:
    rows: list[PlannedRow]
    invalid: list[Skipped]
    """Candidates that are not a valid account (bad exchange id, a label too long...)."""

    @property
    def new(self) -> list[PlannedRow]:
        return [r for r in self.rows if r.state == "new"]

    @property
    def duplicates(self) -> list[PlannedRow]:
        return [r for r in self.rows if r.state == "duplicate"]


def unique_label(base: str, taken: set[str]) -> str:
    """`base`, else `base-2`, `base-3`... whichever is free."""
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def plan_import(
    candidates: Iterable[Candidate],
    existing: Sequence[Account],
    *,
    default_label: str,
    endpoints: Mapping[str, str] | None = None,
) -> Plan:
    """Labels and duplicates for `candidates` against the keyfile's `existing` accounts.

    `endpoints` (exchange -> URL, from `--endpoint`) overrides a candidate's endpoint.
    """
    from tui.connect.endpoint import EndpointError, normalize_endpoint

    endpoints = endpoints or {}
    labels: dict[str, set[str]] = {}
    holders: dict[tuple[str, tuple[str, str]], str] = {}
    for account in existing:
        labels.setdefault(account.exchange, set()).add(account.label)
        identity = account.key_identity()
        if identity is not None:
            holders[(account.exchange, identity)] = account.display_name
    rows: list[PlannedRow] = []
    invalid: list[Skipped] = []
    for candidate in candidates:
        taken = labels.setdefault(candidate.exchange, set())
        endpoint = endpoints.get(candidate.exchange, candidate.endpoint)
        try:
            # The source's endpoint obeys the rule of one typed in the app (https, or plain
            # http to this computer only; no user info), verified or not.
            endpoint = normalize_endpoint(endpoint) if endpoint else None
        except EndpointError as error:
            invalid.append(Skipped(candidate.origin, f"its endpoint is refused: {error}"))
            continue
        try:
            account = Account(
                exchange=candidate.exchange,
                label=unique_label(candidate.label or default_label, taken),
                credentials=candidate.credentials,
                sandbox=candidate.sandbox,
                endpoint=endpoint,
            )
        except ValueError as error:
            invalid.append(Skipped(candidate.origin, str(error)))
            continue
        identity = account.key_identity()
        holder = holders.get((account.exchange, identity)) if identity is not None else None
        if holder is not None:
            rows.append(PlannedRow(candidate, account, "duplicate", holder))
            continue
        taken.add(account.label)
        if identity is not None:
            holders[(account.exchange, identity)] = account.display_name
        rows.append(PlannedRow(candidate, account, "new"))
    return Plan(rows, invalid)


def field_names(row: PlannedRow) -> str:
    """Which credential fields a planned key has (never a value), in the vault's order."""
    from tui.vault import CREDENTIAL_NAMES

    order = {name: i for i, name in enumerate(CREDENTIAL_NAMES)}
    names = sorted(row.account.credentials, key=lambda n: (order.get(n, len(order)), n))
    return ", ".join(names)
