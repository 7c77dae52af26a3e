"""Plain result types of the connector service: what the screens and `keydeck check` show.

Money is `Decimal` throughout; a USD value of `None` means "price unknown" and is never
shown or summed as $0. Tri-state permission flags use `None` for "the exchange does not say".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Literal

from tui.base.inert import ASSET_LIMIT, LABEL_LIMIT, TEXT_LIMIT, inert, inert_all, inert_or_none
from tui.connect.problems import Problem

StatusState = Literal["ok", "warning", "failing"]
Severity = Literal["critical", "warning", "info"]

SEVERITY_ORDER: dict[str, int] = {"critical": 0, "warning": 1, "info": 2}


@dataclass(frozen=True)
class VerifyResult:
    """Outcome of one signed call that proves the key works."""

    ok: bool
    problem: Problem | None = None
    latency_ms: float | None = None


@dataclass(frozen=True)
class AccountStatus:
    state: StatusState
    reachable: bool
    latency_ms: float | None
    clock_offset_ms: float | None
    checked_at: datetime
    last_success_at: datetime | None = None
    problem: Problem | None = None
    retry_at: datetime | None = None
    """A failing key in back-off: the next automatic try (a forced check goes at once)."""


@dataclass(frozen=True)
class AssetBalance:
    asset: str
    free: Decimal
    used: Decimal
    total: Decimal
    usd: Decimal | None = None  # None = no price found: unknown, never 0

    def __post_init__(self) -> None:
        # The exchange names its assets: never let one carry a terminal control sequence.
        object.__setattr__(self, "asset", inert(self.asset, ASSET_LIMIT))


@dataclass(frozen=True)
class Balances:
    assets: tuple[AssetBalance, ...]
    total_usd: Decimal  # sum over priced assets only; see unpriced_assets
    unpriced_assets: tuple[str, ...]
    fetched_at: datetime

    def __post_init__(self) -> None:
        object.__setattr__(self, "unpriced_assets", inert_all(self.unpriced_assets, ASSET_LIMIT))

    @property
    def complete(self) -> bool:
        """True when every asset has a USD price, so `total_usd` is the whole story."""
        return not self.unpriced_assets


@dataclass(frozen=True)
class Permissions:
    """One normalized view of a key's rights, whatever the exchange's own format.

    `reported=False` with `unreadable=True`: the exchange does report permissions, but its
    answer this time lacked the fields it always sends; nothing about the key is known.
    """

    reported: bool
    read: bool | None = None
    spot_trade: bool | None = None
    margin: bool | None = None
    futures: bool | None = None
    withdraw: bool | None = None
    withdraw_addresses: bool | None = None  # may edit the withdrawal address book (Kraken)
    internal_transfer: bool | None = None
    ip_restricted: bool | None = None
    ip_addresses: tuple[str, ...] = ()
    created_at: datetime | None = None
    expires_at: datetime | None = None
    trade_expires_at: datetime | None = None
    """When the exchange turns the key's trading right off, the key itself staying (Binance's
    `tradingAuthorityExpirationTime` on a key bound to no IP address)."""
    label: str | None = None
    sub_account: bool | None = None
    unreadable: bool = False

    def __post_init__(self) -> None:
        # The key's name and IP list are the exchange's text: inert before anyone shows them.
        object.__setattr__(self, "label", inert_or_none(self.label, LABEL_LIMIT))
        object.__setattr__(self, "ip_addresses", inert_all(self.ip_addresses, ASSET_LIMIT))

    @classmethod
    def not_reported(cls) -> Permissions:
        return cls(reported=False)

    @classmethod
    def could_not_read(cls) -> Permissions:
        return cls(reported=False, unreadable=True)

    @property
    def can_trade(self) -> bool | None:
        flags = (self.spot_trade, self.margin, self.futures)
        if any(flag is True for flag in flags):
            return True
        if self.spot_trade is False:
            return False  # margin/futures unknown but not granted: treat as read-only
        return None


@dataclass(frozen=True)
class Finding:
    severity: Severity
    code: str
    title: str
    advice: str
    link: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "title", inert(self.title, TEXT_LIMIT))
        object.__setattr__(self, "advice", inert(self.advice, TEXT_LIMIT))


@dataclass(frozen=True)
class AccountReport:
    """Everything one refresh learned about one account."""

    account_id: str
    exchange: str
    label: str
    status: AccountStatus
    balances: Balances | None = None
    permissions: Permissions | None = None
    findings: tuple[Finding, ...] = field(default_factory=tuple)
    problem: Problem | None = None
    permissions_read_at: datetime | None = None
    """When `permissions` were read: rights are read every few minutes, not every round."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "label", inert(self.label, LABEL_LIMIT))

    @property
    def ok(self) -> bool:
        return self.problem is None

    @property
    def worst_severity(self) -> Severity | None:
        if not self.findings:
            return None
        return min((f.severity for f in self.findings), key=SEVERITY_ORDER.__getitem__)
