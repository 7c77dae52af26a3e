"""Turning any exception raised while talking to an exchange into a Problem.

`classify(exc, exchange_id)` looks, in order, at: the exchange's own error codes and texts
that ccxt maps to the wrong class (the `error_rules` of its module in
`tui.connect.exchanges`, then a few texts seen across exchanges; see docs/problems.md), the
HTTP status hidden in ccxt's message (a 403 HTML page is a block, not an outage), then
ccxt's exception classes from the narrowest up (InvalidNonce before NetworkError,
PermissionDenied before AuthenticationError).

ccxt is never imported here: classes are matched by name along the exception's MRO, so
classifying costs nothing and works before ccxt has been loaded.
"""

from __future__ import annotations

import asyncio
import re

from tui.connect.exchanges import module_for
from tui.connect.problems import (
    ErrorRule,
    MalformedResponse,
    Problem,
    ProblemKind,
    error_rule,
    make_problem,
)
from tui.redact import scrub

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

# Texts seen across exchanges (and the simulator's wording), checked after the exchange's
# own rules; the first match wins.
GENERIC_RULES: tuple[ErrorRule, ...] = (
    error_rule(
        r"key (?:has )?expired|api ?key is expired",
        ProblemKind.bad_credentials,
        "This {name} API key has expired.",
    ),
    error_rule(r"passphrase", ProblemKind.bad_passphrase),
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


def error_rules_for(exchange_id: str) -> tuple[ErrorRule, ...]:
    """The exchange's own rules (if it has a module), then the generic ones."""
    module = module_for(exchange_id)
    own = module.error_rules if module is not None else ()
    return own + GENERIC_RULES


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
    for rule in error_rules_for(exchange_id):
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
