"""The connector service: the async layer between the screens and the exchanges.

Importing `tui.connect` imports neither ccxt nor Textual: ccxt is loaded on first use, in a
worker thread (see `tui.connect.clients.load_ccxt`). From a script:

    from tui.connect import Connector
    from tui.vault import Vault

    with Vault.open(None, password) as vault:
        accounts = list(vault.accounts)
    async with Connector() as connector:
        async for report in connector.refresh(accounts):  # as each account finishes
            print(report.exchange, report.label, report.status.state, report.problem)
"""

from __future__ import annotations

from tui.connect.catalog import CredentialField, ExchangeInfo, get_exchange_info, load_catalog
from tui.connect.classifier import classify
from tui.connect.models import (
    AccountReport,
    AccountStatus,
    AssetBalance,
    Balances,
    Finding,
    Permissions,
    VerifyResult,
)
from tui.connect.problems import Problem, ProblemKind
from tui.connect.service import Connector

__all__ = [
    "AccountReport",
    "AccountStatus",
    "AssetBalance",
    "Balances",
    "Connector",
    "CredentialField",
    "ExchangeInfo",
    "Finding",
    "Permissions",
    "Problem",
    "ProblemKind",
    "VerifyResult",
    "classify",
    "get_exchange_info",
    "load_catalog",
]
