"""`keydeck --demo`: the simulator in-process and a throwaway keyfile full of example keys.

`start_demo()` starts the loopback simulator in a background thread, provisions one key per
demo role on it, and writes a keyfile in a temporary directory (or in `--config-dir` when
the user names one) holding those keys with the simulator as their endpoint. The app then
runs against that directory as usual: nothing touches the user's real keyfile.

The roles show every state of the dashboard at once: a healthy key, a key that can withdraw,
a key without an IP allowlist, a key about to expire, a key the exchange rejects, a key
refused for its IP address (OKX names the address it saw; the allowlist the key had when it
last worked is in the keyfile, so the two are compared) and an exchange whose clock is off.
One more simulator key is left out of the keyfile so the user can connect an exchange by
hand.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui.base.demo_dirs import make_demo_dir, remove_demo_dir, remove_stale_demo_dirs
from tui.base.paths import Locations, ensure_private_dir

if TYPE_CHECKING:
    from tui.sim.model import SimAccount
    from tui.sim.thread import SimulatorThread
    from tui.vault import Account, Vault

log = logging.getLogger(__name__)

DEMO_PASSWORD = "demo-keydeck-offline"  # noqa: S105 - printed on screen on purpose
"""The demo keyfile's master password. It guards only the simulator's fake keys."""

DEMO_DRIFT = 0.004
"""Balances and prices move by up to ±0.4 % every couple of seconds, so refreshes show."""

DEMO_REFRESH_S = 5
CLOCK_SKEW_MS = 30_000


@dataclass(frozen=True)
class Role:
    """One demo key: where it lives, what it shows, and how the simulator treats it."""

    exchange: str
    label: str
    shows: str
    permissions: frozenset[str] = frozenset({"read", "spot"})
    allowlisted: bool = True
    allowlist: tuple[str, ...] | None = None
    """An allowlist without this machine's address (the key is refused), remembered as it
    was read a few days ago; None: this machine's address, or none (`allowlisted`)."""
    expires_in: timedelta | None = None
    rejected: bool = False
    faults: dict[str, Any] = field(default_factory=dict)
    balances: dict[str, tuple[str, str]] = field(default_factory=dict)


ROLES: tuple[Role, ...] = (
    Role(
        "binance",
        "main",
        "a healthy key: read + spot trade, IP allowlist",
        balances={
            "BTC": ("0.42", "0.08"),
            "ETH": ("3.1", "0.9"),
            "USDT": ("18250.75", "1200"),
            "SOL": ("55", "0"),
            "XRP": ("1.5", "0"),
            "NOPX": ("1000", "0"),
        },
    ),
    Role(
        "okx",
        "bot",
        "a key that can withdraw funds (critical)",
        permissions=frozenset({"read", "spot", "withdraw"}),
        balances={"USDT": ("4200", "300"), "BTC": ("0.05", "0"), "ETH": ("1.2", "0")},
    ),
    Role(
        "kucoin",
        "desk",
        "a key without an IP allowlist",
        allowlisted=False,
        balances={"SOL": ("120", "15"), "USDT": ("950", "0"), "USDC": ("0.35", "0")},
    ),
    Role(
        "bybit",
        "swing",
        "a key that expires in a few days",
        expires_in=timedelta(days=4, hours=6),
        balances={"ETH": ("2.4", "0.4"), "USDT": ("3100", "450"), "BTC": ("0.015", "0")},
    ),
    Role(
        "coinbase",
        "main",
        "a healthy key: view + trade",
        balances={"BTC": ("0.21", "0"), "ETH": ("1.05", "0"), "USDC": ("2600", "0")},
    ),
    Role(
        "kraken",
        "legacy",
        "a key the exchange rejects (wrong secret)",
        rejected=True,
        balances={"BTC": ("0.3", "0"), "USDT": ("500", "0")},
    ),
    Role(
        "okx",
        "vps",
        "a key refused for its IP address: OKX names the address it saw",
        allowlist=("198.51.100.2", "203.0.113.0/29"),
        balances={"USDT": ("900", "0"), "ETH": ("0.4", "0")},
    ),
    Role(
        "gate",
        "spot",
        f"an exchange whose clock is {CLOCK_SKEW_MS // 1000} s ahead",
        faults={"clock_skew_ms": CLOCK_SKEW_MS},
        balances={"USDT": ("1500", "0"), "SOL": ("10", "0")},
    ),
    Role(
        "mexc",
        "grid",
        "a key that can withdraw, from any IP address (critical); MEXC expires such keys "
        "90 days after they are made",
        permissions=frozenset({"read", "spot", "withdraw"}),
        allowlisted=False,
        expires_in=timedelta(days=50, hours=6),  # made 40 days ago, as MEXC counts 90
        balances={"USDT": ("2750", "250"), "ETH": ("0.6", "0")},
    ),
    Role(
        "htx",
        "hodl",
        "a key that expires in ten days",
        expires_in=timedelta(days=10, hours=6),
        balances={"BTC": ("0.12", "0"), "USDT": ("640", "0")},
    ),
    Role(
        "bingx",
        "copy",
        "a read-only key",
        permissions=frozenset({"read"}),
        balances={"USDT": ("1800", "0"), "SOL": ("6", "0")},
    ),
)

HAND_EXCHANGE = "bitget"
HAND_LABEL = "main"
"""The simulator key the user can connect by hand (a default simulator account)."""


@dataclass(frozen=True)
class HandCredentials:
    exchange: str
    label: str
    credentials: dict[str, str]
    endpoint: str

    def lines(self) -> list[str]:
        names = {"apiKey": "API key", "secret": "Secret", "password": "Passphrase"}
        out = [f"{self.exchange} ({self.label}):"]
        out += [f"  {names.get(k, k)}: {v}" for k, v in self.credentials.items()]
        out.append(f"  Endpoint (advanced): {self.endpoint}")
        return out


@dataclass
class DemoSession:
    """A running demo: its config directory, simulator and the notice the screens show."""

    locations: Locations
    simulator: SimulatorThread
    password: str
    hand: HandCredentials | None
    roles: tuple[Role, ...]
    _temp_dir: Path | None = None

    @property
    def throwaway(self) -> bool:
        return self._temp_dir is not None

    @property
    def crash_dir(self) -> Path:
        """Crash reports: the user's state directory for a throwaway demo (its own directory
        is removed at the end), else the named directory's."""
        return (Locations.resolve() if self.throwaway else self.locations).crash_dir

    def notice(self) -> str:
        """Two lines for the screens: the password, and a key to connect by hand."""
        # Short: it is also the header's subtitle, which must not be cut at 80 columns.
        lines = [f"Demo · keyfile password: {self.password}"]
        if self.hand is not None:
            creds = self.hand.credentials
            names = {"apiKey": "key", "secret": "secret", "password": "passphrase"}
            fields = " · ".join(f"{names.get(k, k)} {v}" for k, v in creds.items())
            lines.append(
                f"Connect {self.hand.exchange} by hand (c): {fields} · "
                f"endpoint (advanced) {self.hand.endpoint}"
            )
        return "\n".join(lines)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.simulator.stop()
        if self._temp_dir is not None:
            remove_demo_dir(self._temp_dir)
            self._temp_dir = None


def start_demo(
    config_dir: str | Path | None = None,
    *,
    drift: float = DEMO_DRIFT,
    drift_interval: float = 2.0,
    kdf: Any | None = None,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
    port: int = 0,
) -> DemoSession:
    """Start the simulator and prepare a keyfile for it; the caller runs the app, then `close()`.

    With `config_dir` None a temporary directory is used and removed by `close()` (and those
    that crashed demos left are removed first: tui/base/demo_dirs.py). A named
    directory keeps the demo keyfile between runs (its endpoints are re-pointed at the new
    simulator); a directory that already holds a keyfile which the demo password does not
    open is refused with `DemoError`.
    """
    from tui.sim import Scenario, Simulator

    temp_dir: Path | None = None
    if config_dir is None:
        remove_stale_demo_dirs()
        temp_dir = config_dir = make_demo_dir()
    locations = Locations.resolve(str(config_dir))
    ensure_private_dir(locations.config_dir)
    simulator = Simulator.start_in_thread(
        Scenario(defaults=True), port=port, drift=drift, drift_interval=drift_interval
    )
    try:
        available = set(simulator.simulator.exchanges)
        roles = tuple(role for role in ROLES if role.exchange in available)
        for role in roles:
            _provision(simulator, _sim_account(role, simulator, now()))
        for role in roles:
            if role.faults:
                simulator.simulator.set_faults(role.exchange, **role.faults)
        _prepare_keyfile(locations, simulator, roles, kdf)
        _write_demo_settings(locations)
        hand = _hand_credentials(simulator, available)
    except BaseException:
        simulator.stop()
        if temp_dir is not None:
            remove_demo_dir(temp_dir)
        raise
    return DemoSession(locations, simulator, DEMO_PASSWORD, hand, roles, temp_dir)


class DemoError(RuntimeError):
    """The demo cannot use the directory it was given."""


# --- the simulator side ---------------------------------------------------------------------


def _credentials(exchange: str, label: str) -> dict[str, str]:
    from tui.sim import exchanges as registry

    return registry.get(exchange).default_credentials(label)


def _sim_account(role: Role, simulator: SimulatorThread, now: datetime) -> SimAccount:
    from tui.sim.model import Balance, SimAccount, Traits

    client_ip = simulator.simulator.state.client_ip
    traits = Traits(
        permissions=role.permissions,
        ip_allowlist=(
            role.allowlist
            if role.allowlist is not None
            else ((client_ip,) if role.allowlisted else ())
        ),
        created_at=(now - timedelta(days=40)).replace(microsecond=0),
        expires_at=(now + role.expires_in).replace(microsecond=0) if role.expires_in else None,
        balances={
            asset: Balance(Decimal(free), Decimal(used))
            for asset, (free, used) in role.balances.items()
        },
    )
    return SimAccount(role.exchange, role.label, _credentials(role.exchange, role.label), traits)


def _provision(simulator: SimulatorThread, account: SimAccount) -> None:
    """Add the key, or give a default simulator key of the same label the role's traits."""
    try:
        existing = simulator.simulator.account(account.exchange, account.label)
    except KeyError:
        simulator.simulator.add_account(account)
        return
    existing.traits = account.traits


def _hand_credentials(simulator: SimulatorThread, available: set[str]) -> HandCredentials | None:
    if HAND_EXCHANGE not in available:
        return None
    account = simulator.simulator.account(HAND_EXCHANGE, HAND_LABEL)
    return HandCredentials(
        HAND_EXCHANGE,
        HAND_LABEL,
        dict(account.credentials),
        simulator.endpoint(HAND_EXCHANGE),
    )


# --- the keyfile side ------------------------------------------------------------------------


def demo_accounts(simulator: SimulatorThread, roles: tuple[Role, ...]) -> list[Account]:
    """The vault accounts for the roles, pointing at the simulator."""
    from tui.connect.allowlist import NOTE, Remembered
    from tui.vault import Account

    read_on = datetime.now(UTC).date() - timedelta(days=5)
    accounts = []
    for role in roles:
        credentials = _credentials(role.exchange, role.label)
        if role.rejected:
            # A well-formed secret of another key: the exchange refuses the signature.
            credentials["secret"] = _credentials(role.exchange, f"{role.label}-revoked")["secret"]
        accounts.append(
            Account(
                exchange=role.exchange,
                label=role.label,
                credentials=credentials,
                endpoint=simulator.endpoint(role.exchange),
                notes=(
                    {NOTE: Remembered(role.allowlist, True, True, read_on).to_note()}
                    if role.allowlist
                    else {}
                ),
            )
        )
    return accounts


def _prepare_keyfile(
    locations: Locations, simulator: SimulatorThread, roles: tuple[Role, ...], kdf: Any | None
) -> None:
    from tui.vault import Vault, WrongPassword

    options = {"kdf": kdf} if kdf is not None else {}
    if not locations.keyfile.exists():
        with Vault.create(locations.keyfile, DEMO_PASSWORD, **options) as vault:
            for account in demo_accounts(simulator, roles):
                vault.add(account)
            vault.save()
        return
    try:
        vault = Vault.open(locations.keyfile, DEMO_PASSWORD, **options)
    except WrongPassword as error:
        raise DemoError(
            f"{locations.keyfile} already holds a keyfile that is not a demo keyfile. "
            "Run the demo without --config-dir, or name an empty directory."
        ) from error
    with vault:
        _repoint(vault, simulator)
        vault.save()


def _repoint(vault: Vault, simulator: SimulatorThread) -> None:
    """A kept demo keyfile points at the last run's simulator port: move it to this one."""
    for account in vault.accounts:
        endpoint = account.endpoint or ""
        if endpoint.startswith("http://127.0.0.1:") and account.exchange in (
            simulator.simulator.exchanges
        ):
            vault.update(account.replace(endpoint=simulator.endpoint(account.exchange)))


def _write_demo_settings(locations: Locations) -> None:
    """A shorter refresh so the drifting balances visibly move; kept if the user has settings."""
    from tui.base.settings import Settings, save_settings

    if not locations.settings.exists():
        save_settings(Settings(refresh_interval_s=DEMO_REFRESH_S), locations.settings)
