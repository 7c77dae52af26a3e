"""What the dashboard knows, kept apart from how it is drawn.

`DashboardModel` folds the stream of `AccountReport`s into per-account views, keeping the
last good balances of an account whose latest refresh failed (shown as stale, never
blanked), the portfolio total over the session, and the rows each pane shows. No Textual
here: the widgets only render what this computes, and the tests read it directly.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Protocol

from tui.connect.models import SEVERITY_ORDER, AccountReport, AssetBalance, Balances, Finding

HISTORY_LIMIT = 720
"""Portfolio points kept for the sparkline (an hour at a 5 s refresh)."""


class AccountLike(Protocol):
    """What the dashboard needs of a stored account (a `tui.vault.Account` fits)."""

    @property
    def id(self) -> str: ...

    @property
    def exchange(self) -> str: ...

    @property
    def label(self) -> str: ...


class SortKey(StrEnum):
    value = "value"
    asset = "asset"
    total = "total"
    in_orders = "in orders"


SORT_CYCLE: tuple[SortKey, ...] = (SortKey.value, SortKey.asset, SortKey.total, SortKey.in_orders)


class AllocationBy(StrEnum):
    exchange = "exchange"
    asset = "asset"


@dataclass
class AccountView:
    """One account as the dashboard shows it: the latest report and the last good balances."""

    account_id: str
    exchange: str
    label: str
    report: AccountReport | None = None
    balances: Balances | None = None
    """The most recent balances that were fetched, possibly from an earlier refresh."""
    refreshing: bool = False
    asked: bool = False
    """The user asked for this check (`r`, `R`, "Check now"): its row says "checking…".
    A scheduled round is said once, in the panes' subtitles, not on every row."""

    @property
    def name(self) -> str:
        return f"{self.exchange} · {self.label}"

    @property
    def loading(self) -> bool:
        """No answer yet in this session."""
        return self.report is None

    @property
    def failed(self) -> bool:
        return self.report is not None and self.report.problem is not None

    @property
    def stale(self) -> bool:
        """Balances are shown but the latest refresh did not renew them."""
        if self.balances is None or self.report is None:
            return False
        return self.report.balances is None

    @property
    def findings(self) -> tuple[Finding, ...]:
        return self.report.findings if self.report is not None else ()

    @property
    def total_usd(self) -> Decimal | None:
        return self.balances.total_usd if self.balances is not None else None


@dataclass(frozen=True)
class BalanceRow:
    asset: str
    free: Decimal
    used: Decimal
    total: Decimal
    usd: Decimal | None
    share: Decimal | None
    """Fraction of the scope's priced total (0..1); None when the price is unknown."""


@dataclass(frozen=True)
class AccountSection:
    view: AccountView
    rows: tuple[BalanceRow, ...]
    hidden: int
    """Rows left out as small balances."""


@dataclass(frozen=True)
class Allocation:
    name: str
    usd: Decimal
    share: Decimal


@dataclass(frozen=True)
class WarningItem:
    view: AccountView
    finding: Finding
    acknowledged: bool


@dataclass
class BalanceFilter:
    hide_small: bool = True
    threshold_usd: Decimal = Decimal(1)
    text: str = ""
    sort: SortKey = SortKey.value

    def keeps(self, row: AssetBalance) -> bool:
        if row.total == 0:
            return False
        if self.text and self.text.casefold() not in row.asset.casefold():
            return False
        # An unpriced asset is never hidden as "small": its value is unknown, not small.
        return not (self.hide_small and row.usd is not None and row.usd < self.threshold_usd)


@dataclass
class DashboardModel:
    views: dict[str, AccountView] = field(default_factory=dict)
    history: list[tuple[datetime, Decimal]] = field(default_factory=list)
    round_started_at: datetime | None = None
    round_finished_at: datetime | None = None

    @classmethod
    def for_accounts(cls, accounts: Iterable[AccountLike]) -> DashboardModel:
        model = cls()
        model.set_accounts(accounts)
        return model

    # --- updates ---------------------------------------------------------------------------

    def set_accounts(self, accounts: Iterable[AccountLike]) -> None:
        """Follow the keyfile's accounts: keep what is known of those that stay."""
        views: dict[str, AccountView] = {}
        for account in accounts:
            view = self.views.get(account.id)
            if view is None:
                view = AccountView(account.id, account.exchange, account.label)
            else:
                view.exchange, view.label = account.exchange, account.label
            views[account.id] = view
        if views.keys() != self.views.keys():
            # Another set of accounts is another portfolio: a key added mid-session must not
            # read as "+140 % this session".
            self.history.clear()
        self.views = views

    def begin_round(
        self,
        now: datetime,
        account_ids: Iterable[str] | None = None,
        *,
        asked: Iterable[str] = (),
    ) -> None:
        """A round of `account_ids` (all by default) began; `asked`: those the user asked for."""
        self.round_started_at = now
        ids = set(self.views) if account_ids is None else set(account_ids)
        asked = set(asked)
        for account_id, view in self.views.items():
            view.refreshing = account_id in ids
            view.asked = account_id in asked

    def apply(self, report: AccountReport) -> AccountView | None:
        """Fold one account's report in; a report for an unknown account is ignored."""
        view = self.views.get(report.account_id)
        if view is None:
            return None
        view.report = report
        view.refreshing = view.asked = False
        if report.balances is not None:
            view.balances = report.balances
        return view

    def end_round(self, now: datetime) -> None:
        """Close the round and add a point to the portfolio history."""
        self.round_finished_at = now
        for view in self.views.values():
            view.refreshing = view.asked = False
        if any(view.balances is not None for view in self.views.values()):
            self.history.append((now, self.total_usd()))
            del self.history[:-HISTORY_LIMIT]

    # --- reading ---------------------------------------------------------------------------

    @property
    def refreshing(self) -> bool:
        return any(view.refreshing for view in self.views.values())

    def total_usd(self) -> Decimal:
        return sum(
            (view.total_usd for view in self.views.values() if view.total_usd is not None),
            Decimal(0),
        )

    def unpriced_assets(self) -> list[str]:
        seen: dict[str, None] = {}
        for view in self.views.values():
            if view.balances is not None:
                for asset in view.balances.unpriced_assets:
                    seen.setdefault(asset)
        return list(seen)

    def last_balance_update(self) -> datetime | None:
        times = [v.balances.fetched_at for v in self.views.values() if v.balances is not None]
        return max(times) if times else None

    def stale_views(self) -> list[AccountView]:
        return [view for view in self.views.values() if view.stale]

    def combined_assets(self) -> list[AssetBalance]:
        """Every asset summed over all accounts; USD unknown if any holder lacks a price."""
        free: dict[str, Decimal] = {}
        used: dict[str, Decimal] = {}
        usd: dict[str, Decimal | None] = {}
        for view in self.views.values():
            if view.balances is None:
                continue
            for row in view.balances.assets:
                free[row.asset] = free.get(row.asset, Decimal(0)) + row.free
                used[row.asset] = used.get(row.asset, Decimal(0)) + row.used
                known = usd.get(row.asset, Decimal(0))
                usd[row.asset] = None if known is None or row.usd is None else known + row.usd
        return [
            AssetBalance(asset, free[asset], used[asset], free[asset] + used[asset], usd[asset])
            for asset in free
        ]

    def combined_rows(self, flt: BalanceFilter) -> tuple[list[BalanceRow], int]:
        """Rows of the all-accounts view and how many were hidden as small."""
        return _rows(self.combined_assets(), self.total_usd(), flt)

    def sections(self, flt: BalanceFilter) -> list[AccountSection]:
        return [section_of(view, flt) for view in self.views.values()]

    def rights_read_at(self) -> datetime | None:
        """When the rights shown were read: the oldest read among the accounts."""
        times = [
            v.report.permissions_read_at
            for v in self.views.values()
            if v.report is not None and v.report.permissions_read_at is not None
        ]
        return min(times) if times else None

    def allocation(self, by: AllocationBy) -> list[Allocation]:
        """Priced value per exchange or per asset, largest first."""
        totals: dict[str, Decimal] = {}
        if by is AllocationBy.exchange:
            for view in self.views.values():
                if view.total_usd is not None:
                    totals[view.exchange] = totals.get(view.exchange, Decimal(0)) + view.total_usd
        else:
            for row in self.combined_assets():
                if row.usd is not None:
                    totals[row.asset] = row.usd
        whole = sum(totals.values(), Decimal(0))
        if whole <= 0:
            return []
        items = [Allocation(name, value, value / whole) for name, value in totals.items()]
        return sorted(items, key=lambda item: (-item.usd, item.name))

    def warnings(self, acknowledged: AcknowledgedLookup) -> dict[str, list[WarningItem]]:
        """Findings grouped by severity (critical first), accounts in keyfile order."""
        groups: dict[str, list[WarningItem]] = {s: [] for s in SEVERITY_ORDER}
        for view in self.views.values():
            for finding in view.findings:
                ack = acknowledged(view.account_id, finding.code)
                groups[finding.severity].append(WarningItem(view, finding, ack))
        return groups

    def open_criticals(self, acknowledged: AcknowledgedLookup) -> list[WarningItem]:
        """Critical findings not yet acknowledged: what the banner shows."""
        return [item for item in self.warnings(acknowledged)["critical"] if not item.acknowledged]


def section_of(view: AccountView, flt: BalanceFilter) -> AccountSection:
    """One account's rows of the per-account view."""
    if view.balances is None:
        return AccountSection(view, (), 0)
    rows, hidden = _rows(view.balances.assets, view.balances.total_usd, flt)
    return AccountSection(view, tuple(rows), hidden)


class AcknowledgedLookup(Protocol):
    def __call__(self, account_id: str, code: str) -> bool: ...


def _rows(
    assets: Sequence[AssetBalance], whole: Decimal, flt: BalanceFilter
) -> tuple[list[BalanceRow], int]:
    kept = [row for row in assets if flt.keeps(row)]
    hidden = sum(1 for row in assets if row.total != 0 and not flt.keeps(row) and not flt.text)
    rows = [
        BalanceRow(
            asset=row.asset,
            free=row.free,
            used=row.used,
            total=row.total,
            usd=row.usd,
            share=(row.usd / whole) if row.usd is not None and whole > 0 else None,
        )
        for row in kept
    ]
    return sort_rows(rows, flt.sort), hidden


def sort_rows(rows: list[BalanceRow], key: SortKey) -> list[BalanceRow]:
    if key is SortKey.asset:
        return sorted(rows, key=lambda r: r.asset)
    if key is SortKey.total:
        return sorted(rows, key=lambda r: (-r.total, r.asset))
    if key is SortKey.in_orders:
        return sorted(rows, key=lambda r: (-r.used, r.asset))
    # By value, largest first; unknown prices after every priced row.
    return sorted(rows, key=lambda r: (r.usd is None, -(r.usd or 0), r.asset))
