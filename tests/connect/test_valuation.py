"""USD valuation: stablecoins at 1, bridged prices, unknown never $0."""

from __future__ import annotations

from decimal import Decimal

from tui.connect.valuation import held_assets, plan_prices, usd_prices, value_balances

MARKETS = {
    "BTC/USDT": {"active": True, "spot": True},
    "ETH/BTC": {"active": True, "spot": True},
    "SOL/USDC": {"active": True, "spot": True},
    "OLD/USDT": {"active": False, "spot": True},
}
TICKERS = {
    "BTC/USDT": {"last": 60000.0},
    "ETH/BTC": {"last": None, "bid": 0.049, "ask": 0.051},
    "SOL/USDC": {"close": 150.5},
}


def test_values_and_unknowns() -> None:
    raw = {
        "free": {
            "BTC": 0.5,
            "ETH": 1.0,
            "USDT": 100.0,
            "SOL": 2,
            "NOPX": 10,
            "ZERO": 0.0,
            "OLD": 1,
        },
        "used": {"BTC": 0.1, "ETH": 0.0, "USDT": 0.0, "SOL": 0, "NOPX": 0, "ZERO": 0.0, "OLD": 0},
        "total": {
            "BTC": 0.6,
            "ETH": 1.0,
            "USDT": 100.0,
            "SOL": 2,
            "NOPX": 10,
            "ZERO": 0.0,
            "OLD": 1,
        },
    }
    held = held_assets(raw)
    assert "ZERO" not in held
    assert held["BTC"] == (Decimal("0.5"), Decimal("0.1"), Decimal("0.6"))
    plan = plan_prices(held, MARKETS)
    assert plan.direct == {"BTC": "BTC/USDT", "SOL": "SOL/USDC"}
    assert plan.bridged == {"ETH": ("ETH/BTC", "BTC/USDT")}
    balances = value_balances(held, usd_prices(plan, TICKERS))
    by_asset = {row.asset: row for row in balances.assets}
    assert by_asset["BTC"].usd == Decimal("36000.00")
    assert by_asset["ETH"].usd == Decimal("3000.00")
    assert by_asset["USDT"].usd == Decimal("100.00")
    assert by_asset["SOL"].usd == Decimal("301.00")
    assert by_asset["NOPX"].usd is None
    assert by_asset["OLD"].usd is None  # inactive market: no price, not $0
    assert balances.unpriced_assets == ("NOPX", "OLD")
    assert balances.total_usd == Decimal("39401.00")
    assert not balances.complete
    assert [row.asset for row in balances.assets][-2:] == ["NOPX", "OLD"]
