"""Turning any failure into a Problem a trader can act on.

`classify(exc, exchange_id)` looks, in order, at: the exchange's own error codes and texts
that ccxt maps to the wrong class (see docs/problems.md), the HTTP status hidden in ccxt's
message (a 403 HTML page is a block, not an outage), then ccxt's exception classes from the
narrowest up (InvalidNonce before NetworkError, PermissionDenied before AuthenticationError).

ccxt is never imported here: classes are matched by name along the exception's MRO, so
classifying costs nothing and works before ccxt has been loaded.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from enum import StrEnum

from tui.redact import scrub


class ProblemKind(StrEnum):
    bad_credentials = "bad_credentials"
    bad_passphrase = "bad_passphrase"  # noqa: S105 - a kind name, not a password
    clock_skew = "clock_skew"
    ip_not_allowed = "ip_not_allowed"
    permission_missing = "permission_missing"
    rate_limited = "rate_limited"
    unreachable = "unreachable"
    timeout = "timeout"
    blocked = "blocked"
    maintenance = "maintenance"
    unsupported = "unsupported"
    unknown = "unknown"


class MalformedResponse(Exception):
    """The exchange (or something in between) answered with text that is not its API's JSON."""


@dataclass(frozen=True)
class Problem:
    """A failure in plain words. `detail` is a redacted technical line for the log."""

    kind: ProblemKind
    title: str
    fix: str
    detail: str = ""

    def __str__(self) -> str:
        return f"{self.title} {self.fix}"


# Titles and fixes per kind. `{name}` is the exchange's display name.
_TEXT: dict[ProblemKind, tuple[str, str]] = {
    ProblemKind.bad_credentials: (
        "{name} rejected this API key.",
        "Check that the API key and secret were copied whole (no missing characters or "
        "spaces), that the key was not deleted or disabled on {name}, and that it was made "
        "for {name} itself, not its testnet or another exchange. If unsure, create a new key.",
    ),
    ProblemKind.bad_passphrase: (
        "The passphrase for this {name} key is wrong.",
        "Enter the passphrase you chose when you created this API key on {name}. It is not "
        "your login password. If you no longer know it, delete the key on {name} and create "
        "a new one.",
    ),
    ProblemKind.clock_skew: (
        "Your computer's clock is out of sync with {name}.",
        "Turn on automatic time sync and try again: Windows: Settings > Time & language > "
        "Date & time > Sync now; macOS: System Settings > General > Date & Time > Set "
        "automatically; Linux: sudo timedatectl set-ntp true.",
    ),
    ProblemKind.ip_not_allowed: (
        "This {name} key does not allow requests from this computer's IP address.",
        "Add this machine's public IP address to the key's IP allowlist on {name}'s API "
        "management page, or run Keydeck from a machine that is on the list. A VPN changes "
        "your IP address.",
    ),
    ProblemKind.permission_missing: (
        "This {name} key lacks a permission Keydeck needs.",
        "Edit the key on {name} and enable read access (often called 'Read', 'General' or "
        "'Query funds'). Keydeck only reads; never enable withdrawals for it.",
    ),
    ProblemKind.rate_limited: (
        "{name} is limiting requests from you right now.",
        "Keydeck waits and retries on its own. If this keeps happening, refresh less often "
        "or stop other bots that use the same key or IP address.",
    ),
    ProblemKind.unreachable: (
        "Cannot reach {name}.",
        "Check your internet connection, VPN, proxy or firewall. If this account uses a "
        "custom endpoint, check that address. It may also be a short outage at {name}.",
    ),
    ProblemKind.timeout: (
        "{name} did not answer in time.",
        "The exchange or your connection is slow. Keydeck will try again; if it persists, "
        "check your connection or {name}'s status page.",
    ),
    ProblemKind.blocked: (
        "{name} refused the connection (HTTP 403): blocked or geo-restricted.",
        "This is not a key problem. {name} or its firewall blocks your network or country. "
        "Use the exchange's site for your region (for example binanceus instead of binance), "
        "or a network the exchange allows. Check the exchange's terms before using a VPN.",
    ),
    ProblemKind.maintenance: (
        "{name} is down for maintenance or overloaded.",
        "Nothing to fix on your side. Wait and refresh later; {name}'s status page says when "
        "service returns.",
    ),
    ProblemKind.unsupported: (
        "{name} does not support this through its API.",
        "Nothing is wrong with the key. This feature is not available for {name} (or for its "
        "testnet).",
    ),
    ProblemKind.unknown: (
        "Something unexpected went wrong talking to {name}.",
        "Try again in a minute. If it persists, the technical details are in Keydeck's log "
        "(keydeck locate shows where).",
    ),
}

# ccxt class name -> kind, checked along the MRO, so the narrowest class wins.
_KIND_BY_CCXT_CLASS: dict[str, ProblemKind] = {
    "InvalidNonce": ProblemKind.clock_skew,
    "RequestTimeout": ProblemKind.timeout,
    "OnMaintenance": ProblemKind.maintenance,
    "RateLimitExceeded": ProblemKind.rate_limited,
    "DDoSProtection": ProblemKind.rate_limited,
    "ExchangeNotAvailable": ProblemKind.unreachable,
    "NetworkError": ProblemKind.unreachable,
    "AccountNotEnabled": ProblemKind.permission_missing,
    "AccountSuspended": ProblemKind.bad_credentials,
    "PermissionDenied": ProblemKind.permission_missing,
    "AuthenticationError": ProblemKind.bad_credentials,
    "RestrictedLocation": ProblemKind.blocked,
    "NotSupported": ProblemKind.unsupported,
    "BadResponse": ProblemKind.unknown,
    "ExchangeError": ProblemKind.unknown,
}


@dataclass(frozen=True)
class _Override:
    """An exchange error text or code that decides the kind whatever ccxt's class says."""

    exchanges: frozenset[str]  # empty = any exchange
    pattern: re.Pattern[str]
    kind: ProblemKind
    title: str | None = None  # a more precise title than the kind's default
    fix: str | None = None  # a more precise fix than the kind's default


def _rule(
    exchanges: str,
    pattern: str,
    kind: ProblemKind,
    title: str | None = None,
    fix: str | None = None,
) -> _Override:
    ids = frozenset(exchanges.split()) if exchanges != "*" else frozenset()
    return _Override(ids, re.compile(pattern, re.IGNORECASE), kind, title, fix)


_CODE = r'["\']?(?:code|retCode)["\']?\s*[:=]\s*["\']?'
_LABEL = r'"label"\s*:\s*"'

# Checked top to bottom; the first match wins. Codes from the exchanges' API docs.
_OVERRIDES: tuple[_Override, ...] = (
    # Kraken: ccxt raises a plain ExchangeError for a bad signature.
    _rule("kraken", r"EAPI:Invalid signature", ProblemKind.bad_credentials),
    _rule("kraken", r"EAPI:Invalid key", ProblemKind.bad_credentials),
    _rule("kraken", r"EAPI:Invalid nonce", ProblemKind.clock_skew),
    _rule(
        "kraken",
        r"EGeneral:Permission denied",
        ProblemKind.permission_missing,
        "Kraken refused: this key lacks a permission, or this IP address is not allowed.",
        "On Kraken (Settings > API) check that the key has 'Query Funds' and that this "
        "machine's public IP address is on the key's IP allowlist, if it has one. Never "
        "enable 'Withdraw Funds' for Keydeck.",
    ),
    _rule("kraken", r"EAPI:Rate limit|EOrder:Rate limit", ProblemKind.rate_limited),
    _rule("kraken", r"EService:(Unavailable|Busy)", ProblemKind.maintenance),
    # OKX: 50112 (timestamp) comes out as AuthenticationError.
    _rule("okx", _CODE + r"5010[12]\b|" + _CODE + r"50112\b", ProblemKind.clock_skew),
    _rule("okx", _CODE + r"50105\b", ProblemKind.bad_passphrase),
    _rule("okx", _CODE + r"50110\b", ProblemKind.ip_not_allowed),
    _rule("okx", _CODE + r"5011[13]\b|" + _CODE + r"50100\b", ProblemKind.bad_credentials),
    _rule("okx", _CODE + r"50120\b", ProblemKind.permission_missing),
    _rule("okx", _CODE + r"50001\b", ProblemKind.maintenance),
    _rule("okx", _CODE + r"50011\b", ProblemKind.rate_limited),
    # Gate: REQUEST_EXPIRED (timestamp) comes out as AuthenticationError.
    _rule("gate", _LABEL + r"REQUEST_EXPIRED\b", ProblemKind.clock_skew),
    _rule("gate", _LABEL + r"IP_FORBIDDEN\b", ProblemKind.ip_not_allowed),
    _rule(
        "gate",
        _LABEL + r"(?:INVALID_KEY|INVALID_SIGNATURE|MISSING_REQUIRED_HEADER)\b",
        ProblemKind.bad_credentials,
    ),
    _rule("gate", _LABEL + r"(?:READ_ONLY|FORBIDDEN)\b", ProblemKind.permission_missing),
    _rule("gate", _LABEL + r"TOO_MANY_REQUESTS\b", ProblemKind.rate_limited),
    # KuCoin: 400004 is the passphrase (checked with the secret, so a wrong secret shows the
    # same error); 400006 the IP allowlist.
    _rule(
        "kucoin",
        _CODE + r"400004\b",
        ProblemKind.bad_passphrase,
        "KuCoin rejected this key's passphrase (or its secret).",
        "KuCoin checks the passphrase together with the secret. Re-enter both exactly as "
        "shown when you created the key; the passphrase is the one you chose for the key, "
        "not your login password. If you no longer have them, create a new key.",
    ),
    _rule("kucoin", _CODE + r"400002\b", ProblemKind.clock_skew),
    _rule("kucoin", _CODE + r"400006\b", ProblemKind.ip_not_allowed),
    _rule("kucoin", _CODE + r"40000[135]\b", ProblemKind.bad_credentials),
    _rule("kucoin", _CODE + r"400007\b", ProblemKind.permission_missing),
    _rule("kucoin", _CODE + r"429000\b", ProblemKind.rate_limited),
    # Bitget: 40012 is "apikey/password is incorrect"; 40008 a stale timestamp.
    _rule("bitget", _CODE + r"40012\b", ProblemKind.bad_passphrase),
    _rule("bitget", _CODE + r"4000[58]\b", ProblemKind.clock_skew),
    _rule("bitget", _CODE + r"40018\b", ProblemKind.ip_not_allowed),
    _rule("bitget", _CODE + r"4000[12369]\b|" + _CODE + r"40011\b", ProblemKind.bad_credentials),
    _rule("bitget", _CODE + r"40014\b", ProblemKind.permission_missing),
    _rule("bitget", _CODE + r"429\b", ProblemKind.rate_limited),
    # Coinbase answers 401 for a bad key, a bad signature and an IP outside the allowlist.
    _rule(
        "coinbase",
        r"\b401\b",
        ProblemKind.bad_credentials,
        "Coinbase rejected this API key, or this IP address.",
        "Check that the key name (organizations/.../apiKeys/...) and the whole private key, "
        "including its BEGIN and END lines, were pasted; that the key was not deleted in the "
        "Coinbase Developer Platform; and that this machine's IP address is on the key's "
        "allowlist, if it has one.",
    ),
    # Bybit.
    _rule("bybit", _CODE + r"10002\b", ProblemKind.clock_skew),
    _rule("bybit", _CODE + r"10010\b", ProblemKind.ip_not_allowed),
    _rule(
        "bybit",
        _CODE + r"33004\b",
        ProblemKind.bad_credentials,
        "This {name} API key has expired.",
    ),
    _rule("bybit", _CODE + r"1000[34]\b", ProblemKind.bad_credentials),
    _rule("bybit", _CODE + r"10005\b", ProblemKind.permission_missing),
    _rule("bybit", _CODE + r"10006\b|" + _CODE + r"10018\b", ProblemKind.rate_limited),
    # Binance: -2015 is "Invalid API-key, IP, or permissions for action".
    _rule("binance", _CODE + r"-1021\b", ProblemKind.clock_skew),
    _rule(
        "binance",
        _CODE + r"-2015\b",
        ProblemKind.bad_credentials,
        "{name} rejected this API key, or this IP address, or the key lacks a permission.",
    ),
    _rule("binance", _CODE + r"-(?:2014|1022|2008)\b", ProblemKind.bad_credentials),
    _rule("binance", _CODE + r"-1003\b", ProblemKind.rate_limited),
    # Generic texts seen across exchanges (and the simulator's wording).
    _rule(
        "*",
        r"key (?:has )?expired|api ?key is expired",
        ProblemKind.bad_credentials,
        "This {name} API key has expired.",
    ),
    _rule("*", r"passphrase", ProblemKind.bad_passphrase),
)

_HTTP_STATUS = re.compile(r"\b(?:GET|POST|PUT|DELETE|PATCH)\s+\S+\s+(\d{3})\b")
_HTML = re.compile(r"<\s*(?:!doctype|html|body|head|title)\b", re.IGNORECASE)
_URL_QUERY = re.compile(r"(https?://[^\s?]+)\?\S*")
_MAX_DETAIL = 600


def _ccxt_class_names(exc: BaseException) -> list[str]:
    return [cls.__name__ for cls in type(exc).__mro__ if cls.__module__.startswith("ccxt")]


def _detail(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}"
    text = _URL_QUERY.sub(r"\1?…", text)
    text = " ".join(text.split())
    return scrub(text)[:_MAX_DETAIL]


def exchange_display_name(exchange_id: str) -> str:
    """The exchange's display name if the catalog is loaded, else a tidy form of its id."""
    from tui.connect.catalog import cached_display_name

    return cached_display_name(exchange_id)


def make_problem(
    kind: ProblemKind,
    exchange_id: str,
    detail: str = "",
    title: str | None = None,
    fix: str | None = None,
) -> Problem:
    name = exchange_display_name(exchange_id)
    default_title, default_fix = _TEXT[kind]
    return Problem(
        kind=kind,
        title=(title or default_title).format(name=name),
        fix=(fix or default_fix).format(name=name),
        detail=detail,
    )


def _kind_from_http_status(status: int, message: str) -> ProblemKind | None:
    if status == 403 and (_HTML.search(message) or "forbidden" in message.lower()):
        return ProblemKind.blocked
    if status == 451:
        return ProblemKind.blocked
    if status == 503:
        return ProblemKind.maintenance
    if status == 429:
        return ProblemKind.rate_limited
    if status in (408, 504):
        return ProblemKind.timeout
    return None


def classify(exc: BaseException, exchange_id: str) -> Problem:
    """Map any exception raised while talking to an exchange onto a Problem."""
    detail = _detail(exc)
    message = str(exc)
    ccxt_names = _ccxt_class_names(exc)
    status_match = _HTTP_STATUS.search(message) if ccxt_names else None
    if status_match and _HTML.search(message):
        kind = _kind_from_http_status(int(status_match.group(1)), message)
        if kind is not None:
            return make_problem(kind, exchange_id, detail)
    for rule in _OVERRIDES:
        if rule.exchanges and exchange_id not in rule.exchanges:
            continue
        if rule.pattern.search(message):
            return make_problem(rule.kind, exchange_id, detail, rule.title, rule.fix)

    if status_match:
        kind = _kind_from_http_status(int(status_match.group(1)), message)
        if kind is not None:
            return make_problem(kind, exchange_id, detail)
    for name in ccxt_names:
        kind = _KIND_BY_CCXT_CLASS.get(name)
        if kind is not None:
            return make_problem(kind, exchange_id, detail)

    if isinstance(exc, MalformedResponse):
        return make_problem(
            ProblemKind.unknown,
            exchange_id,
            detail,
            title="{name} sent an answer Keydeck could not read.",
            fix="This is usually brief (an overloaded exchange, or a proxy or captive portal "
            "in between). Try again in a minute; if this account uses a custom endpoint, "
            "check that it points at {name}'s API.",
        )
    if isinstance(exc, TimeoutError | asyncio.TimeoutError):
        return make_problem(ProblemKind.timeout, exchange_id, detail)
    if isinstance(exc, ConnectionError | OSError):
        return make_problem(ProblemKind.unreachable, exchange_id, detail)
    if isinstance(exc, NotImplementedError):
        return make_problem(ProblemKind.unsupported, exchange_id, detail)
    return make_problem(ProblemKind.unknown, exchange_id, detail)
