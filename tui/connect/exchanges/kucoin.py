"""KuCoin: reading a key's permissions, and the error codes ccxt maps to the wrong kind.

Docs followed: KuCoin "Get API Key Info", `GET /api/v1/user/api-key` (fields as given by the
kucoin R SDK's reference, https://dereckmezquita.github.io/kucoin/reference/get_apikey_info_impl.html:
`permission` a comma string such as "General,Spot", `ipWhitelist` an optional string,
`createdAt` ms, `isMaster`), and KuCoin's API-key help, which names the withdraw-capable
right "Transfer" ("transfer funds, including deposit and withdrawal") as well as "Withdraw".
"""

from __future__ import annotations

from typing import Any, TypedDict

from tui.connect.exchanges.base import CODE, ExchangeModule, PermissionReader, Raw
from tui.connect.models import Permissions
from tui.connect.parsing import allowlist_in_use, as_bool, as_list, as_time, ip_list, unwrap
from tui.connect.problems import ProblemKind, error_rule
from tui.connect.seen_ip import ADDRESS
from tui.connect.shapes import Shape


class _Flags(TypedDict):
    read: bool
    spot_trade: bool
    margin: bool
    futures: bool
    withdraw: bool
    internal_transfer: bool


def _flags(names: set[str]) -> _Flags:
    return {
        "read": "general" in names,  # "General" is KuCoin's read permission
        "spot_trade": bool(names & {"spot", "trade"}),
        "margin": "margin" in names,
        "futures": "futures" in names,
        # "Transfer" moves funds off KuCoin (deposit and withdrawal), not only between accounts.
        "withdraw": bool(names & {"withdraw", "withdrawal", "transfer"}),
        "internal_transfer": bool(names & {"innertransfer", "transfer"}),
    }


def normalize(raw: Raw) -> Permissions:
    """GET /api/v1/user/api-key: permission "General,Spot,...", ipWhitelist (optional)."""
    data = unwrap(raw, "data")
    names = {p.lower() for p in as_list(data.get("permission") or data.get("permissions"))}
    addresses = ip_list(data.get("ipWhitelist"))
    is_master = as_bool(data.get("isMaster"))
    return Permissions(
        reported=True,
        **_flags(names),
        ip_restricted=allowlist_in_use(addresses),
        ip_addresses=addresses,
        created_at=as_time(data.get("createdAt")),
        label=data.get("remark") or None,
        sub_account=None if is_master is None else not is_master,
    )


async def fetch_raw(client: Any) -> Raw:
    return await client.private_get_user_api_key()


MODULE = ExchangeModule(
    id="kucoin",
    name="KuCoin",
    key_page="https://www.kucoin.com/account/api",
    permissions=PermissionReader(
        fetch_raw,
        normalize,
        endpoint="GET /api/v1/user/api-key",
        doc="https://dereckmezquita.github.io/kucoin/reference/get_apikey_info_impl.html",
        reads=("withdraw", "transfer", "trade", "IP allowlist", "created"),
    ),
    # GET /api/v1/accounts lists accounts; on a unified (UTA) account ccxt asks
    # /api/ua/v1/account/balance instead: {"data": {"accountType", "accounts": [...]}}.
    balance_shape=Shape(fields={"code": str}, one_of=({"data": list}, {"data.accounts": list})),
    permission_shape=Shape(fields={"code": str, "data.permission": str}),
    error_rules=(
        # KuCoin: 400004 is the passphrase (checked with the secret, so a wrong secret shows the
        # same error); 400006 the IP allowlist.
        error_rule(
            CODE + r"400004\b",
            ProblemKind.bad_passphrase,
            "KuCoin rejected this key's passphrase (or its secret).",
            "KuCoin checks the passphrase together with the secret. Re-enter both exactly as "
            "shown when you created the key; the passphrase is the one you chose for the key, "
            "not your login password. If you no longer have them, create a new key.",
        ),
        error_rule(CODE + r"400002\b", ProblemKind.clock_skew),
        error_rule(
            CODE + r"400006\b",
            ProblemKind.ip_not_allowed,
            address=r"clientIp is:\s*" + ADDRESS,
            source="https://github.com/Drakkar-Software/OctoBot-Tentacles",
        ),
        error_rule(CODE + r"40000[135]\b", ProblemKind.bad_credentials),
        error_rule(CODE + r"400007\b", ProblemKind.permission_missing),
        error_rule(CODE + r"429000\b", ProblemKind.rate_limited),
    ),
)
