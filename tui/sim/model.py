"""What the simulator knows about an API key: credentials, traits (what the exchange would
report about the key) and the faults injected for it.

Everything here is plain data; the server and the exchanges read it on every request, so a
test may change an account (or its faults) while the simulator runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

PERMISSIONS: frozenset[str] = frozenset(
    {"read", "spot", "margin", "futures", "withdraw", "transfer"}
)
"""Permissions a key may carry, in exchange-neutral words; each exchange renders them its way."""


def to_decimal(value: Decimal | str | float | int) -> Decimal:
    """Amounts are kept exact; floats are converted through their shortest repr."""
    if isinstance(value, Decimal):
        return value
    return Decimal(str(value))


@dataclass
class Balance:
    """One asset of an account: `free` is available, `used` is locked in orders."""

    free: Decimal = Decimal(0)
    used: Decimal = Decimal(0)

    def __post_init__(self) -> None:
        self.free = to_decimal(self.free)
        self.used = to_decimal(self.used)

    @property
    def total(self) -> Decimal:
        return self.free + self.used


@dataclass
class Traits:
    """What the exchange's key-permission endpoint reports about a key, plus its balances."""

    permissions: frozenset[str] = frozenset({"read", "spot"})
    ip_allowlist: tuple[str, ...] = ()
    """Empty means the key is not bound to any IP address."""
    created_at: datetime = field(default_factory=lambda: datetime(2025, 1, 15, 9, 30, tzinfo=UTC))
    expires_at: datetime | None = None
    sub_account: str | None = None
    """Name of the sub-account the key belongs to; None for a main-account key."""
    balances: dict[str, Balance] = field(default_factory=dict)
    label: str = ""
    """The key's name as the exchange shows it (its "remark"/"note"); defaults to the label."""

    def __post_init__(self) -> None:
        self.permissions = frozenset(self.permissions)
        unknown = self.permissions - PERMISSIONS
        if unknown:
            raise ValueError(f"unknown permission(s): {', '.join(sorted(unknown))}")
        self.ip_allowlist = tuple(self.ip_allowlist)

    def can(self, permission: str) -> bool:
        return permission in self.permissions

    def to_json(self) -> dict[str, Any]:
        return {
            "permissions": sorted(self.permissions),
            "ip_allowlist": list(self.ip_allowlist),
            "created_at": self.created_at.isoformat(),
            "expires_at": self.expires_at.isoformat() if self.expires_at else None,
            "sub_account": self.sub_account,
            "label": self.label,
            "balances": {
                asset: {"free": format(b.free, "f"), "used": format(b.used, "f")}
                for asset, b in sorted(self.balances.items())
            },
        }


@dataclass
class Faults:
    """Faults injected for a key or a whole exchange. All off by default."""

    latency_ms: int = 0
    """Added before every answer."""
    clock_skew_ms: int = 0
    """The exchange's clock runs this far ahead (negative: behind) of the real time."""
    rate_limited: bool = False
    """Every request is answered with the exchange's own 429 answer."""
    maintenance: bool = False
    """503 with an HTML maintenance page."""
    malformed_json: bool = False
    """Answers are cut in half, so they no longer parse."""
    timeout: bool = False
    """Never answer; the client gives up."""
    ip_not_allowed: bool = False
    """Signed requests are refused as coming from an address outside the allowlist."""
    expired: bool = False
    """Signed requests are refused as made with an expired key."""
    geo_blocked: bool = False
    """403 with an HTML "not available in your region" page, on every request."""
    down: bool = False
    """The connection is dropped before any answer (a host that is down or unreachable:
    the client sees a reset connection). The whole simulator's port can also be closed, so
    that connections are refused: `Simulator.go_offline()`."""

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))

    def update(self, **changes: Any) -> None:
        for name, value in changes.items():
            if name not in self.names():
                raise ValueError(f"unknown fault {name!r}; known: {', '.join(self.names())}")
            setattr(self, name, type(getattr(self, name))(value))

    def merged(self, other: Faults) -> Faults:
        """Faults of an exchange combined with those of one of its keys (key wins on numbers)."""
        result = Faults()
        for name in self.names():
            mine, theirs = getattr(self, name), getattr(other, name)
            if isinstance(mine, bool):
                setattr(result, name, mine or theirs)
            else:
                setattr(result, name, theirs or mine)
        return result

    def active(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.names() if getattr(self, name)}


@dataclass
class SimAccount:
    """One provisioned API key on one simulated exchange.

    `credentials` uses ccxt's names: apiKey, secret, password (the passphrase); a wallet
    exchange (Hyperliquid) has walletAddress and privateKey instead.
    """

    exchange: str
    label: str
    credentials: dict[str, str]
    traits: Traits = field(default_factory=Traits)
    faults: Faults = field(default_factory=Faults)

    def __post_init__(self) -> None:
        if not self.traits.label:
            self.traits.label = self.label

    @property
    def api_key(self) -> str:
        """What names the account in requests: its API key, else its wallet address."""
        return self.credentials.get("apiKey") or self.credentials["walletAddress"]

    @property
    def secret(self) -> str:
        return self.credentials.get("secret", "")

    @property
    def password(self) -> str | None:
        return self.credentials.get("password")

    def __repr__(self) -> str:  # never show secrets
        return f"SimAccount(exchange={self.exchange!r}, label={self.label!r})"

    def describe(self, endpoint: str) -> dict[str, Any]:
        return {
            "exchange": self.exchange,
            "label": self.label,
            "credentials": dict(self.credentials),
            "traits": self.traits.to_json(),
            "endpoint": endpoint,
        }
