"""OKX: reading a key's permissions, and the error codes ccxt maps to the wrong kind."""

from __future__ import annotations

from typing import Any

from tui.connect.exchanges.base import CODE, ExchangeModule, PermissionReader, Raw
from tui.connect.models import Permissions
from tui.connect.parsing import allowlist_in_use, as_list, ip_list, unwrap
from tui.connect.problems import ProblemKind, error_rule
from tui.connect.seen_ip import ADDRESS
from tui.connect.shapes import Shape


def normalize(raw: Raw) -> Permissions:
    """GET /api/v5/account/config: perm "read_only,trade,withdraw", ip "a,b", uid/mainUid."""
    data = unwrap(raw, "data")
    perms = {p.lower() for p in as_list(data.get("perm"))}
    trade = "trade" in perms
    addresses = ip_list(data.get("ip"))
    uid, main_uid = data.get("uid"), data.get("mainUid")
    sub_account = None if not uid or not main_uid else str(uid) != str(main_uid)
    return Permissions(
        reported=True,
        read=True if perms else None,  # every OKX key can read
        spot_trade=trade,
        margin=trade,  # OKX's "trade" covers every product
        futures=trade,
        withdraw="withdraw" in perms,
        internal_transfer=None,
        ip_restricted=allowlist_in_use(addresses),
        ip_addresses=addresses,
        label=data.get("label") or None,
        sub_account=sub_account,
    )


async def fetch_raw(client: Any) -> Raw:
    return await client.private_get_account_config()


MODULE = ExchangeModule(
    id="okx",
    name="OKX",
    key_page="https://www.okx.com/account/my-api",
    permissions=PermissionReader(
        fetch_raw,
        normalize,
        endpoint="GET /api/v5/account/config",
        doc="https://www.okx.com/docs-v5/en/#trading-account-rest-api-get-account-configuration",
        reads=("withdraw", "trade", "IP allowlist"),
    ),
    balance_shape=Shape(fields={"code": str, "data.0.details": list}),
    permission_shape=Shape(fields={"code": str, "data.0.perm": str}),
    error_rules=(
        # OKX: 50112 (timestamp) comes out as AuthenticationError.
        error_rule(CODE + r"5010[12]\b|" + CODE + r"50112\b", ProblemKind.clock_skew),
        error_rule(CODE + r"50105\b", ProblemKind.bad_passphrase),
        error_rule(
            CODE + r"50110\b",
            ProblemKind.ip_not_allowed,
            address=r"Your IP\s+" + ADDRESS,
            source="https://www.okx.com/docs-v5/en/#error-code-rest-api-authentication",
        ),
        error_rule(CODE + r"5011[13]\b|" + CODE + r"50100\b", ProblemKind.bad_credentials),
        error_rule(CODE + r"50120\b", ProblemKind.permission_missing),
        error_rule(CODE + r"50001\b", ProblemKind.maintenance),
        error_rule(CODE + r"50011\b", ProblemKind.rate_limited),
    ),
)
