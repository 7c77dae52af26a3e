"""Permission normalizers, on payloads in each exchange's documented format."""

from __future__ import annotations

from datetime import UTC, datetime

from tui.connect.exchanges import normalize_permissions


def test_binance() -> None:
    p = normalize_permissions(
        "binance",
        {
            "ipRestrict": False,
            "createTime": 1623840271000,
            "enableReading": True,
            "enableWithdrawals": True,
            "enableInternalTransfer": False,
            "permitsUniversalTransfer": True,
            "enableMargin": False,
            "enableFutures": False,
            "enableSpotAndMarginTrading": True,
        },
    )
    assert (p.read, p.spot_trade, p.margin, p.withdraw, p.internal_transfer) == (
        True,
        True,
        False,
        True,
        True,
    )
    assert p.ip_restricted is False
    assert p.created_at == datetime(2021, 6, 16, 10, 44, 31, tzinfo=UTC)


def test_okx() -> None:
    p = normalize_permissions(
        "okx",
        {
            "code": "0",
            "data": [
                {
                    "perm": "read_only,trade",
                    "ip": "1.2.3.4,5.6.7.8",
                    "label": "bot",
                    "uid": "2",
                    "mainUid": "1",
                }
            ],
        },
    )
    assert p.spot_trade and not p.withdraw
    assert p.ip_addresses == ("1.2.3.4", "5.6.7.8") and p.ip_restricted
    assert p.sub_account is True and p.label == "bot"


def test_bybit() -> None:
    p = normalize_permissions(
        "bybit",
        {
            "retCode": 0,
            "result": {
                "readOnly": 0,
                "ips": ["*"],
                "isMaster": True,
                "note": "x",
                "permissions": {
                    "Spot": ["SpotTrade"],
                    "Wallet": ["AccountTransfer", "Withdraw"],
                    "ContractTrade": [],
                },
                "expiredAt": "2026-02-01T00:00:00Z",
                "createdAt": "2025-01-01T00:00:00Z",
            },
        },
    )
    assert p.spot_trade and p.withdraw and p.internal_transfer and not p.futures
    assert p.ip_restricted is False and p.sub_account is False
    assert p.expires_at == datetime(2026, 2, 1, tzinfo=UTC)


def test_bybit_read_only() -> None:
    p = normalize_permissions(
        "bybit",
        {"result": {"readOnly": 1, "ips": ["10.0.0.1"], "permissions": {"Spot": ["SpotTrade"]}}},
    )
    assert p.spot_trade is False and p.ip_addresses == ("10.0.0.1",)


def test_kucoin() -> None:
    p = normalize_permissions(
        "kucoin",
        {
            "code": "200000",
            "data": {
                "permission": "General,Spot,InnerTransfer",
                "ipWhitelist": "",
                "createdAt": 1729821494000,
                "isMaster": False,
                "remark": "r",
            },
        },
    )
    assert p.read and p.spot_trade and p.internal_transfer and not p.withdraw
    assert p.ip_restricted is False and p.sub_account is True


def test_coinbase() -> None:
    p = normalize_permissions(
        "coinbase",
        {
            "can_view": True,
            "can_trade": False,
            "can_transfer": False,
            "portfolio_uuid": "u",
            "portfolio_type": "DEFAULT",
        },
    )
    assert p.read and p.spot_trade is False and p.withdraw is False
    assert p.ip_restricted is None


def test_kraken() -> None:
    p = normalize_permissions(
        "kraken",
        {
            "error": [],
            "result": {
                "apiKeyName": "my-api-key",
                "permissions": [
                    "query-funds",
                    "withdraw-funds",
                    "query-open-trades",
                    "modify-trades",
                ],
                "validUntil": "0",
                "createdTime": "1772542900",
                "ipAllowlist": [],
            },
        },
    )
    assert p.read and p.spot_trade and p.withdraw
    assert p.expires_at is None and p.ip_restricted is False
    assert p.created_at == datetime.fromtimestamp(1772542900, tz=UTC)


def test_gate_with_main_key() -> None:
    p = normalize_permissions(
        "gate",
        {
            "ip_whitelist": [],
            "key": {"mode": 1},
            "callingKey": "demo-gate-key-1",
            "main_keys": [
                {
                    "key": "demo-gate-key-1",
                    "perms": [
                        {"name": "spot", "read_only": False},
                        {"name": "wallet", "read_only": True},
                        {"name": "withdrawal", "read_only": True},
                    ],
                    "ip_whitelist": ["1.1.1.1"],
                    "created_at": "1700000000",
                    "name": "k",
                }
            ],
        },
    )
    assert p.spot_trade and p.withdraw is False and p.ip_addresses == ("1.1.1.1",)


def test_bitget() -> None:
    p = normalize_permissions(
        "bitget",
        {
            "code": "00000",
            "data": {
                "userId": "1",
                "ips": "",
                "authorities": ["stow", "wwow", "coor"],
                "parentId": "1",
                "regisTime": "1246566789345",
            },
        },
    )
    assert p.spot_trade and p.withdraw and p.futures is False
    assert p.created_at is None  # regisTime is the account's, not the key's
    assert p.sub_account is False


def test_other_exchange_not_reported() -> None:
    assert normalize_permissions("bitstamp", {}).reported is False
