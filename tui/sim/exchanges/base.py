"""The base class every simulated exchange subclasses.

How an exchange plugs in
========================

One module per exchange, `tui/sim/exchanges/<ccxt id>.py`, defining one subclass of
`SimExchange` decorated with `@register` (from `tui.sim.exchanges`)::

    from tui.sim.exchanges import register
    from tui.sim.exchanges.base import ErrorKind, SimError, SimExchange, route

    @register
    class Kraken(SimExchange):
        id = "kraken"                       # the ccxt id; also the mount prefix /kraken
        name = "Kraken"
        credential_names = ("apiKey", "secret")

        def api_key_of(self, request): ...  # where the key travels (header, query, JWT kid)
        def authenticate(self, request, account): ...  # raise SimError(...) on any mismatch
        def render_error(self, error): ...  # SimError -> web.Response in the exchange's format

        @route("GET", "/0/public/Time")
        async def time(self, request, account): return {...}

        @route("POST", "/0/private/BalanceEx", signed=True, permission="read")
        async def balance(self, request, account): return {...}

Routes
    `@route(method, path, signed=False, permission=None)` on an async method
    `(self, request: SimRequest, account: SimAccount | None)`. Paths are the exchange's own
    paths (the mount prefix is already stripped); `{name}` segments match one path segment
    and arrive in `request.match`. A handler returns a JSON-able value (sent with status 200
    via `self.json`) or a ready `web.Response`; it may raise `SimError`. For a signed route
    `account` is the authenticated account, for a public one it is the account named by the
    key if the request carried one, else None. An unknown path is rendered as
    `SimError(ErrorKind.NOT_FOUND)`.

Authentication (signed routes), in the order the core runs it
    1. `api_key_of(request)` -> the key string or None; the core looks the account up.
    2. `authenticate(request, account)`: `account` may be None (unknown key: raise BAD_KEY).
       Recompute the signature over `request.raw_query` / `request.body` / `request.path`
       (exactly what the client signed; `request.full_path` includes the mount prefix),
       compare with `self.same(a, b)`, check the passphrase, and check timestamps with
       `self.check_timestamp(ts_ms, account, window_ms=...)`, which uses the exchange's clock
       (real time + clock-skew fault). Helpers: `hmac_hex`, `hmac_b64`.
    3. `check_access(request, account)` (base implementation, override if the exchange checks
       in another order): IP allowlist (loopback clients appear as `state.client_ip`) and
       the ip_not_allowed fault -> IP_NOT_ALLOWED; expiry and the expired fault -> KEY_EXPIRED.
    4. The route's `permission` (a trait such as "read") -> PERMISSION_DENIED when missing.
    `admit()` runs 2 and 3; override it to change the order.

Error rendering
    `render_error(error: SimError) -> web.Response` maps each `ErrorKind` to the exchange's
    own code, message and HTTP status (see exchanges.md) so that ccxt raises the same class
    as against the real exchange. RATE_LIMITED must be the exchange's own 429 answer.

Generic faults (latency, timeout, maintenance 503 HTML, geo-block 403 HTML, malformed JSON)
are handled by the core (`tui.sim.server`) for every exchange; do nothing for them.

Response helpers
    `self.json(payload, status=200, headers=None)`; `self.now_ms(account)` (the exchange's
    clock); `self.state.markets` (shared spot markets and prices: `markets.markets`,
    `markets.get(base, quote)`); `account.traits` (permissions, ip_allowlist, created_at,
    expires_at, sub_account, balances: asset -> Balance(free, used), label);
    `fmt(decimal)` renders an amount without exponent.

Default accounts
    `default_credentials(label)` derives obviously fake demo credentials from the exchange
    id and label ("demo-<id>-<label>-key", ...). Override it when the exchange needs another
    shape (Kraken: a base64 secret; Coinbase: a CDP key name and an EC PEM).
    `unbound_key_lifetime_days` makes the default keys without an IP allowlist expiring ones
    (created 30 days ago, valid that many days), as MEXC and HTX do.

Tests
    `tests/sim/conftest.py` provides the `sim` fixture (a running `Simulator` with the default
    accounts, fresh per test). `tests/sim/clients.py` has `make_client(sim, exchange,
    label="main", options=None, **credential_overrides)`, an async context manager yielding a
    ccxt.async_support client pointed at the simulator (closed on exit), and
    `build_client(exchange, credentials, endpoint, **options)`. Add per-exchange ccxt options
    to `CLIENT_OPTIONS` there if load_markets needs them. Example:
        async with make_client(sim, "kraken", secret="wrong") as client: ...
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import inspect
import ipaddress
import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, ClassVar

from aiohttp import web

from tui.sim.errors import ErrorKind, SimError
from tui.sim.model import SimAccount
from tui.sim.request import SimRequest
from tui.sim.state import SimState

__all__ = [
    "ErrorKind",
    "Route",
    "SimAccount",
    "SimError",
    "SimExchange",
    "SimRequest",
    "fmt",
    "route",
]

Handler = Callable[[Any, SimRequest, SimAccount | None], Awaitable[Any]]


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    handler_name: str
    signed: bool = False
    permission: str | None = None

    @property
    def pattern(self) -> re.Pattern[str]:
        regex = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(self.path))
        return re.compile(f"^{regex}$")


def route(
    method: str, path: str, *, signed: bool = False, permission: str | None = None
) -> Callable[[Handler], Handler]:
    """Declare a handler method as serving `method path` (see the module docstring)."""

    def decorate(handler: Handler) -> Handler:
        routes = list(getattr(handler, "_sim_routes", ()))
        routes.append((method.upper(), path, signed, permission))
        handler._sim_routes = routes  # type: ignore[attr-defined]
        return handler

    return decorate


def fmt(value: Decimal | int | float) -> str:
    """An amount as the exchanges print it: plain digits, no exponent."""
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    text = format(number, "f")
    return text


class SimExchange:
    id: ClassVar[str] = ""
    name: ClassVar[str] = ""
    credential_names: ClassVar[tuple[str, ...]] = ("apiKey", "secret")
    unbound_key_lifetime_days: ClassVar[int | None] = None
    """Set by exchanges whose keys expire when bound to no IP address (MEXC, HTX: 90 days);
    the default accounts then give their unbound keys an expiry date."""
    key_lifetime_days: ClassVar[int | None] = None
    """Set by exchanges whose every key expires that many days after its creation (Upbit,
    Bithumb: one year); the default accounts then all get an expiry date."""
    _routes: ClassVar[tuple[Route, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        collected: list[Route] = []
        for attribute, value in inspect.getmembers(cls):
            for method, path, signed, permission in getattr(value, "_sim_routes", ()):
                collected.append(Route(method, path, attribute, signed, permission))
        cls._routes = tuple(collected)

    def __init__(self, state: SimState) -> None:
        self.state = state
        self._compiled = [(r, r.pattern) for r in self._routes]

    # --- to implement ------------------------------------------------------------------

    def api_key_of(self, request: SimRequest) -> str | None:
        raise NotImplementedError

    def authenticate(self, request: SimRequest, account: SimAccount | None) -> None:
        raise NotImplementedError

    def render_error(self, error: SimError) -> web.Response:
        raise NotImplementedError

    # --- defaults, may be overridden -----------------------------------------------------

    @classmethod
    def default_credentials(cls, label: str) -> dict[str, str]:
        digest = hashlib.sha256(f"keydeck-sim/{cls.id}/{label}".encode()).hexdigest()
        credentials = {
            "apiKey": f"demo-{cls.id}-{label}-key",
            "secret": f"demo-{cls.id}-{label}-secret-{digest[:24]}",
        }
        if "password" in cls.credential_names:
            credentials["password"] = f"demo-{cls.id}-{label}-pass"
        return credentials

    def admit(self, request: SimRequest, account: SimAccount | None) -> SimAccount:
        self.authenticate(request, account)
        if account is None:  # authenticate() must have refused it already
            raise SimError(ErrorKind.BAD_KEY)
        self.check_access(request, account)
        return account

    def check_access(self, request: SimRequest, account: SimAccount) -> None:
        faults = self.state.effective_faults(self.id, account)
        if faults.ip_not_allowed or not self.ip_allowed(request, account):
            raise SimError(ErrorKind.IP_NOT_ALLOWED, self.client_ip(request))
        expires_at = account.traits.expires_at
        if faults.expired or (expires_at is not None and expires_at <= datetime.now(UTC)):
            raise SimError(ErrorKind.KEY_EXPIRED)

    # --- helpers -------------------------------------------------------------------------

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        for candidate, pattern in self._compiled:
            if candidate.method != method:
                continue
            found = pattern.match(path)
            if found:
                return candidate, found.groupdict()
        return None

    def handler(self, found: Route) -> Callable[[SimRequest, SimAccount | None], Awaitable[Any]]:
        return getattr(self, found.handler_name)

    def json(
        self, payload: Any, status: int = 200, headers: dict[str, str] | None = None
    ) -> web.Response:
        return web.Response(
            text=json.dumps(payload, separators=(",", ":")),
            status=status,
            content_type="application/json",
            headers=headers,
        )

    def now_ms(self, account: SimAccount | None = None) -> int:
        """The exchange's clock: real time plus the clock-skew fault."""
        skew = self.state.effective_faults(self.id, account).clock_skew_ms
        return self.state.now_ms() + skew

    def check_timestamp(
        self,
        timestamp_ms: int,
        account: SimAccount | None,
        *,
        window_ms: int,
        ahead_ms: int = 1000,
    ) -> None:
        """Refuse a timestamp older than `window_ms` or more than `ahead_ms` in the future."""
        now = self.now_ms(account)
        if timestamp_ms - now > ahead_ms or now - timestamp_ms > window_ms:
            raise SimError(ErrorKind.TIMESTAMP, f"timestamp {timestamp_ms}, server {now}")

    def client_ip(self, request: SimRequest) -> str:
        remote = request.remote
        try:
            loopback = ipaddress.ip_address(remote).is_loopback
        except ValueError:
            loopback = True
        return self.state.client_ip if loopback else remote

    def ip_allowed(self, request: SimRequest, account: SimAccount) -> bool:
        allowlist = account.traits.ip_allowlist
        if not allowlist:
            return True
        address = ipaddress.ip_address(self.client_ip(request))
        for entry in allowlist:
            try:
                if address in ipaddress.ip_network(entry, strict=False):
                    return True
            except ValueError:
                continue
        return False

    @staticmethod
    def hmac_hex(secret: str | bytes, message: str, digest: str = "sha256") -> str:
        key = secret.encode() if isinstance(secret, str) else secret
        return hmac.new(key, message.encode(), digest).hexdigest()

    @staticmethod
    def hmac_b64(secret: str | bytes, message: str, digest: str = "sha256") -> str:
        key = secret.encode() if isinstance(secret, str) else secret
        return base64.b64encode(hmac.new(key, message.encode(), digest).digest()).decode()

    @staticmethod
    def same(expected: str, given: str | None) -> bool:
        """Constant-time comparison of signatures."""
        return given is not None and hmac.compare_digest(expected.encode(), given.encode())
