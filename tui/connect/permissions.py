"""Reading a key's permissions from each exchange's own endpoint into one model.

Each reader has two halves: `fetch` (one or two raw ccxt implicit calls, no markets needed)
and `normalize` (pure: the raw payload in the exchange's documented field format ->
Permissions). Exchanges without a reader get `Permissions.not_reported()`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tui.connect.models import Permissions

Raw = dict[str, Any]


# --- small parsing helpers -------------------------------------------------------------


def _unwrap(raw: Any, *keys: str) -> Any:
    """Follow `data`/`result` envelopes: _unwrap(r, "data") -> r["data"] when present."""
    value = raw
    for key in keys:
        if isinstance(value, dict) and key in value:
            value = value[key]
    if isinstance(value, list) and len(value) == 1 and isinstance(value[0], dict):
        return value[0]
    return value


def as_bool(value: Any) -> bool | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return bool(value)
    text = str(value).strip().lower()
    if text in ("true", "1", "yes", "y", "on"):
        return True
    if text in ("false", "0", "no", "n", "off"):
        return False
    return None


def as_time(value: Any) -> datetime | None:
    """Seconds or milliseconds since the epoch (int or digit string), or ISO 8601."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    if isinstance(value, int | float) or (isinstance(value, str) and value.strip().isdigit()):
        number = float(value)
        if number <= 0:
            return None
        if number > 1e11:  # milliseconds
            number /= 1000
        try:
            return datetime.fromtimestamp(number, tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if isinstance(value, str):
        text = value.strip().replace("Z", "+00:00")
        with contextlib.suppress(ValueError):
            parsed = datetime.fromisoformat(text)
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return None


def as_list(value: Any) -> list[str]:
    """A JSON list or a comma/space separated string -> list of non-empty strings."""
    if value is None:
        return []
    if isinstance(value, str):
        parts: Iterable[Any] = value.replace(";", ",").replace(" ", ",").split(",")
    elif isinstance(value, list | tuple | set):
        parts = value
    else:
        parts = [value]
    return [str(part).strip() for part in parts if str(part).strip()]


_ANY_IP = frozenset({"*", "0.0.0.0", "0.0.0.0/0", "::/0", "any"})  # noqa: S104 - markers


def _ips(value: Any) -> tuple[str, ...]:
    """IP allowlist entries, with the exchanges' "any IP" markers removed."""
    return tuple(ip for ip in as_list(value) if ip not in _ANY_IP)


def _no_ip_flag(addresses: tuple[str, ...]) -> bool:
    return bool(addresses)


# --- normalizers, one per exchange -------------------------------------------------------


def normalize_binance(raw: Raw) -> Permissions:
    """GET /sapi/v1/account/apiRestrictions."""
    expiry = as_time(raw.get("tradingAuthorityExpirationTime"))
    transfer = as_bool(raw.get("enableInternalTransfer"))
    universal = as_bool(raw.get("permitsUniversalTransfer"))
    if transfer is None and universal is None:
        internal_transfer = None
    else:
        internal_transfer = bool(transfer) or bool(universal)
    return Permissions(
        reported=True,
        read=as_bool(raw.get("enableReading")),
        spot_trade=as_bool(raw.get("enableSpotAndMarginTrading")),
        margin=as_bool(raw.get("enableMargin")),
        futures=as_bool(raw.get("enableFutures")),
        withdraw=as_bool(raw.get("enableWithdrawals")),
        internal_transfer=internal_transfer,
        ip_restricted=as_bool(raw.get("ipRestrict")),
        ip_addresses=_ips(raw.get("ipList")),
        created_at=as_time(raw.get("createTime")),
        expires_at=expiry,
    )


def normalize_okx(raw: Raw) -> Permissions:
    """GET /api/v5/account/config: perm "read_only,trade,withdraw", ip "a,b", uid/mainUid."""
    data = _unwrap(raw, "data")
    perms = {p.lower() for p in as_list(data.get("perm"))}
    trade = "trade" in perms
    addresses = _ips(data.get("ip"))
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
        ip_restricted=_no_ip_flag(addresses),
        ip_addresses=addresses,
        label=data.get("label") or None,
        sub_account=sub_account,
    )


def normalize_bybit(raw: Raw) -> Permissions:
    """GET /v5/user/query-api: readOnly, permissions{Spot, ContractTrade, Wallet...}, ips."""
    data = _unwrap(raw, "result")
    groups: dict[str, list[str]] = {
        str(key): as_list(value) for key, value in (data.get("permissions") or {}).items()
    }
    read_only = as_bool(data.get("readOnly"))
    writable = read_only is False
    spot = bool(groups.get("Spot"))
    futures = any(groups.get(k) for k in ("ContractTrade", "Derivatives", "Options"))
    wallet = set(groups.get("Wallet", []))
    addresses = _ips(data.get("ips"))
    is_master = as_bool(data.get("isMaster"))
    return Permissions(
        reported=True,
        read=True,
        spot_trade=writable and spot,
        margin=None,  # Bybit has no separate margin permission to report
        futures=writable and futures,
        withdraw="Withdraw" in wallet,
        internal_transfer=bool(wallet & {"AccountTransfer", "SubMemberTransfer"}),
        ip_restricted=_no_ip_flag(addresses),
        ip_addresses=addresses,
        created_at=as_time(data.get("createdAt")),
        expires_at=as_time(data.get("expiredAt")),
        label=data.get("note") or None,
        sub_account=None if is_master is None else not is_master,
    )


def _kucoin_flags(names: set[str]) -> dict[str, bool]:
    return {
        "read": "general" in names,  # "General" is KuCoin's read permission
        "spot_trade": bool(names & {"spot", "trade"}),
        "margin": "margin" in names,
        "futures": "futures" in names,
        "withdraw": bool(names & {"withdraw", "withdrawal"}),
        "internal_transfer": bool(names & {"innertransfer", "transfer"}),
    }


def normalize_kucoin(raw: Raw) -> Permissions:
    """GET /api/v1/user/api-key: permission "General,Spot,...", ipWhitelist, createdAt ms."""
    data = _unwrap(raw, "data")
    names = {p.lower() for p in as_list(data.get("permission") or data.get("permissions"))}
    addresses = _ips(data.get("ipWhitelist"))
    is_master = as_bool(data.get("isMaster"))
    return Permissions(
        reported=True,
        **_kucoin_flags(names),
        ip_restricted=_no_ip_flag(addresses),
        ip_addresses=addresses,
        created_at=as_time(data.get("createdAt")),
        label=data.get("remark") or None,
        sub_account=None if is_master is None else not is_master,
    )


def normalize_coinbase(raw: Raw) -> Permissions:
    """GET /api/v3/brokerage/key_permissions: can_view, can_trade, can_transfer."""
    can_transfer = as_bool(raw.get("can_transfer"))
    portfolio_type = str(raw.get("portfolio_type") or "").upper()
    return Permissions(
        reported=True,
        read=as_bool(raw.get("can_view")),
        spot_trade=as_bool(raw.get("can_trade")),
        margin=None,
        futures=None,
        withdraw=can_transfer,  # "transfer" is sending funds off the exchange
        internal_transfer=can_transfer,
        ip_restricted=None,  # not reported by Coinbase
        # A key scoped to a portfolio other than the default one acts like a sub-account.
        sub_account=None if not portfolio_type else portfolio_type != "DEFAULT",
    )


def normalize_kraken(raw: Raw) -> Permissions:
    """POST /0/private/GetApiKeyInfo: permissions ["query-funds", "withdraw-funds", ...]."""
    data = _unwrap(raw, "result")
    names = {p.lower() for p in as_list(data.get("permissions"))}
    trade = any(("trade" in n or "order" in n) and not n.startswith("query") for n in names)
    addresses = _ips(data.get("ipAllowlist"))
    return Permissions(
        reported=True,
        read=any(n.startswith("query") for n in names),
        spot_trade=trade,
        margin=None,  # Kraken has no separate margin permission
        futures=None,
        withdraw=any("withdraw" in n for n in names),
        internal_transfer=None,  # no separate permission on Kraken
        ip_restricted=_no_ip_flag(addresses),
        ip_addresses=addresses,
        created_at=as_time(data.get("createdTime")),
        expires_at=as_time(data.get("validUntil")),
        label=data.get("apiKeyName") or data.get("name") or None,
    )


def normalize_gate(raw: Raw) -> Permissions:
    """GET /api/v4/account/detail, plus this key's entry from /account/main_keys as "key_info".

    Without main_keys only the IP allowlist is known. Perms are {name, read_only} rows; a
    writable "wallet" perm allows withdrawals and transfers.
    """
    addresses = _ips(raw.get("ip_whitelist"))
    key_info = raw.get("key_info")
    if not isinstance(key_info, dict):
        return Permissions(
            reported=True, ip_restricted=_no_ip_flag(addresses), ip_addresses=addresses
        )
    writable = {
        str(p.get("name", "")).lower()
        for p in key_info.get("perms") or []
        if isinstance(p, dict) and as_bool(p.get("read_only")) is False
    }
    readable = {
        str(p.get("name", "")).lower() for p in key_info.get("perms") or [] if isinstance(p, dict)
    }
    key_ips = _ips(key_info.get("ip_whitelist")) or addresses
    return Permissions(
        reported=True,
        read=bool(readable),
        spot_trade="spot" in writable,
        # Margin trading needs spot write plus the loan (or unified) group.
        margin="margin" in writable
        or ("spot" in writable and bool(writable & {"loan", "unified"})),
        futures=bool(writable & {"futures", "delivery", "options"}),
        withdraw="wallet" in writable or "withdraw" in writable,
        internal_transfer="wallet" in writable or "transfer" in writable,
        ip_restricted=_no_ip_flag(key_ips),
        ip_addresses=key_ips,
        created_at=as_time(key_info.get("created_at")),
        label=key_info.get("name") or None,
    )


def normalize_bitget(raw: Raw) -> Permissions:
    """GET /api/v2/spot/account/info: authorities ["stow", "wwow", ...], ips "a,b".

    Codes: st = spot, sm = margin, co/cp = futures, wt = wallet transfer, ww = withdraw;
    "...ow" is read-and-write, "...or" read-only. `regisTime` is the account's, not the key's.
    """
    data = _unwrap(raw, "data")
    codes = {c.lower() for c in as_list(data.get("authorities"))}
    addresses = _ips(data.get("ips"))
    parent = data.get("parentId")
    user = data.get("userId")
    sub_account = None
    if parent not in (None, "", 0, "0") and user is not None:
        sub_account = str(parent) != str(user)
    trade = "trade" in codes
    return Permissions(
        reported=True,
        read=bool(codes),
        spot_trade="stow" in codes or trade,
        margin="smow" in codes,
        futures=bool(codes & {"coow", "cpow"}),
        withdraw="wwow" in codes,
        internal_transfer="wtow" in codes,
        ip_restricted=_no_ip_flag(addresses),
        ip_addresses=addresses,
        sub_account=sub_account,
    )


# --- fetchers: the raw calls, on a ccxt async client --------------------------------------


async def _fetch_binance(client: Any) -> Raw:
    raw = dict(await client.sapi_get_account_apirestrictions())
    if as_bool(raw.get("ipRestrict")):
        try:
            listing = await client.sapi_get_account_apirestrictions_iprestriction()
        except Exception:  # the list is a nicety; the restriction flag is what matters
            return raw
        if isinstance(listing, dict):
            raw["ipList"] = listing.get("ipList")
    return raw


async def _fetch_okx(client: Any) -> Raw:
    return await client.private_get_account_config()


async def _fetch_bybit(client: Any) -> Raw:
    return await client.private_get_v5_user_query_api()


async def _fetch_kucoin(client: Any) -> Raw:
    return await client.private_get_user_api_key()


async def _fetch_coinbase(client: Any) -> Raw:
    return await client.v3_private_get_brokerage_key_permissions()


async def _fetch_kraken(client: Any) -> Raw:
    return await client.private_post_getapikeyinfo()


async def _fetch_gate(client: Any) -> Raw:
    detail = await client.private_account_get_detail()
    raw: Raw = dict(detail) if isinstance(detail, dict) else {}
    try:
        keys = await client.private_account_get_main_keys()
    except Exception:  # sub-account keys and older accounts cannot list main keys
        return raw
    for entry in keys if isinstance(keys, list) else []:
        if isinstance(entry, dict) and entry.get("key") == client.apiKey:
            raw["key_info"] = entry
            break
    return raw


async def _fetch_bitget(client: Any) -> Raw:
    return await client.private_spot_get_v2_spot_account_info()


@dataclass(frozen=True)
class PermissionReader:
    fetch: Callable[[Any], Awaitable[Raw]]
    normalize: Callable[[Raw], Permissions]


PERMISSION_READERS: dict[str, PermissionReader] = {
    "binance": PermissionReader(_fetch_binance, normalize_binance),
    "okx": PermissionReader(_fetch_okx, normalize_okx),
    "bybit": PermissionReader(_fetch_bybit, normalize_bybit),
    "kucoin": PermissionReader(_fetch_kucoin, normalize_kucoin),
    "coinbase": PermissionReader(_fetch_coinbase, normalize_coinbase),
    "kraken": PermissionReader(_fetch_kraken, normalize_kraken),
    "gate": PermissionReader(_fetch_gate, normalize_gate),
    "bitget": PermissionReader(_fetch_bitget, normalize_bitget),
}


def normalize(exchange_id: str, raw: Raw) -> Permissions:
    reader = PERMISSION_READERS.get(exchange_id)
    if reader is None:
        return Permissions.not_reported()
    return reader.normalize(raw)
