"""The signed calls about the key itself: the probe that proves it works, and the read of
its rights. An answer without its exchange's shape proves nothing (`{}` is not a yes)."""

from __future__ import annotations

import logging
from typing import Any

from tui.connect.exchanges import permission_reader, permission_shape
from tui.connect.holdings import checked_balance
from tui.connect.keys import ExchangeKey
from tui.connect.models import Permissions
from tui.connect.shapes import has_shape, require_json, require_shape
from tui.connect.shared_markets import SharedMarkets

log = logging.getLogger(__name__)


async def signed_probe(client: Any, account: ExchangeKey, markets: SharedMarkets) -> None:
    """One signed call: the permission endpoint where there is one (not on testnets), else
    the balance. Raises what the exchange or ccxt raised, or a shape problem."""
    reader = permission_reader(account.exchange)
    if reader is not None and not account.sandbox:
        raw = await reader.fetch(client)
        require_json(raw, "key permissions")
        require_shape(raw, permission_shape(account.exchange), account.exchange, "key permissions")
        return
    await markets.ensure(client, account)
    checked_balance(await client.fetch_balance(), account.exchange)


async def read_permissions(client: Any, exchange_id: str) -> Permissions:
    """The key's rights, normalized; `could_not_read` when the answer lacks its fields.
    The exchange must have a permission reader (`permission_reader(exchange_id)`)."""
    reader = permission_reader(exchange_id)
    if reader is None:
        return Permissions.not_reported()
    raw = await reader.fetch(client)
    require_json(raw, "key permissions")
    if not has_shape(raw, permission_shape(exchange_id)):
        log.warning("%s: the key permissions answer lacks its usual fields", exchange_id)
        return Permissions.could_not_read()
    return reader.normalize(raw if isinstance(raw, dict) else {"data": raw})
