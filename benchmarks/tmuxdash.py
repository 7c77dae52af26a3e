"""Keydeck and its anchor app in tmux (160x48), for the benchmarks that compare the two."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from benchmarks.first_frame import keydeck_command
from benchmarks.simproc import vault_accounts
from benchmarks.tmuxrun import TmuxApp

PASSWORD = "benchmark-tmux-42"  # noqa: S105 - a throwaway keyfile
ANCHOR_APP = Path(__file__).with_name("anchor_app.py")


def keyfile(folder: Path, description: dict[str, Any], refresh_s: int) -> Path:
    """A config dir: a keyfile (cheap KDF) of the simulator's accounts, and settings with
    `refresh_s` between rounds and the idle lock off."""
    from tui.base.paths import Locations, ensure_private_dir
    from tui.vault import KdfParams, Vault

    locations = Locations.resolve(str(folder / "config"))
    ensure_private_dir(locations.config_dir)
    with Vault.create(locations.keyfile, PASSWORD, kdf=KdfParams.insecure_fast()) as vault:
        for account in vault_accounts(description["accounts"]):
            vault.add(account)
        vault.save()
    locations.settings.write_text(
        f"refresh_interval_s = {refresh_s}\nidle_lock_minutes = 0\n", encoding="utf-8"
    )
    return locations.config_dir


@contextmanager
def keydeck(config_dir: Path, accounts: int) -> Iterator[TmuxApp]:
    """`keydeck` unlocked on its dashboard, once its first round has answered every account."""
    with TmuxApp(keydeck_command(), env={"KEYDECK_CONFIG_DIR": str(config_dir)}) as app:
        app.wait_screen("Unlock Keydeck")
        app.text(PASSWORD)
        app.key("Enter")
        app.wait_screen("Balances · all accounts · $", timeout_s=120)
        app.wait_screen(f"{accounts} ok", timeout_s=120)
        yield app


@contextmanager
def anchor(accounts: int) -> Iterator[TmuxApp]:
    with TmuxApp([sys.executable, str(ANCHOR_APP), str(accounts)]) as app:
        app.wait_screen("Balances · all accounts")
        yield app
