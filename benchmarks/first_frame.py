"""Time to first frame of `keydeck` (its unlock screen) against a minimal Textual app.

Both run in a real pseudo-terminal (120x36, xterm-256color) through `ptyrun.time_to_text`,
from process spawn until the marker text reaches the terminal: "Unlock Keydeck" for
Keydeck (with a temp KEYDECK_CONFIG_DIR holding a keyfile, so the unlock screen is what it
shows), "BENCH-READY" for `benchmarks/minimal_app.py`. Runs alternate so neighbours' load
hits both alike. Both pay the Python start-up and Textual's import; the ratio is what
Keydeck adds on top.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from benchmarks.core import Result, RunOptions, Target, median
from benchmarks.ptyrun import time_to_text

TARGET = Target(1.25)
UNLOCK_MARKER = "Unlock Keydeck"
MINIMAL_MARKER = "BENCH-READY"
MINIMAL_APP = Path(__file__).with_name("minimal_app.py")


def keydeck_command() -> list[str]:
    """The installed `keydeck` script beside this Python, else `python -m tui`."""
    script = Path(sys.executable).with_name("keydeck")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "tui"]


def make_config_dir(folder: Path) -> Path:
    """A config dir holding a keyfile (cheap KDF: the first frame comes before any KDF)."""
    from tui.base.paths import Locations, ensure_private_dir
    from tui.vault import KdfParams, Vault

    locations = Locations.resolve(str(folder / "config"))
    ensure_private_dir(locations.config_dir)
    Vault.create(locations.keyfile, "benchmark-password", kdf=KdfParams.insecure_fast()).close()
    return locations.config_dir


def run(options: RunOptions) -> list[Result]:
    keydeck: list[float] = []
    minimal: list[float] = []
    with tempfile.TemporaryDirectory(prefix="keydeck-bench-") as folder:
        config_dir = make_config_dir(Path(folder))
        env = {"KEYDECK_CONFIG_DIR": str(config_dir)}
        command = keydeck_command()
        minimal_command = [sys.executable, str(MINIMAL_APP)]
        # One of each untimed: fills the OS page cache and writes the bytecode caches.
        time_to_text(command, UNLOCK_MARKER, env=env)
        time_to_text(minimal_command, MINIMAL_MARKER)
        for index in range(options.repeats):
            order = ("keydeck", "minimal") if index % 2 == 0 else ("minimal", "keydeck")
            for which in order:
                if which == "keydeck":
                    keydeck.append(time_to_text(command, UNLOCK_MARKER, env=env).seconds)
                else:
                    minimal.append(time_to_text(minimal_command, MINIMAL_MARKER).seconds)
    return [
        Result(
            name="first frame (unlock screen)",
            measured=median(keydeck),
            reference=median(minimal),
            unit="s",
            target=TARGET,
            note=f"{' '.join(os.path.basename(c) for c in command)} in a pty; "
            "reference: benchmarks/minimal_app.py",
            samples=tuple(keydeck),
            reference_samples=tuple(minimal),
        )
    ]
