"""Accounts for the simulator's provisioned keys, and the exchanges it serves."""

from __future__ import annotations

from typing import Any

from tui.sim.exchanges import load_all
from tui.vault import Account

SIM_EXCHANGES: tuple[str, ...] = tuple(load_all())
"""Every exchange the simulator serves, from its registry (never typed out in a test)."""


def sim_account(
    sim: Any, exchange: str, label: str = "main", *, key: str | None = None, **changes: Any
) -> Account:
    """A vault Account for one of the simulator's keys, pointed at the simulator.

    `key` picks the simulator's key (default: the one labelled `label`); `credentials=`
    entries override single fields; other keywords are Account fields.
    """
    provisioned = sim.account(exchange, key or label)
    credentials = {**provisioned.credentials, **changes.pop("credentials", {})}
    return Account(
        exchange=exchange,
        label=label,
        credentials=credentials,
        endpoint=changes.pop("endpoint", sim.endpoint(exchange)),
        **changes,
    )
