"""Keys an exchange disables for want of an IP allowlist: each documented rule, its date and
days left where the answer gives them, the rule and what to check where it does not.

The rules and their sources are in tui/connect/lapse.py; the documented answers that carry
them are tests/fixtures/exchange_answers/{mexc/unbound_key, htx/withdraw_capable,
okx/unbound_trade_key, binance/older_fields}.json (their `_expect.findings`).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.connect.conftest import account_for
from tui.connect import Connector
from tui.connect.findings import evaluate
from tui.connect.lapse import RULES
from tui.connect.models import Finding, Permissions
from tui.sim import Balance, SimAccount, Simulator, Traits

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def _unbound(**fields: object) -> Permissions:
    base: dict[str, object] = {
        "reported": True,
        "read": True,
        "spot_trade": True,
        "withdraw": False,
        "ip_restricted": False,
    }
    return Permissions(**{**base, **fields})  # type: ignore[arg-type]


def _lapse(exchange: str, p: Permissions, *, sandbox: bool = False) -> Finding | None:
    found = [
        f
        for f in evaluate(exchange, p, now=NOW, sandbox=sandbox)
        if f.code in ("unbound_key_expires", "unbound_trading_expires")
    ]
    assert len(found) <= 1
    return found[0] if found else None


def test_every_rule_names_an_exchange_page() -> None:
    for rule in RULES.values():
        assert rule.doc.startswith("https://"), rule.exchange


def test_mexc_dates_the_lapse_from_the_days_left() -> None:
    lapse = _lapse("mexc", _unbound(expires_at=NOW + timedelta(days=60)))
    assert lapse is not None and lapse.severity == "warning"
    assert lapse.title == "Without an IP allowlist, MEXC disables this key on 2 Mar 2026"
    assert "That is 60 days from now." in lapse.advice
    assert "mexcdevelop.github.io/apidocs/spot_v3_en/#faqs" in lapse.advice
    assert "allowlist on MEXC" in lapse.advice


def test_mexc_without_days_left_counts_90_days_from_creation() -> None:
    lapse = _lapse("mexc", _unbound(created_at=NOW - timedelta(days=80)))
    assert lapse is not None
    assert lapse.title.endswith("on 11 Jan 2026")
    assert "That is 10 days from now." in lapse.advice


def test_without_a_date_the_rule_and_what_to_check_never_safety() -> None:
    lapse = _lapse("mexc", _unbound())  # no remaining validity, no creation time
    assert lapse is not None and lapse.severity == "warning"
    assert "gave no date for this key" in lapse.advice
    assert "remaining validity on MEXC's API page" in lapse.advice
    htx = _lapse("htx", _unbound())
    assert htx is not None
    assert htx.title == "Without an IP allowlist, HTX deactivates this key after 90 days unused"
    assert "validity on HTX's API page" in htx.advice


def test_htx_covers_keys_that_trade_or_withdraw_and_says_use_renews() -> None:
    lapse = _lapse("htx", _unbound(expires_at=NOW + timedelta(days=7)))
    assert lapse is not None
    assert lapse.title == (
        "Without an IP allowlist, HTX deactivates this key on 8 Jan 2026 unless it is used"
    )
    assert "90 days after it" in lapse.advice and "7 days from now" in lapse.advice
    read_only = _unbound(spot_trade=False, expires_at=NOW + timedelta(days=7))
    assert _lapse("htx", read_only) is None
    # Rights not told count as "may": a key whose withdraw right is unknown is covered.
    assert _lapse("htx", _unbound(spot_trade=False, withdraw=None)) is not None


def test_okx_says_the_idle_limit_without_a_date_and_spares_demo_keys() -> None:
    lapse = _lapse("okx", _unbound())
    assert lapse is not None
    # OKX's answer tells no last use: the rule, never a date Keydeck cannot know.
    assert lapse.title == "Without an IP allowlist, OKX deletes this key after 14 days unused"
    assert "each Keydeck check is one" in lapse.advice
    assert "Security Center" in lapse.advice
    assert "overview-api-key-creation-api-key-security" in lapse.advice
    assert _lapse("okx", _unbound(withdraw=True, spot_trade=False)) is not None
    assert _lapse("okx", _unbound(spot_trade=False)) is None  # read-only: not covered
    assert _lapse("okx", _unbound(), sandbox=True) is None  # demo keys never expire


def test_binance_warns_of_the_trading_right_not_the_key() -> None:
    lapse = _lapse("binance", _unbound(trade_expires_at=NOW + timedelta(days=12)))
    assert lapse is not None and lapse.code == "unbound_trading_expires"
    assert lapse.title == (
        "Without an IP allowlist, Binance turns this key's spot and margin trading off on "
        "13 Jan 2026"
    )
    assert "the key itself keeps working" in lapse.advice
    past = _lapse("binance", _unbound(trade_expires_at=NOW - timedelta(days=1)))
    assert past is not None and "turned this key's spot and margin trading off" in past.title
    undated = _lapse("binance", _unbound())
    assert undated is not None and "Enable Spot & Margin Trading' on Binance" in undated.advice
    assert undated.title == (
        "Without an IP allowlist, Binance may turn this key's spot and margin trading off"
    )
    assert _lapse("binance", _unbound(spot_trade=False)) is None


def test_bybit_keeps_its_rule_and_a_lapsed_key_is_left_to_expires_soon() -> None:
    lapse = _lapse("bybit", _unbound(expires_at=NOW + timedelta(days=80)))
    assert lapse is not None
    assert lapse.title == "Without an IP allowlist, Bybit disables this key on 22 Mar 2026"
    expired = _unbound(expires_at=NOW - timedelta(days=1))
    assert _lapse("bybit", expired) is None
    assert "expires_soon" in {f.code for f in evaluate("bybit", expired, now=NOW)}


@pytest.mark.parametrize("exchange", sorted(RULES))
def test_a_bound_key_or_an_unknown_allowlist_gets_no_lapse(exchange: str) -> None:
    soon = NOW + timedelta(days=5)
    bound = _unbound(ip_restricted=True, ip_addresses=("203.0.113.7",), expires_at=soon)
    assert _lapse(exchange, bound) is None
    assert _lapse(exchange, _unbound(ip_restricted=None, expires_at=soon)) is None
    assert _lapse(exchange, Permissions.not_reported()) is None


def test_only_exchanges_that_document_a_rule() -> None:
    for exchange in ("kucoin", "gate", "kraken", "coinbase"):
        assert _lapse(exchange, _unbound(expires_at=NOW + timedelta(days=5))) is None


# --- through the simulator: a real signed read of the key's rights ------------------------


def _add(sim: Simulator, exchange: str, traits: Traits) -> None:
    sim.add_account(
        SimAccount(
            exchange=exchange,
            label="unbound",
            credentials=sim.exchanges[exchange].default_credentials("unbound"),
            traits=traits,
        )
    )


@pytest.mark.parametrize(
    ("exchange", "code"),
    [
        ("mexc", "unbound_key_expires"),
        ("htx", "unbound_key_expires"),
        ("okx", "unbound_key_expires"),
        ("binance", "unbound_trading_expires"),
    ],
)
async def test_the_lapse_is_read_from_the_exchanges_answer(
    sim: Simulator, connector: Connector, exchange: str, code: str
) -> None:
    expires = datetime.now(UTC).replace(microsecond=0) + timedelta(days=40)
    _add(
        sim,
        exchange,
        Traits(
            permissions=frozenset({"read", "spot"}),
            ip_allowlist=(),
            created_at=datetime.now(UTC) - timedelta(days=50),
            expires_at=expires,
            balances={"USDT": Balance("5")},
        ),
    )
    account = account_for(sim, exchange, "unbound")
    [report] = [r async for r in connector.refresh([account])]
    assert report.problem is None, report.problem
    [lapse] = [f for f in report.findings if f.code == code]
    if exchange == "okx":  # no date in OKX's answer: the idle limit
        assert "after 14 days unused" in lapse.title
    else:  # MEXC and HTX count whole days left: the day itself or the one before
        days = (expires, expires - timedelta(days=1))
        assert any(f"on {d.day} {d:%b %Y}" in lapse.title for d in days), lapse.title
    assert "allowlist" in lapse.advice
