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

from importlib import import_module
from typing import TYPE_CHECKING, Any

# The registry is imported with the package: it names the exchanges ("OKX", not "Okx") before
# any catalog is loaded. Everything else loads on first use (PEP 562), so importing one
# submodule never runs the whole connector: two threads importing parts of it at once (the
# app's warm-up and an unlock) cannot deadlock on the package's import lock.
import tui.connect.exchanges  # noqa: F401

if TYPE_CHECKING:
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

_WHERE = {
    "CredentialField": "catalog",
    "ExchangeInfo": "catalog",
    "get_exchange_info": "catalog",
    "load_catalog": "catalog",
    "classify": "classifier",
    "AccountReport": "models",
    "AccountStatus": "models",
    "AssetBalance": "models",
    "Balances": "models",
    "Finding": "models",
    "Permissions": "models",
    "VerifyResult": "models",
    "Problem": "problems",
    "ProblemKind": "problems",
    "Connector": "service",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'tui.connect' has no attribute {name!r}")
    return getattr(import_module(f"tui.connect.{module}"), name)


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
