"""Run by test_crash.py in a subprocess: unlock a keyfile, then crash on purpose.

argv: CONFIG_DIR PASSWORD. The crashing action keeps the password and every credential in
plain local variables and puts a secret in the exception message: the crash report must
show none of them.
"""

from __future__ import annotations

import sys
from typing import Any, ClassVar

from textual.binding import Binding, BindingType
from textual.pilot import Pilot
from textual.widgets import Input

from tui.app import KeydeckApp
from tui.logs import setup_logging
from tui.paths import Locations
from tui.settings import Settings
from tui.vault import KdfParams


class CrashingApp(KeydeckApp):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+t", "crash", "Crash (test only)", show=False, id="test_crash")
    ]

    def action_crash(self) -> None:
        password = sys.argv[2]
        assert self.session is not None
        plain = {
            f"{account.label}.{name}": value.reveal()
            for account in self.session.accounts
            for name, value in account.credentials.items()
        }
        raise RuntimeError(f"forced crash with {plain['main.secret']} and {password}")


async def auto_pilot(pilot: Pilot[Any]) -> None:
    app = pilot.app
    assert isinstance(app, KeydeckApp)
    for _ in range(200):
        await pilot.pause(0.05)
        if app.screen.query("#password"):  # the unlock form, composed
            break
    app.screen.query_one("#password", Input).value = sys.argv[2]
    await pilot.press("enter")
    for _ in range(400):
        await pilot.pause(0.05)
        if app.session is not None and type(app.screen).__name__ == "SessionDashboard":
            break
    await pilot.press("ctrl+t")
    await pilot.pause(1)


def main() -> int:
    locations = Locations.resolve(sys.argv[1])
    setup_logging(locations.log_file)
    app = CrashingApp(
        locations,
        settings=Settings(),
        vault_options={"kdf": KdfParams.insecure_fast()},
        catalog_loader=lambda _cache: [],
    )
    app.run(headless=True, auto_pilot=auto_pilot, size=(100, 30))
    return app.return_code or 0


if __name__ == "__main__":
    raise SystemExit(main())
