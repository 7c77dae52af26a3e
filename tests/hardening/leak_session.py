"""A scripted Keydeck session for the secret-leak scan (run by test_secret_leaks.py).

    python -m tests.hardening.leak_session CONFIG_DIR SCREENSHOT_DIR   (password in $LEAK_MASTER)

The real app (KeydeckApp with the dashboard as home, as `keydeck` runs it) against the
simulator: create the keyfile, add keys through the key form (one rejected: a forced
error), add more straight into the vault (one with a wrong secret, one unreachable),
refresh, take screenshots along the way, then crash on purpose with every secret in local
variables and in the exception message. The crash report goes to a file in the config dir's
state/crashes and a short message to stderr, which the test captures and scans with the
config dir, the log and the screenshots.

Nothing here prints a secret: this process's own output is part of what is scanned.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

from textual.binding import Binding, BindingType
from textual.pilot import Pilot
from textual.widgets import Input

from tui.app import KeydeckApp
from tui.logs import setup_logging
from tui.paths import Locations
from tui.settings import Settings
from tui.sim import Simulator
from tui.vault import Account, KdfParams

MASTER_ENV = "LEAK_MASTER"
SIZE = (120, 40)
# (exchange, the sim's label whose credentials are used, the label in the keyfile, change)
UI_KEYS = (("binance", "main"), ("okx", "main"))
REJECTED_UI_KEY = ("kraken", "main")  # entered with the "risky" key's secret: rejected
VAULT_KEYS = (("coinbase", "main"), ("gate", "main"), ("bybit", "main"), ("kucoin", "odd"))
# A key whose secret and passphrase hold what escapes differently in JSON, URLs and repr.
ODD_CREDENTIALS = {
    "apiKey": "demo-kucoin-odd-key-83e1",
    "secret": 'odd"se\\cret%41+ünïcode-7f3a91c2d4',
    "password": 'pa"ss\\phrase%2B+ä✓-55214c',
}
WRONG_SECRET_KEY = ("bybit", "main")  # stored with the "risky" key's secret
UNREACHABLE_KEY = ("gate", "main")
UNREACHABLE_ENDPOINT = "http://127.0.0.1:9"


def session_credentials() -> list[dict[str, str]]:
    """Every credential set the session types or stores (the simulator's are deterministic)."""
    simulator = Simulator()
    add_odd_key(simulator)
    used = {*UI_KEYS, REJECTED_UI_KEY, *VAULT_KEYS}
    sets = [dict(simulator.account(e, label).credentials) for e, label in sorted(used)]
    sets += [dict(simulator.account(e, "risky").credentials) for e in ("kraken", "bybit")]
    return sets


def add_odd_key(simulator: Simulator) -> None:
    from tui.sim.model import SimAccount

    simulator.add_account(SimAccount("kucoin", "odd", dict(ODD_CREDENTIALS)))


class CrashingKeydeck(KeydeckApp):
    """The real app plus one hidden key that crashes it with secrets all around."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+t", "crash", "Crash (test only)", show=False, id="leak_crash")
    ]

    def action_crash(self) -> None:
        master = os.environ[MASTER_ENV]
        assert self.session is not None
        plain = {
            f"{account.exchange}.{account.label}.{name}": value.reveal()
            for account in self.session.accounts
            for name, value in account.credentials.items()
        }
        secret = next(v for k, v in plain.items() if k.endswith(".secret"))
        raise RuntimeError(f"forced crash holding {secret} and {master} ({len(plain)} values)")


async def _wait(
    pilot: Pilot[Any], ready: Callable[[], object], what: str, limit: float = 30
) -> None:
    deadline = time.monotonic() + limit
    while not ready():
        if time.monotonic() > deadline:
            raise SystemExit(f"leak session: timed out waiting for {what}")
        await pilot.pause(0.05)


def _screen(pilot: Pilot[Any]) -> str:
    return type(pilot.app.screen).__name__


class Session:
    def __init__(self, sim: Any, shots: Path) -> None:
        self.sim = sim
        self.shots = shots
        self.count = 0

    def shoot(self, app: KeydeckApp, name: str) -> None:
        self.count += 1
        app.save_screenshot(f"{self.count:02d}-{name}.svg", str(self.shots))

    def account(self, exchange: str, label: str, **changes: Any) -> Account:
        provisioned = self.sim.account(exchange, label)
        fields: dict[str, Any] = {
            "exchange": exchange,
            "label": label,
            "credentials": dict(provisioned.credentials),
            "endpoint": self.sim.endpoint(exchange),
        }
        fields.update(changes)
        return Account(**fields)

    async def enter_key(
        self, pilot: Pilot[Any], exchange: str, credentials: dict[str, str], label: str
    ) -> None:
        app = pilot.app
        assert isinstance(app, KeydeckApp)
        app.action_connect(exchange)
        await _wait(
            pilot,
            lambda: _screen(pilot) == "KeyEntryScreen" and app.screen.query("#endpoint"),
            "the key form",
        )
        form = app.screen
        form.query_one("#label", Input).value = label
        for name, value in credentials.items():
            field = form.query_one(f"#cred-{name}")
            if isinstance(field, Input):
                field.value = value
            else:
                field.text = value  # type: ignore[attr-defined]
        form.query_one("#endpoint", Input).value = self.sim.endpoint(exchange)
        await pilot.pause()
        self.shoot(app, f"key-form-{exchange}")
        await pilot.press("ctrl+s")

    async def run(self, pilot: Pilot[Any]) -> None:
        app = pilot.app
        assert isinstance(app, KeydeckApp)
        master = os.environ[MASTER_ENV]
        # 1. create the keyfile
        await _wait(  # the entry screen is the first screen: wait for its fields too
            pilot,
            lambda: _screen(pilot) == "CreateKeyfileScreen" and app.screen.query("#password"),
            "the create screen",
        )
        app.screen.query_one("#password", Input).value = master
        confirm = app.screen.query_one("#confirm", Input)
        confirm.value = master
        self.shoot(app, "create")
        confirm.focus()
        await pilot.press("enter")
        await _wait(pilot, lambda: app.session is not None, "the new keyfile")
        await _wait(pilot, lambda: app.catalog.loaded, "the exchange catalog", limit=60)
        self.shoot(app, "created")
        # 2. keys through the form: verified and saved
        for exchange, label in UI_KEYS:
            credentials = dict(self.sim.account(exchange, label).credentials)
            await self.enter_key(pilot, exchange, credentials, label)
            await _wait(pilot, lambda: _screen(pilot) == "FindingsScreen", f"{exchange} verified")
            self.shoot(app, f"findings-{exchange}")
            await pilot.press("escape")
            await _wait(pilot, lambda: _screen(pilot) != "FindingsScreen", "findings closed")
        # 3. a forced error in the form: a key the exchange rejects
        exchange, label = REJECTED_UI_KEY
        credentials = dict(self.sim.account(exchange, label).credentials)
        credentials["secret"] = self.sim.account(exchange, "risky").credentials["secret"]
        await self.enter_key(pilot, exchange, credentials, label)
        await _wait(
            pilot, lambda: app.screen.query_one("#problem").display, "the rejection", limit=45
        )
        self.shoot(app, f"rejected-{exchange}")
        await pilot.press("escape")  # a typed key: the form asks before discarding it
        await _wait(pilot, lambda: _screen(pilot) == "ConfirmScreen", "the discard question")
        app.screen.query_one("#confirm").press()  # type: ignore[attr-defined]
        await _wait(pilot, lambda: _screen(pilot) != "KeyEntryScreen", "the form closed")
        # 4. more keys straight into the keyfile: one good, one wrong secret, one unreachable
        session = app.session
        assert session is not None
        for exchange, label in VAULT_KEYS:
            changes: dict[str, Any] = {}
            if (exchange, label) == WRONG_SECRET_KEY:
                wrong = dict(self.sim.account(exchange, label).credentials)
                wrong["secret"] = self.sim.account(exchange, "risky").credentials["secret"]
                changes["credentials"] = wrong
            if (exchange, label) == UNREACHABLE_KEY:
                changes["endpoint"] = UNREACHABLE_ENDPOINT
            session.save_account(self.account(exchange, label, **changes))
        # 5. the dashboard follows the keyfile and checks every account: wait for them all
        total = len(session.accounts)
        await _wait(pilot, lambda: len(session.reports) >= total, "every account checked", limit=90)
        await pilot.pause(0.5)
        self.shoot(app, _screen(pilot))
        if _screen(pilot) == "ExchangeListScreen":
            await pilot.press("escape")  # back to the dashboard, the home screen
            await pilot.pause(1.0)
            self.shoot(app, _screen(pilot))
        # 6. crash with every secret in reach
        await pilot.press("ctrl+t")
        await pilot.pause(1)


def main(argv: list[str]) -> int:
    config_dir, shots = Path(argv[0]), Path(argv[1])
    shots.mkdir(parents=True, exist_ok=True)
    locations = Locations.resolve(str(config_dir))
    setup_logging(locations.log_file)
    from tui.connect import Connector

    with Simulator.start_in_thread() as sim:
        add_odd_key(sim.simulator)
        session = Session(sim.simulator, shots)
        app = CrashingKeydeck(
            locations,
            settings=Settings(),
            vault_options={"kdf": KdfParams.insecure_fast()},
            connector_factory=lambda: Connector(cache_dir=locations.cache_dir, timeout_s=5),
        )
        app.run(headless=True, auto_pilot=session.run, size=SIZE)
    print(f"leak session: {session.count} screenshots, exit code {app.return_code}")
    return app.return_code or 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
