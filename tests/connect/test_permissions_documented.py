"""Normalizers on the exchanges' documented example answers (source named on each).

Examples are abridged to the fields Keydeck reads; values are as published.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tui.connect.exchanges import normalize_permissions
from tui.connect.exchanges.gate import calling_key_entry
from tui.connect.exchanges.htx import CALLING_KEY

# --- MEXC ---------------------------------------------------------------------------------
# GET /api/v3/apiKeyInfo: the answer recorded in a MEXC client's test (MEXC's page
# https://www.mexc.com/api-docs/spot-v3/spot-account-trade/query-api-key-info names the
# fields); permission names from MEXC's endpoint pages ("Permission: SPOT_WITHDRAW_WRITE").
MEXC_ANSWER = {
    "note": "note2",
    "accessKey": "mx0npKfh57kEEVmyLa",
    "createTime": "2026-09-14T18:53:36.000+00:00",
    "permissions": "CONTRACT_ACCOUNT_READ,CONTRACT_DEAL_READ,SPOT_ACCOUNT_READ,"
    "SPOT_DEAL_WRITE,SPOT_DEAL_READ",
    "remainingValidity": 82,
    "ipWhiteList": "",
    "status": "VALID",
}


def test_mexc_documented_answer() -> None:
    p = normalize_permissions("mexc", MEXC_ANSWER)
    assert (p.read, p.spot_trade, p.futures, p.withdraw, p.internal_transfer) == (
        True,
        True,
        False,
        False,
        False,
    )
    assert p.ip_restricted is False and p.ip_addresses == ()
    assert p.created_at == datetime(2026, 9, 14, 18, 53, 36, tzinfo=UTC)
    assert p.expires_at is not None
    assert (p.expires_at - datetime.now(UTC)).days == 82
    assert p.label == "note2"


def test_mexc_withdraw_and_ip_list() -> None:
    p = normalize_permissions(
        "mexc",
        {
            **MEXC_ANSWER,
            "permissions": "SPOT_ACCOUNT_READ,SPOT_WITHDRAW_WRITE,SPOT_TRANSFER_WRITE",
            "ipWhiteList": "1.1.1.1,2.2.2.2",
            "remainingValidity": -1,
        },
    )
    assert p.withdraw and p.internal_transfer and not p.spot_trade
    assert p.ip_addresses == ("1.1.1.1", "2.2.2.2") and p.ip_restricted
    assert p.expires_at is None


# --- HTX ----------------------------------------------------------------------------------
# GET /v2/user/api-key, HTX's example ("API key query",
# https://www.htx.com/en-us/opend/newApiPages/?id=7ec52c92-7773-11ed-9966-0242ac110003).
HTX_ANSWER = {
    "code": 200,
    "message": "success",
    "data": [
        {
            "accessKey": "160bb889-b7XXXXbe-e0XXXXf5-ghxertfvbf",
            "status": "normal",
            "note": "host",
            "permission": "trade,readOnly",
            "ipAddresses": "192.168.0.1,192.168.1.1",
            "validDays": -1,
            "createTime": 1615192704000,
            "updateTime": 1623030338000,
        },
        {
            "accessKey": "5000d371-edXXXXf5tf-40XXXX8b-ab8e5",
            "status": "normal",
            "note": "host two",
            "permission": "readOnly,trade,withdraw",
            "ipAddresses": "",
            "validDays": 7,
            "createTime": 1623158078000,
            "updateTime": 1629875976000,
        },
    ],
    "ok": True,
}


def test_htx_documented_answer_picks_the_calling_key() -> None:
    first = normalize_permissions(
        "htx", {**HTX_ANSWER, CALLING_KEY: "160bb889-b7XXXXbe-e0XXXXf5-ghxertfvbf"}
    )
    assert first.read and first.spot_trade and first.withdraw is False
    assert first.ip_addresses == ("192.168.0.1", "192.168.1.1") and first.ip_restricted
    assert first.expires_at is None  # validDays -1: permanent
    assert first.created_at == datetime.fromtimestamp(1615192704, tz=UTC)

    second = normalize_permissions(
        "htx", {**HTX_ANSWER, CALLING_KEY: "5000d371-edXXXXf5tf-40XXXX8b-ab8e5"}
    )
    assert second.withdraw is True and second.ip_restricted is False
    assert second.expires_at is not None
    assert (second.expires_at - datetime.now(UTC)).days == 7


def test_htx_never_guesses_the_row() -> None:
    assert normalize_permissions("htx", HTX_ANSWER).reported is False  # two rows, no key
    assert normalize_permissions("htx", {**HTX_ANSWER, CALLING_KEY: "other"}).reported is False
    single = {**HTX_ANSWER, "data": HTX_ANSWER["data"][1:]}
    assert normalize_permissions("htx", single).withdraw is True  # filtered by accessKey


# --- BingX --------------------------------------------------------------------------------
# GET /openApi/v1/account/apiPermissions. The codes answer: BingX's sub-account page
# (https://bingx-api.github.io/docs/#/en-us/common/sub-account: 1 spot, 2 read, 3 perpetual,
# 4 universal transfer, 5 withdraw, 7 sub-account transfer). The flags answer: BingX's newer
# API reference for the same path (ipRestrict, createTime, enableWithdrawals, ...).


def test_bingx_codes_answer() -> None:
    p = normalize_permissions(
        "bingx",
        {
            "code": 0,
            "msg": "",
            "data": {
                "apiKey": "x",
                "permissions": [2, 3, 5],
                "ipAddresses": ["1.1.1.1"],
                "note": "bot",
            },
        },
    )
    assert p.read and p.futures and p.withdraw and not p.spot_trade
    assert p.internal_transfer is False and p.ip_restricted and p.label == "bot"
    read_only = normalize_permissions("bingx", {"data": {"permissions": [2], "ipAddresses": []}})
    assert read_only.can_trade is False and read_only.withdraw is False
    assert read_only.ip_restricted is False
    transfer = normalize_permissions("bingx", {"data": {"permissions": [2, 7]}})
    assert transfer.internal_transfer is True and transfer.withdraw is False


def test_bingx_flags_answer() -> None:
    p = normalize_permissions(
        "bingx",
        {
            "code": 0,
            "data": {
                "ipRestrict": False,
                "createTime": 1700000000000,
                "enableReading": True,
                "enableSpotAndMarginTrading": True,
                "enableWithdrawals": True,
                "enableInternalTransfer": False,
                "enableFutures": False,
                "permitsUniversalTransfer": False,
            },
        },
    )
    assert p.read and p.spot_trade and p.withdraw and p.internal_transfer is False
    assert p.ip_restricted is False and p.created_at is not None


# --- Gate ---------------------------------------------------------------------------------
# GET /api/v4/account/main_keys, Gate's example ("Query All Main Account Key Information",
# https://www.gate.com/docs/developers/apiv4/en/#query-all-main-account-key-information).
GATE_MAIN_KEYS = [
    {
        "state": 1,
        "mode": 1,
        "name": "test1",
        "user_id": 1,
        "perms": [{"name": "account", "read_only": False}, {"name": "spot", "read_only": False}],
        "ip_whitelist": [],
        "currency_pairs": ["BTC_USD", "ETH_USD"],
        "key": "c5dcfbf1f3a7*****",
        "created_at": 1753030929,
        "update_at": 1756300567,
        "last_access": 1753030929,
    },
    {
        "state": 1,
        "mode": 1,
        "name": "test2",
        "user_id": 1,
        "perms": [{"name": "spot", "read_only": False}, {"name": "account", "read_only": False}],
        "ip_whitelist": [],
        "currency_pairs": ["BTC_USD", "ETH_USD"],
        "key": "52fd0035f665*****",
        "created_at": 1753897991,
        "update_at": 1756300567,
        "last_access": 1753897991,
    },
]
# GET /api/v4/account/detail, Gate's example: key.mode is the account mode.
GATE_DETAIL = {
    "user_id": 1667201533,
    "ip_whitelist": ["127.0.0.1"],
    "currency_pairs": ["USDT_BTC"],
    "key": {"mode": 1},
    "tier": 2,
    "copy_trading_role": 1,
}


def test_gate_finds_the_calling_key_by_its_masked_prefix() -> None:
    second = "52fd0035f6650000aaaabbbbccccdddd"
    entry = calling_key_entry(GATE_MAIN_KEYS, second)
    assert entry is not None and entry["name"] == "test2"
    p = normalize_permissions(
        "gate", {**GATE_DETAIL, "main_keys": GATE_MAIN_KEYS, "callingKey": second}
    )
    assert p.label == "test2" and p.spot_trade and p.read
    assert p.withdraw is None  # no withdrawal group listed: not said
    assert p.internal_transfer is False
    assert p.ip_addresses == ("127.0.0.1",)  # the key lists none: the account's list
    assert p.created_at == datetime.fromtimestamp(1753897991, tz=UTC)


@pytest.mark.parametrize(
    "keys",
    [
        [{**GATE_MAIN_KEYS[0], "key": {"mode": 1}}],  # the schema's object: names no key
        [GATE_MAIN_KEYS[0], {**GATE_MAIN_KEYS[1], "key": "c5dcfbf1f3a7*****"}],  # ambiguous
        [{**GATE_MAIN_KEYS[0], "key": "*****"}],  # no prefix to compare
        GATE_MAIN_KEYS,  # no entry is this key's
    ],
)
def test_gate_never_takes_the_first_entry(keys: list[dict]) -> None:
    assert calling_key_entry(keys, "c5dcfbf1f3a7ffff") is None or keys is GATE_MAIN_KEYS
    assert calling_key_entry(keys, "99999999ffffffff") is None
    p = normalize_permissions(
        "gate", {**GATE_DETAIL, "main_keys": keys, "callingKey": "99999999ffffffff"}
    )
    assert p.reported and p.withdraw is None and p.spot_trade is None


def test_gate_key_mode_is_not_a_right() -> None:
    for mode in (1, 2):
        p = normalize_permissions("gate", {**GATE_DETAIL, "key": {"mode": mode}})
        assert (p.read, p.spot_trade, p.withdraw, p.internal_transfer) == (None,) * 4
        assert p.ip_restricted is True


def test_gate_wallet_write_is_a_transfer_withdrawal_its_own_group() -> None:
    """Gate's "APIv4 Permissions": wallet read-write = fund transfers; withdrawal separate."""
    key = "c5dcfbf1f3a7ffff"

    def rights(perms: list[dict]) -> tuple[bool | None, bool | None]:
        entry = {**GATE_MAIN_KEYS[0], "perms": perms}
        p = normalize_permissions("gate", {"main_keys": [entry], "callingKey": key})
        return p.withdraw, p.internal_transfer

    assert rights([{"name": "wallet", "read_only": False}]) == (None, True)
    wallet_and_withdrawal = [
        {"name": "wallet", "read_only": True},
        {"name": "withdrawal", "read_only": False},
    ]
    assert rights(wallet_and_withdrawal) == (True, False)
    assert rights([{"name": "withdrawal", "read_only": True}]) == (False, False)


# --- KuCoin -------------------------------------------------------------------------------
# GET /api/v1/user/api-key (kucoin R SDK reference of KuCoin's answer): comma string
# `permission`, optional `ipWhitelist`; KuCoin's help names "Transfer" withdraw-capable.


def test_kucoin_transfer_is_withdraw_capable() -> None:
    p = normalize_permissions(
        "kucoin",
        {
            "code": "200000",
            "data": {
                "remark": "bot",
                "apiKey": "6520d2c6e9b2c50001a5a4b3",
                "apiVersion": 3,
                "permission": "General,Spot,Transfer",
                "createdAt": 1696649926000,
                "uid": 165111215,
                "isMaster": True,
            },
        },
    )
    assert p.withdraw is True and p.spot_trade and p.read
    assert p.ip_restricted is False  # no ipWhitelist field: no allowlist
    assert p.created_at == datetime.fromtimestamp(1696649926, tz=UTC)
    plain = normalize_permissions(
        "kucoin", {"data": {"permission": "General,InnerTransfer", "ipWhitelist": "1.1.1.1"}}
    )
    assert plain.withdraw is False and plain.internal_transfer is True and plain.ip_restricted


# --- Bitget -------------------------------------------------------------------------------
# GET /api/v2/spot/account/info, Bitget's doc: `ips` comma string; `authorities` codes in the
# field description, words in the example.


def test_bitget_authorities_as_words_and_codes() -> None:
    words = normalize_permissions(
        "bitget",
        {"data": {"userId": "1", "ips": "", "authorities": ["trade", "readonly"], "parentId": 1}},
    )
    # No withdrawal word is documented: the word form cannot say "no withdrawals".
    assert words.read and words.spot_trade and words.withdraw is None
    assert words.ip_restricted is False
    codes = normalize_permissions(
        "bitget",
        {"data": {"userId": "1", "ips": "1.1.1.1,2.2.2.2", "authorities": ["stor", "wwow"]}},
    )
    assert codes.withdraw is True and codes.spot_trade is False
    assert codes.ip_addresses == ("1.1.1.1", "2.2.2.2")


# --- Bybit --------------------------------------------------------------------------------
# GET /v5/user/query-api, Bybit's example: `"ips": ["*"]` for a key bound to no IP;
# expiredAt/deadlineDay only on such keys.


def test_bybit_star_is_no_allowlist_and_expiry_is_optional() -> None:
    unbound = normalize_permissions(
        "bybit",
        {
            "retCode": 0,
            "result": {
                "readOnly": 0,
                "permissions": {"Spot": ["SpotTrade"], "Wallet": ["AccountTransfer"]},
                "ips": ["*"],
                "deadlineDay": 83,
                "expiredAt": "2023-12-22T07:20:51Z",
                "createdAt": "2023-12-22T07:20:51Z",
                "isMaster": True,
            },
        },
    )
    assert unbound.ip_restricted is False and unbound.ip_addresses == ()
    assert unbound.expires_at == datetime(2023, 12, 22, 7, 20, 51, tzinfo=UTC)
    bound = normalize_permissions(
        "bybit",
        {"result": {"readOnly": 1, "permissions": {}, "ips": ["1.1.1.1"], "isMaster": True}},
    )
    assert bound.ip_restricted is True and bound.expires_at is None


# --- Binance ------------------------------------------------------------------------------
# GET /sapi/v1/account/apiRestrictions; older docs add tradingAuthorityExpirationTime, the
# "expiration time for spot and margin trading permission".


def test_binance_trading_authority_expiry_is_not_the_keys() -> None:
    soon = datetime.now(UTC) + timedelta(days=3)
    p = normalize_permissions(
        "binance",
        {
            "ipRestrict": True,
            "createTime": 1698645219000,
            "enableReading": True,
            "enableWithdrawals": False,
            "enableSpotAndMarginTrading": True,
            "tradingAuthorityExpirationTime": int(soon.timestamp() * 1000),
        },
    )
    assert p.expires_at is None and p.spot_trade and p.withdraw is False


# --- Gemini -------------------------------------------------------------------------------
# POST /v1/roles: the three required booleans of https://developer.gemini.com/rest-api/common/
# admin/roles-endpoint, set as that page allows ("Fund Manager and Trader can be combined"; the
# example body itself was not legible in the copy read); roles per https://docs.gemini.com/roles.
GEMINI_ANSWER = {"isAuditor": False, "isFundManager": True, "isTrader": True}


def test_gemini_documented_answer_can_withdraw() -> None:
    p = normalize_permissions("gemini", GEMINI_ANSWER)
    assert p.reported and p.read and p.spot_trade and p.withdraw and p.internal_transfer
    assert p.ip_restricted is None and p.created_at is None and p.expires_at is None


def test_gemini_auditor_is_read_only_and_no_flags_is_not_reported() -> None:
    p = normalize_permissions(
        "gemini", {"isAuditor": True, "isFundManager": False, "isTrader": False}
    )
    assert p.read and p.spot_trade is False and p.withdraw is False and p.can_trade is False
    trader = normalize_permissions(
        "gemini", {"isAuditor": False, "isFundManager": False, "isTrader": True}
    )
    assert trader.spot_trade and trader.withdraw is False
    assert normalize_permissions("gemini", {"result": "ok"}).reported is False


# --- Bitfinex -----------------------------------------------------------------------------
# POST /v2/auth/r/permissions: rows [SCOPE, READ, WRITE] (0/1) over the scopes listed by
# https://docs.bitfinex.com/reference/key-permissions (the page has a field table, no
# example values): a key that reads everything, trades, moves funds between wallets and
# withdraws. Rows come in any order: they are matched by scope name.
BITFINEX_ROWS = [
    ["withdraw", 0, 1],
    ["account", 1, 0],
    ["history", 1, 0],
    ["orders", 1, 1],
    ["positions", 1, 0],
    ["funding", 1, 0],
    ["settings", 1, 0],
    ["wallets", 1, 1],
    ["ui_withdraw", 0, 0],
    ["bfxpay", 0, 0],
]


def test_bitfinex_documented_rows() -> None:
    p = normalize_permissions("bitfinex", {"data": BITFINEX_ROWS})
    assert p.reported and p.read and p.spot_trade and p.withdraw and p.internal_transfer
    assert p.margin is False and p.ip_restricted is None


def test_bitfinex_read_only_and_funding_only() -> None:
    read_only = [[scope, read, 0] for scope, read, _ in BITFINEX_ROWS]
    p = normalize_permissions("bitfinex", {"data": read_only})
    assert p.read and p.spot_trade is False and p.withdraw is False and not p.internal_transfer
    funding = [[s, r, int(s == "funding")] for s, r, _ in BITFINEX_ROWS]
    assert normalize_permissions("bitfinex", {"data": funding}).internal_transfer is True
    assert normalize_permissions("bitfinex", {"data": [["error", 10100]]}).reported is False
