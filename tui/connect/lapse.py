"""Keys an exchange disables because they are bound to no IP address, one documented rule a row.

Each rule quotes the exchange's own sentence and names where it is. `lapse_findings` turns
the rule that covers a key into a warning: with the date and the days left where the key's
answer gives them (or the rule lets Keydeck work them out), else the rule and what to check
on the exchange's page, never a claim that the key is safe. The fix is always the same: bind
the key to the addresses it is used from.

Sources (checked for this module):
- Bybit, v5 "Get API Key Information" (`expiredAt`): "The expiry day of the API key. Only for
  those keys with no IP bound or the password has been changed".
- MEXC, spot v3 docs, FAQs Q1 (github.com/mexcdevelop/apidocs, branch spot_v3_en,
  source/index.html.md): "The validity of an API Key without a linked IP address is 90 days,
  and the API Key will expire automatically." `remainingValidity` gives the days left.
- HTX, API docs change log 2022.06.14 (huobiapi.github.io/docs/spot/v1/en/) and the API
  management page (www.htx.com/en-us/apikey): "An API key not linked with an IP address but
  has trading or withdrawal permissions will be automatically deactivated after 90 days of
  inactivity. If used regularly, the API key's validity will be extended automatically for
  90 days from the last usage." `validDays` gives the days left.
- OKX, docs-v5 "API key security": "API keys that are not linked to an IP address and have
  `trade` or `withdraw` permissions will expire after 14 days of inactivity. (The API key of
  demo trading will not expire)"; "Only when the user calls an API that requires API key
  authentication will it be considered as the API key is used." No field tells the last use,
  so the warning says the rule without a date (each Keydeck check is such a call).
- Binance, "Updates to API Key Permission Rules (2021-07-08)": without whitelisted IP
  addresses "Enable Spot & Margin Trading" is "valid for 30 days from the activation time. The
  system will automatically uncheck the permission after the expiration date."
  `tradingAuthorityExpirationTime` (Binance's older docs: "Expiration time for spot and margin
  trading permission", sent only when there is one) gives the date; the key itself stays.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from tui.connect.models import Finding, Permissions

When = Callable[[Permissions, datetime], datetime | None]


@dataclass(frozen=True)
class LapseRule:
    exchange: str
    doc: str
    rule: str
    """The documented rule in one sentence ({name}: the exchange's display name)."""
    title: str
    """With a date: {name}, {date}."""
    undated_title: str
    check: str
    """What to look at on the exchange's page when the answer gives no date."""
    when: When | None
    """The date the answer tells; None: an idle limit the answer cannot date (`idle_title`)."""
    covers: Callable[[Permissions], bool]
    renewal: str = ""
    idle_title: str = ""
    sandbox_exempt: bool = False
    past_title: str | None = None
    """A date already past: None leaves it to `expires_soon` ("The key has expired")."""
    code: str = "unbound_key_expires"


def _expiry(p: Permissions, now: datetime) -> datetime | None:
    return p.expires_at


def _mexc_expiry(p: Permissions, now: datetime) -> datetime | None:
    if p.expires_at is not None:
        return p.expires_at
    return p.created_at + timedelta(days=90) if p.created_at is not None else None


def _trading_expiry(p: Permissions, now: datetime) -> datetime | None:
    return p.trade_expires_at


def _any_key(p: Permissions) -> bool:
    return True


def _trades_or_withdraws(p: Permissions) -> bool:
    """Unknown rights count: only a key known to neither trade nor withdraw is left out."""
    return not (p.can_trade is False and p.withdraw is False)


def _spot_trading(p: Permissions) -> bool:
    return p.trade_expires_at is not None or p.spot_trade is not False


_KEY_TITLE = "Without an IP allowlist, {name} disables this key on {date}"

RULES: dict[str, LapseRule] = {
    rule.exchange: rule
    for rule in (
        LapseRule(
            exchange="bybit",
            doc="https://bybit-exchange.github.io/docs/v5/user/apikey-info",
            rule="{name} lets keys bound to no IP address lapse",
            title=_KEY_TITLE,
            undated_title="Without an IP allowlist, {name} lets this key lapse",
            check="the expiry date shown for the key on {name}'s API page",
            when=_expiry,
            covers=_any_key,
        ),
        LapseRule(
            exchange="mexc",
            doc="https://mexcdevelop.github.io/apidocs/spot_v3_en/#faqs",
            rule="{name} keys without a linked IP address are valid for 90 days, then expire",
            title=_KEY_TITLE,
            undated_title="Without an IP allowlist, {name} disables this key 90 days after "
            "it was made",
            check="the key's remaining validity on {name}'s API page",
            when=_mexc_expiry,
            covers=_any_key,
        ),
        LapseRule(
            exchange="htx",
            doc="https://huobiapi.github.io/docs/spot/v1/en/",
            rule="{name} deactivates a key bound to no IP address that can trade or withdraw "
            "after 90 days of inactivity",
            title="Without an IP allowlist, {name} deactivates this key on {date} unless it "
            "is used",
            undated_title="Without an IP allowlist, {name} deactivates this key after 90 "
            "days unused",
            check="the key's validity on {name}'s API page",
            when=_expiry,
            covers=_trades_or_withdraws,
            renewal="Each use moves the date to 90 days after it, so a key in regular use "
            "keeps working; one left unused lapses then.",
        ),
        LapseRule(
            exchange="okx",
            doc="https://www.okx.com/docs-v5/en/#overview-api-key-creation-api-key-security",
            rule="{name} deletes a key bound to no IP address that can trade or withdraw "
            "after 14 days of inactivity",
            title="",
            undated_title="",
            idle_title="Without an IP allowlist, {name} deletes this key after 14 days unused",
            check="the key's last use in {name}'s Security Center",
            when=None,
            covers=_trades_or_withdraws,
            renewal="Every signed request restarts the 14 days, and each Keydeck check is "
            "one; a bot or Keydeck that stops using the key for 14 days loses it (its last "
            "use is in {name}'s Security Center).",
            sandbox_exempt=True,  # "The API key of demo trading will not expire"
        ),
        LapseRule(
            exchange="binance",
            doc="https://www.binance.com/en/support/announcement/cda0a4b53da04396b5d27881e93abf78",
            rule="{name} turns 'Enable Spot & Margin Trading' off 30 days after it was "
            "turned on, on a key bound to no IP address (the key itself keeps working)",
            title="Without an IP allowlist, {name} turns this key's spot and margin trading "
            "off on {date}",
            # Binance sends the date only when it has set one; newer docs drop the field, so
            # its absence proves nothing either way.
            undated_title="Without an IP allowlist, {name} may turn this key's spot and margin "
            "trading off",
            check="the expiry shown next to 'Enable Spot & Margin Trading' on {name}'s API page",
            when=_trading_expiry,
            covers=_spot_trading,
            past_title="Without an IP allowlist, {name} turned this key's spot and margin "
            "trading off on {date}",
            code="unbound_trading_expires",
        ),
    )
}
"""Exchanges that document a lapse for keys bound to no IP address, by ccxt id."""

ALIASES: dict[str, str] = {
    "myokx": "okx",  # OKX's EEA docs (my.okx.com/docs-v5) carry the same paragraph
    "binanceusdm": "binance",  # the same key and answer: its spot and margin right lapses
    "binancecoinm": "binance",
}


def rule_for(exchange_id: str) -> LapseRule | None:
    base = exchange_id.removesuffix("_testnet")
    return RULES.get(ALIASES.get(base, base))


def _day(when: datetime) -> str:
    return f"{when.day} {when:%b %Y}"


def _finding(
    rule: LapseRule, name: str, link: str | None, when: datetime | None, now: datetime
) -> Finding | None:
    rule_text = rule.rule.format(name=name) + f" ({rule.doc})."
    fix = f"Add the addresses you use the key from to its allowlist on {name}"
    renewal = f" {rule.renewal.format(name=name)}" if rule.renewal else ""
    if rule.when is None:
        return Finding(
            severity="warning",
            code=rule.code,
            title=rule.idle_title.format(name=name),
            advice=f"{rule_text}{renewal} {fix}: the rule covers only keys bound to no IP address.",
            link=link,
        )
    if when is None:
        return Finding(
            severity="warning",
            code=rule.code,
            title=rule.undated_title.format(name=name),
            advice=f"{rule_text}{renewal} {name}'s answer gave no date for this key: check "
            f"{rule.check.format(name=name)}. {fix}: the rule covers only keys bound to no IP "
            "address.",
            link=link,
        )
    if when <= now:
        if rule.past_title is None:
            return None
        return Finding(
            severity="warning",
            code=rule.code,
            title=rule.past_title.format(name=name, date=_day(when)),
            advice=f"{rule_text} {fix}, then turn the right on again on {name}'s API page.",
            link=link,
        )
    days = (when - now).days
    left = "less than a day" if days < 1 else f"{days} day" + ("" if days == 1 else "s")
    return Finding(
        severity="warning",
        code=rule.code,
        title=rule.title.format(name=name, date=_day(when)),
        advice=f"{rule_text}{renewal} That is {left} from now. {fix} before {_day(when)} to "
        "keep it working, or plan a replacement.",
        link=link,
    )


def lapse_findings(
    exchange_id: str,
    permissions: Permissions,
    *,
    name: str,
    link: str | None,
    now: datetime,
    sandbox: bool = False,
) -> list[Finding]:
    """The warning for a key bound to no IP address on an exchange that documents a lapse."""
    rule = rule_for(exchange_id)
    if rule is None or (sandbox and rule.sandbox_exempt):
        return []
    p = permissions
    if not p.reported or p.ip_restricted is not False or not rule.covers(p):
        return []
    when = rule.when(p, now) if rule.when is not None else None
    finding = _finding(rule, name, link, when, now)
    return [finding] if finding is not None else []
