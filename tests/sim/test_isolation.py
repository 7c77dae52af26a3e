"""The simulator stands alone: no ccxt, no Textual, nothing from Keydeck's other layers."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

PROBE = """
import sys
import tui.sim, tui.sim.__main__
from tui.sim.exchanges import load_all
from tui.sim import Simulator
Simulator()
assert len(load_all()) >= 4
banned = ("ccxt", "textual", "tui.connect", "tui.vault", "tui.ui.app", "tui.ui.screens")
loaded = sorted(m for m in sys.modules if m.split(".")[0] in banned or m.startswith(banned))
print(",".join(loaded))
"""


def test_simulator_imports_no_ccxt_textual_or_keydeck_layers() -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""
