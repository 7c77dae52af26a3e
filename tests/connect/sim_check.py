"""`keydeck check --json` run against the simulator's default keys of one exchange."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.connect.conftest import account_for
from tests.connect.test_check_cli import _check, _check_schema, _config_dir, _keyfile
from tui.sim import Simulator


async def check_default_keys(
    sim: Simulator, tmp_path: Path, exchange: str, as_id: str | None = None
) -> tuple[int, dict[str, dict[str, Any]]]:
    """`keydeck check --json` over the default main, risky and sub keys of the simulator's
    `exchange` (saved under the ccxt id `as_id` when given: an alias served by the same
    simulated API): exit code and the accounts by label."""
    config_dir = _config_dir(tmp_path, f"check-{as_id or exchange}")
    accounts = [account_for(sim, exchange, label) for label in ("main", "risky", "sub")]
    if as_id is not None:
        accounts = [account.replace(exchange=as_id) for account in accounts]
    _keyfile(config_dir, accounts)
    code, out, _ = await _check(config_dir, "--json")
    document = json.loads(out)
    _check_schema(document)
    return code, {account["label"]: account for account in document["accounts"]}


def finding_codes(account: dict[str, Any]) -> list[str]:
    return [finding["code"] for finding in account["findings"]]
