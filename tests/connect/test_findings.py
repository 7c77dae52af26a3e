"""Findings rules over normalized permissions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tui.connect.findings import RULES, evaluate
from tui.connect.models import Permissions

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def codes(permissions: Permissions, exchange: str = "binance") -> list[str]:
    return [f.code for f in evaluate(exchange, permissions, now=NOW)]


def test_safe_trading_key_has_no_findings() -> None:
    safe = Permissions(
        reported=True,
        read=True,
        spot_trade=True,
        margin=False,
        futures=False,
        withdraw=False,
        internal_transfer=False,
        ip_restricted=True,
        created_at=NOW - timedelta(days=10),
    )
    assert codes(safe) == []


def test_risky_key_findings_sorted_by_severity() -> None:
    risky = Permissions(
        reported=True,
        read=True,
        spot_trade=True,
        withdraw=True,
        internal_transfer=True,
        ip_restricted=False,
        created_at=NOW - timedelta(days=400),
        expires_at=NOW + timedelta(days=3),
    )
    found = evaluate("okx", risky, now=NOW)
    assert [f.code for f in found] == [
        "withdraw_enabled",
        "no_ip_allowlist",
        "unbound_key_expires",  # OKX deletes unbound trading keys after 14 days unused
        "expires_soon",
        "key_old",
    ]
    assert found[0].severity == "critical"
    assert "OKX" in found[0].advice
    assert found[0].link and found[0].link.startswith("https://")
    assert found[3].title == "The key expires in 3 days"
    assert "400 days" in found[4].title


def test_transfer_warning_when_withdraw_is_off() -> None:
    p = Permissions(
        reported=True,
        read=True,
        spot_trade=True,
        withdraw=False,
        internal_transfer=True,
        ip_restricted=True,
    )
    assert codes(p) == ["transfer_enabled"]


def test_read_only_is_info() -> None:
    p = Permissions(
        reported=True,
        read=True,
        spot_trade=False,
        margin=None,
        futures=None,
        withdraw=False,
        internal_transfer=False,
        ip_restricted=True,
    )
    found = evaluate("bybit", p, now=NOW)
    assert [(f.severity, f.code) for f in found] == [("info", "read_only")]


def test_unknown_ip_is_not_a_warning() -> None:
    p = Permissions(
        reported=True,
        read=True,
        spot_trade=True,
        withdraw=False,
        internal_transfer=False,
        ip_restricted=None,
    )
    assert codes(p, "coinbase") == []


def test_not_reported_has_checklist_and_link() -> None:
    found = evaluate("bitstamp", Permissions.not_reported(), now=NOW)
    assert [f.code for f in found] == ["permissions_not_reported"]
    assert "withdrawals are OFF" in found[0].advice
    assert "API does not report a key's permissions" in found[0].advice
    assert found[0].link == "https://www.bitstamp.net/account/security/api/"
    assert "Bitstamp" in found[0].title


def test_expired_key_title() -> None:
    p = Permissions(reported=True, expires_at=NOW - timedelta(days=2), ip_restricted=True)
    found = {f.code: f for f in evaluate("kraken", p, now=NOW)}
    assert found["expires_soon"].title == "The key has expired"


def test_rule_codes_unique() -> None:
    assert len({rule.code for rule in RULES}) == len(RULES)


def test_withdraw_unknown_is_a_warning_with_the_checklist() -> None:
    """Unknown is never silent: an answer that does not say whether the key withdraws."""
    p = Permissions(reported=True, read=True, ip_restricted=True)
    found = evaluate("gate", p, now=NOW)
    assert [(f.code, f.severity) for f in found] == [("withdraw_unknown", "warning")]
    assert "withdrawals are OFF" in found[0].advice and "Gate" in found[0].advice
    assert found[0].link == "https://www.gate.com/myaccount/api_key_manage"
    assert found[0].link in found[0].advice


def test_trade_and_transfer_unknown_when_withdraw_is_known() -> None:
    p = Permissions(reported=True, read=True, withdraw=False, ip_restricted=True)
    assert codes(p, "binance") == ["transfer_unknown", "trade_unknown"]
    assert codes(p, "okx") == ["trade_unknown"]  # OKX's answer tells no transfer right


def test_address_book_right_is_its_own_lower_finding() -> None:
    p = Permissions(
        reported=True,
        read=True,
        spot_trade=False,
        withdraw=False,
        withdraw_addresses=True,
        ip_restricted=True,
    )
    found = evaluate("kraken", p, now=NOW)
    assert [(f.code, f.severity) for f in found] == [
        ("withdraw_addresses_enabled", "warning"),
        ("read_only", "info"),
    ]


def test_a_bybit_key_without_allowlist_is_warned_of_its_lapse_date_ahead() -> None:
    unbound = Permissions(
        reported=True,
        read=True,
        spot_trade=False,
        ip_restricted=False,
        expires_at=NOW + timedelta(days=80),
    )
    [lapse] = [f for f in evaluate("bybit", unbound, now=NOW) if f.code == "unbound_key_expires"]
    assert lapse.title == "Without an IP allowlist, Bybit disables this key on 22 Mar 2026"
    assert "bybit-exchange.github.io/docs/v5/user/apikey-info" in lapse.advice
    bound = Permissions(
        reported=True, ip_restricted=True, ip_addresses=("203.0.113.7",), expires_at=NOW
    )
    assert "unbound_key_expires" not in {f.code for f in evaluate("bybit", bound, now=NOW)}
    # Only where the exchange documents the rule.
    assert "unbound_key_expires" not in {f.code for f in evaluate("kucoin", unbound, now=NOW)}
