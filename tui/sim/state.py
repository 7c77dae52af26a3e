"""The simulator's mutable world: accounts, per-exchange faults, prices and the clock."""

from __future__ import annotations

import random
import time
from collections.abc import Iterable
from decimal import Decimal

from tui.sim.market import MarketBook
from tui.sim.model import Faults, SimAccount

DEFAULT_CLIENT_IP = "198.51.100.7"
"""The address loopback clients appear to come from (a documentation range, RFC 5737)."""


class SimState:
    def __init__(self, client_ip: str = DEFAULT_CLIENT_IP, seed: int = 7) -> None:
        self.accounts: list[SimAccount] = []
        self.exchange_faults: dict[str, Faults] = {}
        self.markets = MarketBook()
        self.client_ip = client_ip
        self.rng = random.Random(seed)

    # accounts -----------------------------------------------------------------------------

    def add(self, account: SimAccount) -> None:
        for existing in self.accounts:
            if existing.exchange == account.exchange and existing.label == account.label:
                raise ValueError(f"{account.exchange} already has an account {account.label!r}")
            if existing.exchange == account.exchange and existing.api_key == account.api_key:
                raise ValueError(f"{account.exchange} already has a key {account.api_key!r}")
        self.accounts.append(account)

    def extend(self, accounts: Iterable[SimAccount]) -> None:
        for account in accounts:
            self.add(account)

    def for_exchange(self, exchange: str) -> list[SimAccount]:
        return [a for a in self.accounts if a.exchange == exchange]

    def find(self, exchange: str, api_key: str | None) -> SimAccount | None:
        if not api_key:
            return None
        for account in self.accounts:
            if account.exchange == exchange and account.api_key == api_key:
                return account
        return None

    def get(self, exchange: str, label: str | None = None) -> SimAccount:
        candidates = self.for_exchange(exchange)
        if label is not None:
            candidates = [a for a in candidates if a.label == label]
        if not candidates:
            raise KeyError(f"no simulated account for {exchange!r} labelled {label!r}")
        return candidates[0]

    # faults and clock ---------------------------------------------------------------------

    def faults_of_exchange(self, exchange: str) -> Faults:
        return self.exchange_faults.setdefault(exchange, Faults())

    def effective_faults(self, exchange: str, account: SimAccount | None) -> Faults:
        base = self.faults_of_exchange(exchange)
        return base.merged(account.faults) if account is not None else base.merged(Faults())

    @staticmethod
    def now_ms() -> int:
        """The real time; an exchange's own clock adds its clock skew."""
        return int(time.time() * 1000)

    # live changes -------------------------------------------------------------------------

    def drift(self, rate: float) -> None:
        """Move prices and free balances by up to ±rate (a fraction) each."""
        if rate <= 0:
            return
        self.markets.drift(rate, self.rng)
        for account in self.accounts:
            for balance in account.traits.balances.values():
                if balance.free <= 0:
                    continue
                factor = Decimal(str(1 + self.rng.uniform(-rate, rate)))
                balance.free = (balance.free * factor).quantize(Decimal("0.00000001"))
