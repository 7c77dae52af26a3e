"""The default accounts: per exchange a healthy key, a risky one and a sub-account key.

Credentials are derived from the exchange id and the label (see
`SimExchange.default_credentials`), so docs and tests can name them.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from tui.sim.exchanges.base import SimExchange
from tui.sim.market import UNPRICED_ASSET
from tui.sim.model import Balance, SimAccount, Traits

_MAIN_BALANCES: dict[str, tuple[str, str]] = {
    "BTC": ("0.5", "0.1"),
    "ETH": ("4.2", "0.8"),
    "USDT": ("12500.5", "500"),
    "SOL": ("30", "0"),
    UNPRICED_ASSET: ("1000", "0"),
}


def _plain(value: Decimal) -> Decimal:
    """Eight decimals at most, no trailing zeros and never an exponent (str() stays plain)."""
    return Decimal(format(value.quantize(Decimal("0.00000001")).normalize(), "f"))


def _scaled(table: dict[str, tuple[str, str]], factor: Decimal) -> dict[str, Balance]:
    return {
        asset: Balance(_plain(Decimal(free) * factor), _plain(Decimal(used) * factor))
        for asset, (free, used) in table.items()
    }


def default_accounts(exchange: type[SimExchange], index: int, client_ip: str) -> list[SimAccount]:
    """`index` (the exchange's position in the registry) varies the amounts per exchange."""
    factor = 1 + Decimal(index) / 4
    main = SimAccount(
        exchange=exchange.id,
        label="main",
        credentials=exchange.default_credentials("main"),
        traits=Traits(
            permissions=frozenset({"read", "spot"}),
            ip_allowlist=(client_ip,),
            created_at=datetime(2025, 1, 15, 9, 30, tzinfo=UTC),
            balances=_scaled(_MAIN_BALANCES, factor),
        ),
    )
    risky = SimAccount(
        exchange=exchange.id,
        label="risky",
        credentials=exchange.default_credentials("risky"),
        traits=Traits(
            permissions=frozenset({"read", "spot", "margin", "withdraw", "transfer"}),
            ip_allowlist=(),
            created_at=datetime(2024, 3, 2, 14, 0, tzinfo=UTC),
            balances=_scaled({"USDT": ("250", "0"), "BTC": ("0.01", "0")}, factor),
        ),
    )
    sub = SimAccount(
        exchange=exchange.id,
        label="sub",
        credentials=exchange.default_credentials("sub"),
        traits=Traits(
            permissions=frozenset({"read"}),
            ip_allowlist=(client_ip,),
            created_at=datetime(2025, 6, 1, 8, 0, tzinfo=UTC),
            sub_account=f"{exchange.id}-desk",
            balances=_scaled({"ETH": ("1.5", "0"), "USDT": ("800", "120")}, factor),
        ),
    )
    accounts = [main, risky, sub]
    if exchange.key_lifetime_days is not None:
        for account in accounts:
            _expire_in(account, exchange.key_lifetime_days)
    elif exchange.unbound_key_lifetime_days is not None:
        for account in accounts:
            if not account.traits.ip_allowlist:
                _expire_in(account, exchange.unbound_key_lifetime_days)
    return accounts


def _expire_in(account: SimAccount, lifetime_days: int) -> None:
    """The key was created 30 days ago and lives `lifetime_days` (so it is valid today)."""
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    account.traits.created_at = today - timedelta(days=30)
    account.traits.expires_at = account.traits.created_at + timedelta(days=lifetime_days)
