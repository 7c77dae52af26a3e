"""Problems: a failure in plain words a trader can act on, with a title and a fix per kind.

Which Problem an exception is decided in `tui.connect.classifier`; the exchanges' own error
codes that override ccxt's classes are `ErrorRule`s in each exchange's module
(`tui.connect.exchanges`). See docs/problems.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from tui.base.inert import TEXT_LIMIT, inert
from tui.connect.names import display_name
from tui.connect.seen_ip import shown


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
    redirected = "redirected"
    bad_answer = "bad_answer"
    too_large = "too_large"
    tls_failed = "tls_failed"
    insecure_endpoint = "insecure_endpoint"
    unknown = "unknown"


# Kinds that mean "we could not talk to the exchange at all".
UNREACHABLE_KINDS = frozenset(
    {
        ProblemKind.unreachable,
        ProblemKind.timeout,
        ProblemKind.blocked,
        ProblemKind.maintenance,
        ProblemKind.tls_failed,
        ProblemKind.insecure_endpoint,
    }
)
# Kinds after which no signed request follows and the whole check fails: the exchange cannot
# be reached, or something other than the exchange answered (a portal, proxy, hostile host).
STOP_KINDS = UNREACHABLE_KINDS | {
    ProblemKind.redirected,
    ProblemKind.bad_answer,
    ProblemKind.too_large,
}
# Kinds of a failed status check after which the round sends no signed request either: it
# would only be refused the same way and counted against the key or the address. The
# exchange said to slow down (a 429; going on gets an address banned, Binance's 418), or the
# status check was itself a signed call (exchanges without a public clock) and the key or
# the address was refused. The next round, spaced by the back-off, asks again.
BACK_OFF_KINDS = frozenset(
    {
        ProblemKind.rate_limited,
        ProblemKind.bad_credentials,
        ProblemKind.bad_passphrase,
        ProblemKind.ip_not_allowed,
    }
)
# A status check failing with one of these is the round's last request to that exchange.
NO_SIGNED_AFTER = STOP_KINDS | BACK_OFF_KINDS


class MalformedResponse(Exception):
    """The exchange (or something in between) answered with text that is not its API's JSON,
    or with JSON that lacks the fields that exchange always sends."""


class RedirectRefused(Exception):
    """The server answered a request with a redirect; Keydeck never follows one with a key.

    Deliberately not an aiohttp `ClientError` or an `OSError`: ccxt re-wraps those as its
    network errors, and this must reach the classifier as itself.
    """

    def __init__(self, status: int, host: str) -> None:
        super().__init__(f"HTTP {status} redirect to {host or 'an unnamed location'} refused")
        self.status = status
        self.host = host


class ResponseTooLarge(Exception):
    """An answer grew past Keydeck's cap while it was being read (see tui.connect.transport)."""

    def __init__(self, what: str, limit: int) -> None:
        super().__init__(f"the answer's {what} passed the cap of {limit} bytes")
        self.what = what
        self.limit = limit


@dataclass(frozen=True)
class Problem:
    """A failure in plain words. `detail` is a redacted technical line for the log."""

    kind: ProblemKind
    title: str
    fix: str
    detail: str = ""
    seen_ip: str | None = None
    """The address the exchange said it saw the request come from (validated), if it did."""

    def __post_init__(self) -> None:
        # Titles, fixes and details can quote the exchange's own error text.
        for name in ("title", "fix", "detail"):
            object.__setattr__(self, name, inert(getattr(self, name), TEXT_LIMIT))

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
    ProblemKind.redirected: (
        "{name}'s address answered with a redirect; Keydeck does not follow redirects with "
        "your key.",
        "Nothing was sent to the new location. If this account uses a custom endpoint, replace "
        "it with the address the exchange's API really lives at (https://...). A redirect from "
        "{name}'s own API usually means a captive portal (hotel or airport Wi-Fi) or a proxy "
        "in between: sign in to the network, or use another one.",
    ),
    ProblemKind.bad_answer: (
        "{name}'s answer was not what it sends: a proxy, captive portal or outage in between?",
        "Keydeck counts nothing from such an answer. This is usually brief (an overloaded "
        "exchange, or a proxy or captive portal in between): try again in a minute. If this "
        "account uses a custom endpoint, check that it points at {name}'s API.",
    ),
    ProblemKind.too_large: (
        "{name} sent an answer far larger than its API ever sends; Keydeck stopped reading it.",
        "Something in between (a proxy, captive portal or a wrong custom endpoint) is sending "
        "this, or the exchange is misbehaving. Check the account's endpoint and your network, "
        "then try again.",
    ),
    ProblemKind.tls_failed: (
        "The secure connection to {name} failed: its certificate could not be verified.",
        "Nothing was sent. Check your computer's date and time; a company proxy or antivirus "
        "that inspects HTTPS, or a wrong custom endpoint, also causes this. Do not connect "
        "through a network you do not trust.",
    ),
    ProblemKind.insecure_endpoint: (
        "This account's endpoint uses plain http:// to a host that is not this computer.",
        "Keydeck sends keys over https:// only (plain http:// is allowed to 127.0.0.1 or "
        "localhost, for a local simulator). Edit the account and give its endpoint as "
        "https://..., or remove the endpoint to use {name}'s own address. No connection was "
        "made.",
    ),
    ProblemKind.unknown: (
        "Something unexpected went wrong talking to {name}.",
        "Try again in a minute. If it persists, the technical details are in Keydeck's log "
        "(keydeck locate shows where).",
    ),
}


@dataclass(frozen=True)
class ErrorRule:
    """An exchange error text or code that decides the kind whatever ccxt's class says."""

    pattern: re.Pattern[str]
    kind: ProblemKind
    title: str | None = None  # a more precise title than the kind's default
    fix: str | None = None  # a more precise fix than the kind's default
    address: re.Pattern[str] | None = None
    """Where the error names the address the exchange saw (group 1), if it does."""
    source: str = ""
    """Where that error text is documented or publicly quoted (docs/permissions.md)."""


def error_rule(
    pattern: str,
    kind: ProblemKind,
    title: str | None = None,
    fix: str | None = None,
    *,
    address: str | None = None,
    source: str = "",
) -> ErrorRule:
    """A rule matching `pattern` anywhere in the error message, ignoring case. `address`
    (with `tui.connect.seen_ip.ADDRESS` as its group) reads the address the exchange saw."""
    return ErrorRule(
        re.compile(pattern, re.IGNORECASE),
        kind,
        title,
        fix,
        re.compile(address, re.IGNORECASE) if address else None,
        source,
    )


def exchange_display_name(exchange_id: str) -> str:
    """The exchange's display name if the catalog is loaded, else a tidy form of its id."""
    return display_name(exchange_id)


def make_problem(
    kind: ProblemKind,
    exchange_id: str,
    detail: str = "",
    title: str | None = None,
    fix: str | None = None,
    seen_ip: str | None = None,
) -> Problem:
    name = exchange_display_name(exchange_id)
    default_title, default_fix = _TEXT[kind]
    fix_text = (fix or default_fix).format(name=name)
    if seen_ip is not None:
        fix_text = seen_ip_fix(kind, name, seen_ip, fix_text)
    return Problem(
        kind=kind,
        title=(title or default_title).format(name=name),
        fix=fix_text,
        detail=detail,
        seen_ip=seen_ip,
    )


def seen_ip_fix(kind: ProblemKind, name: str, seen_ip: str, fix: str) -> str:
    """The fix naming the address the exchange saw (validated by the caller)."""
    where = shown(seen_ip)
    if kind is ProblemKind.ip_not_allowed:
        return (
            f"{name} saw this request from {where}. Add it to the key's allowlist on "
            f"{name}'s API page."
        )
    return (
        f"{fix} {name} saw this request from {where}: if the key has an IP allowlist, that "
        "address must be on it."
    )
