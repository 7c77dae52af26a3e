"""Turning any exception raised while talking to an exchange into a Problem.

`classify(exc, exchange_id)` looks, in order, at: what Keydeck refused to trust (a redirect,
an oversized or malformed answer, a failed TLS verification: `_network_safety_problem`), the
exchange's own error codes and texts
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
import json
import re
import ssl

from tui.connect.exchanges import module_for
from tui.connect.problems import (
    ErrorRule,
    MalformedResponse,
    Problem,
    ProblemKind,
    RedirectRefused,
    ResponseTooLarge,
    error_rule,
    make_problem,
)
from tui.connect.seen_ip import find_seen_ip
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
    if status >= 500 and _HTML.search(message):
        # A server error page (the exchange's or a proxy's), whatever class ccxt gave it:
        # Gemini's ccxt maps 500 to a bare ExchangeError, most others to ExchangeNotAvailable.
        return ProblemKind.unreachable
    return None


# OpenSSL verify codes (X509_V_ERR_*) -> what a trader can understand of them.
_TLS_CAUSES: dict[int, str] = {
    2: "certificate not trusted",  # unable to get issuer certificate
    9: "certificate not valid yet",
    10: "certificate expired",
    18: "certificate not trusted (self-signed)",
    19: "certificate not trusted (self-signed root)",
    20: "certificate not trusted",  # unable to get local issuer certificate
    21: "certificate not trusted",  # unable to verify the first certificate
    62: "hostname mismatch",
}


def _chain(exc: BaseException) -> list[BaseException]:
    """The exception and its causes (ccxt wraps aiohttp's errors, which wrap ssl's)."""
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen and len(seen) < 16:
        seen.append(current)
        nested = getattr(current, "certificate_error", None)
        if isinstance(nested, BaseException) and nested not in seen:
            seen.append(nested)
        suppressed = current.__suppress_context__
        current = current.__cause__ or (None if suppressed else current.__context__)
    return seen


def tls_cause(exc: BaseException) -> str | None:
    """'certificate expired', 'hostname mismatch'...: None when TLS is not what failed."""
    for link in _chain(exc):
        # aiohttp's ClientConnectorCertificateError is one too, without the codes: skip it
        # for the ssl error it carries (`certificate_error`, next in the chain).
        if isinstance(link, ssl.SSLCertVerificationError) and hasattr(link, "verify_code"):
            cause = _TLS_CAUSES.get(link.verify_code)
            if cause is None:
                message = str(getattr(link, "verify_message", "") or "").lower()
                cause = "hostname mismatch" if "hostname" in message else "certificate not trusted"
            return cause
    for link in _chain(exc):
        if isinstance(link, ssl.SSLError):
            return "TLS handshake failed"
    return None


def _raised_inside_ccxt(exc: BaseException) -> bool:
    """A KeyError/TypeError... raised by ccxt's own parsing: an answer it could not read."""
    if not isinstance(exc, KeyError | IndexError | TypeError | AttributeError | ValueError):
        return False
    frame = exc.__traceback__
    last = None
    while frame is not None:
        last = frame
        frame = frame.tb_next
    return last is not None and "/ccxt/" in last.tb_frame.f_code.co_filename.replace("\\", "/")


# Keys an exchange's error answer carries (a code, a message). ccxt raises a bare
# ExchangeError("<id> <body>") when an answer has none of its exchange's fields at all.
# bitFlyer's errors are {"status": -500, "error_message": ...}.
_ERROR_KEYS = frozenset(
    {"code", "retCode", "ret_code", "error", "err", "msg", "message", "label", "error_message"}
)
# ccxt's own message for an HTTP error its exchange did not recognise:
# "<id> <METHOD> <url> <status> <reason> <body>".
_HTTP_ERROR_BODY = re.compile(r"(?:GET|POST|PUT|DELETE|PATCH)\s+\S+\s+4\d\d\b[^{\[]*(?=\{)")


def _answer_without_error_fields(exc: BaseException, exchange_id: str) -> bool:
    """`bybit {}`, `okx []`, `kucoin {"url": ...}`: JSON that is no answer of that exchange.

    Also a 4xx whose JSON object has no error field (`gemini POST <url> 400 Bad Request
    {"url": ...}`): the exchange's own errors carry a code or message, and ccxt reads those
    before it falls back to the HTTP status (BadRequest). Arrays there are left alone:
    Bitfinex's errors are `["error", code, text]`.
    """
    name = type(exc).__name__
    prefix, _, body = str(exc).partition(" ")
    if prefix != exchange_id:
        return False
    if name == "BadRequest":
        status_line = _HTTP_ERROR_BODY.match(body)
        return status_line is not None and _object_without_error_fields(body[status_line.end() :])
    if name not in ("ExchangeError", "BadResponse", "NullResponse"):
        return False
    if not body.lstrip().startswith(("{", "[")):
        return False
    try:
        answer = json.loads(body)
    except (ValueError, RecursionError):
        return True
    return not isinstance(answer, dict) or not _ERROR_KEYS & answer.keys()


def _object_without_error_fields(body: str) -> bool:
    try:
        answer = json.loads(body)
    except (ValueError, RecursionError):
        return False
    return isinstance(answer, dict) and not _ERROR_KEYS & answer.keys()


def _network_safety_problem(exc: BaseException, exchange_id: str, detail: str) -> Problem | None:
    """Redirects, oversized answers, TLS failures and unreadable answers, in plain words."""
    for link in _chain(exc):
        if isinstance(link, RedirectRefused):
            where = link.host or "an address it did not name"
            return make_problem(
                ProblemKind.redirected,
                exchange_id,
                detail,
                title=f"{{name}} answered with a redirect to {where}; Keydeck does not follow "
                "redirects with your key.",
            )
        if isinstance(link, ResponseTooLarge):
            return make_problem(ProblemKind.too_large, exchange_id, detail)
        if isinstance(link, MalformedResponse):
            return make_problem(ProblemKind.bad_answer, exchange_id, detail)
    cause = tls_cause(exc)
    if cause is not None:
        return make_problem(
            ProblemKind.tls_failed,
            exchange_id,
            detail,
            title=f"The secure connection to {{name}} failed: {cause}.",
        )
    if _raised_inside_ccxt(exc) or _answer_without_error_fields(exc, exchange_id):
        return make_problem(ProblemKind.bad_answer, exchange_id, detail)
    return None


def classify(exc: BaseException, exchange_id: str) -> Problem:
    """Map any exception raised while talking to an exchange onto a Problem."""
    detail = _detail(exc)
    safety = _network_safety_problem(exc, exchange_id, detail)
    if safety is not None:
        return safety
    message = str(exc)
    ccxt_names = _ccxt_class_names(exc)
    status_match = _HTTP_STATUS.search(message) if ccxt_names else None
    if status_match and _HTML.search(message):
        kind = _kind_from_http_status(int(status_match.group(1)), message)
        if kind is not None:
            return make_problem(kind, exchange_id, detail)
    for rule in error_rules_for(exchange_id):
        if rule.pattern.search(message):
            seen_ip = find_seen_ip(rule.address, message)
            return make_problem(rule.kind, exchange_id, detail, rule.title, rule.fix, seen_ip)

    if status_match:
        kind = _kind_from_http_status(int(status_match.group(1)), message)
        if kind is not None:
            return make_problem(kind, exchange_id, detail)
    for name in ccxt_names:
        kind = _KIND_BY_CCXT_CLASS.get(name)
        if kind is not None:
            return make_problem(kind, exchange_id, detail)

    if isinstance(exc, TimeoutError | asyncio.TimeoutError):
        return make_problem(ProblemKind.timeout, exchange_id, detail)
    if isinstance(exc, ConnectionError | OSError):
        return make_problem(ProblemKind.unreachable, exchange_id, detail)
    if isinstance(exc, NotImplementedError):
        return make_problem(ProblemKind.unsupported, exchange_id, detail)
    return make_problem(ProblemKind.unknown, exchange_id, detail)
