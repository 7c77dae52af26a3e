"""Run by test_crash.py in a real terminal: Keydeck with one more key, ctrl+t, that crashes.

argv: CONFIG_DIR PASSWORD, or `--demo` (the demo's throwaway directory and crash place).
The crashing action keeps the password and every credential in plain local variables and
puts a secret in the exception message: the crash report must show none of them. The app
runs as `keydeck` runs it (tui/lifecycle.py); only the key is added.
"""

from __future__ import annotations

import sys
from typing import ClassVar

from textual.binding import Binding, BindingType

from tui.app import KeydeckApp
from tui.lifecycle import run_until_exit
from tui.logs import setup_logging
from tui.paths import Locations
from tui.settings import Settings
from tui.vault import KdfParams


class CrashingApp(KeydeckApp):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+t", "crash", "Crash (test only)", show=False, id="test_crash")
    ]
    password = ""

    def action_crash(self) -> None:
        assert self.session is not None
        plain = {
            f"{account.label}.{name}": value.reveal()
            for account in self.session.accounts
            for name, value in account.credentials.items()
        }
        secret = next(v for k, v in plain.items() if k.endswith(".secret"))
        raise RuntimeError(f"forced crash with {secret} and {self.password}")


def build(locations: Locations, password: str, **options: object) -> CrashingApp:
    setup_logging(locations.log_file)
    app = CrashingApp(
        locations,
        settings=Settings(),
        vault_options={"kdf": KdfParams.insecure_fast()},
        catalog_loader=lambda _cache: [],
        **options,  # type: ignore[arg-type]
    )
    app.password = password
    return app


def main() -> int:
    if sys.argv[1] != "--demo":
        return run_until_exit(build(Locations.resolve(sys.argv[1]), sys.argv[2]))
    from tui.demo import start_demo

    demo = start_demo(drift=0.0, kdf=KdfParams.insecure_fast())
    try:
        app = build(demo.locations, demo.password, notice=demo.notice(), crash_dir=demo.crash_dir)
        return run_until_exit(app)
    finally:
        demo.close()


if __name__ == "__main__":
    raise SystemExit(main())
