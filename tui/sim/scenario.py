"""Scenario files (TOML, or JSON by suffix): which keys exist and which faults are on.

The format is documented in docs/simulator.md. Everything is optional::

    defaults = true              # keep the default accounts (main, risky, sub per exchange)
    drift = 0.0                  # balance/price drift per second (fraction), 0 = off
    client_ip = "198.51.100.7"   # the address loopback clients appear to come from
    timeline_repeat = 120        # start the timeline again every 120 s (flapping)

    [faults.okx]                 # faults for a whole exchange
    maintenance = true

    [[timeline]]                 # at second 10 the whole simulator stops listening
    at = 10
    offline = true

    [[accounts]]                 # a key; replaces a default one with the same exchange+label
    exchange = "binance"
    label = "trader"
    permissions = ["read", "spot", "withdraw"]
    ip_allowlist = []
    balances = { BTC = { free = "0.5", used = "0.1" }, USDT = "100" }
    faults = { latency_ms = 300 }
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from tui.sim.model import Balance, Faults, SimAccount, Traits
from tui.sim.timeline import Timeline, TimelineError, step_from_dict

_TOP_LEVEL = {"defaults", "drift", "client_ip", "faults", "accounts", "timeline", "timeline_repeat"}
_ACCOUNT_KEYS = {
    "exchange",
    "label",
    "credentials",
    "permissions",
    "ip_allowlist",
    "created_at",
    "expires_at",
    "sub_account",
    "key_name",
    "balances",
    "faults",
}


class ScenarioError(ValueError):
    """The scenario file is not valid; the message names the offending entry."""


@dataclass
class AccountSpec:
    """An account from a scenario; credentials left out are derived like the defaults'."""

    exchange: str
    label: str
    credentials: dict[str, str]
    traits: Traits
    faults: Faults

    def build(self, derived_credentials: dict[str, str]) -> SimAccount:
        credentials = {**derived_credentials, **self.credentials}
        return SimAccount(self.exchange, self.label, credentials, self.traits, self.faults)


@dataclass
class Scenario:
    defaults: bool = True
    drift: float = 0.0
    client_ip: str | None = None
    exchange_faults: dict[str, Faults] = field(default_factory=dict)
    accounts: list[AccountSpec] = field(default_factory=list)
    timeline: Timeline = field(default_factory=Timeline)

    @classmethod
    def load(cls, path: str | Path) -> Scenario:
        file = Path(path)
        try:
            if file.suffix.lower() == ".json":
                data = json.loads(file.read_text(encoding="utf-8"))
            else:
                with file.open("rb") as handle:
                    data = tomllib.load(handle)
        except (OSError, ValueError) as error:
            raise ScenarioError(f"{file}: {error}") from error
        return cls.from_dict(data, source=str(file))

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str = "scenario") -> Scenario:
        if not isinstance(data, dict):
            raise ScenarioError(f"{source}: the top level must be a table")
        unknown = set(data) - _TOP_LEVEL
        if unknown:
            raise ScenarioError(f"{source}: unknown key(s) {', '.join(sorted(unknown))}")
        faults = {
            exchange: _faults(values, f"{source}: faults.{exchange}")
            for exchange, values in data.get("faults", {}).items()
        }
        accounts = [
            _account(entry, f"{source}: accounts[{index}]")
            for index, entry in enumerate(data.get("accounts", []))
        ]
        entries = data.get("timeline", [])
        if not isinstance(entries, list):
            raise ScenarioError(f"{source}: timeline must be a list of [[timeline]] steps")
        repeat = data.get("timeline_repeat")
        try:
            timeline = Timeline(
                steps=tuple(
                    step_from_dict(entry, f"{source}: timeline[{index}]")
                    for index, entry in enumerate(entries)
                ),
                repeat_s=None if repeat is None else float(repeat),
            )
        except (TimelineError, TypeError, ValueError) as error:
            raise ScenarioError(str(error)) from error
        return cls(
            timeline=timeline,
            defaults=bool(data.get("defaults", True)),
            drift=float(data.get("drift", 0.0)),
            client_ip=data.get("client_ip"),
            exchange_faults=faults,
            accounts=accounts,
        )


def _faults(values: Any, where: str) -> Faults:
    if not isinstance(values, dict):
        raise ScenarioError(f"{where}: faults must be a table")
    faults = Faults()
    try:
        faults.update(**values)
    except (TypeError, ValueError) as error:
        raise ScenarioError(f"{where}: {error}") from error
    return faults


def _when(value: Any, where: str) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    if isinstance(value, str):
        try:
            return _when(datetime.fromisoformat(value), where)
        except ValueError as error:
            raise ScenarioError(f"{where}: {value!r} is not an ISO date") from error
    raise ScenarioError(f"{where}: expected a date, got {value!r}")


def _balances(values: Any, where: str) -> dict[str, Balance]:
    if not isinstance(values, dict):
        raise ScenarioError(f"{where}: balances must be a table of asset = amount")
    result: dict[str, Balance] = {}
    for asset, amount in values.items():
        try:
            if isinstance(amount, dict):
                result[asset] = Balance(amount.get("free", "0"), amount.get("used", "0"))
            else:
                result[asset] = Balance(amount)
        except (ArithmeticError, ValueError) as error:
            raise ScenarioError(f"{where}: bad amount for {asset}") from error
    return result


def _account(entry: Any, where: str) -> AccountSpec:
    if not isinstance(entry, dict):
        raise ScenarioError(f"{where}: an account must be a table")
    unknown = set(entry) - _ACCOUNT_KEYS
    if unknown:
        raise ScenarioError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    if "exchange" not in entry or "label" not in entry:
        raise ScenarioError(f"{where}: exchange and label are required")
    defaults = Traits()
    try:
        traits = Traits(
            permissions=frozenset(entry.get("permissions", defaults.permissions)),
            ip_allowlist=tuple(entry.get("ip_allowlist", ())),
            created_at=_when(entry.get("created_at"), where) or defaults.created_at,
            expires_at=_when(entry.get("expires_at"), where),
            sub_account=entry.get("sub_account"),
            balances=_balances(entry.get("balances", {}), where),
            label=str(entry.get("key_name", "")),
        )
    except ValueError as error:
        raise ScenarioError(f"{where}: {error}") from error
    credentials = entry.get("credentials", {})
    if not isinstance(credentials, dict):
        raise ScenarioError(f"{where}: credentials must be a table")
    return AccountSpec(
        exchange=str(entry["exchange"]),
        label=str(entry["label"]),
        credentials={str(k): str(v) for k, v in credentials.items()},
        traits=traits,
        faults=_faults(entry.get("faults", {}), where),
    )
