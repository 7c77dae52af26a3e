"""The import-linter contracts catch every layer violation they exist for.

A copy of the package is linted with one planted import at a time; each plant must break a
contract, and the unplanted copy must keep them all. A contract that is narrowed by mistake
(a module dropped from a list, `allow_indirect_imports` where it should not be) fails here.
One child process lints every plant, so the graph library loads once.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# (file in tui/ to plant into, the line planted): each one a violation of docs/architecture.md.
PLANTS: list[tuple[str, str]] = [
    # Screens, dashboard and widgets: no keyfile internals, no Connector, no ccxt.
    ("ui/screens/help.py", "from tui.vault import Vault"),
    ("ui/screens/help.py", "from tui.vault.vault import Vault"),
    ("ui/screens/help.py", "from tui.vault.saving import write_atomic"),
    ("ui/screens/help.py", "from tui.connect import Connector"),
    ("ui/screens/help.py", "from tui.connect.service import Connector"),
    ("ui/screens/help.py", "import ccxt"),
    ("ui/screens/help.py", "import ccxt.async_support"),
    ("ui/dashboard/screen.py", "from tui.vault import Vault"),
    ("ui/dashboard/model.py", "from tui.connect.service import Connector"),
    ("ui/dashboard/status_pane.py", "import ccxt"),
    ("ui/widgets/states.py", "from tui.vault import Vault"),
    ("ui/widgets/states.py", "from tui.connect import Connector"),
    ("ui/widgets/states.py", "import ccxt"),
    ("ui/app.py", "from tui.vault.vault import Vault"),
    ("ui/navigator.py", "import ccxt"),
    ("ui/lifecycle.py", "from tui.connect.service import Connector"),
    ("ui/messages.py", "from tui.connect.service import Connector"),
    # A widget never imports a screen (nor the dashboard, nor the app).
    ("ui/widgets/states.py", "from tui.ui.screens.help import HelpScreen"),
    ("ui/widgets/summaries.py", "from tui.ui.dashboard.screen import DashboardScreen"),
    ("ui/widgets/states.py", "from tui.ui.app import KeydeckApp"),
    # Screens never import the app.
    ("ui/screens/help.py", "from tui.ui.app import KeydeckApp"),
    # No headless module imports Textual.
    ("watch/events.py", "import textual"),
    ("watch/runner.py", "from textual.app import App"),
    ("core/history/store.py", "from textual.widget import Widget"),
    ("core/rotation.py", "import textual"),
    ("core/idle.py", "from textual.timer import Timer"),
    ("core/session.py", "import textual"),
    ("core/keyfile_access.py", "import textual"),
    ("core/exchange_catalog.py", "import textual"),
    ("connect/models.py", "import textual"),
    ("vault/account.py", "import textual"),
    ("keys_io/plan.py", "import textual"),
    ("commands/check.py", "import textual"),
    ("commands/watch.py", "from textual.app import App"),
    ("commands/preamble.py", "import textual"),
    ("base/paths.py", "import textual"),
    ("base/redact.py", "import textual"),
    ("base/termination.py", "import textual"),
    ("ui/demo.py", "from textual.app import App"),
    # ...nor a UI module, which would bring Textual with it.
    ("core/session.py", "from tui.ui.screens.help import HelpScreen"),
    ("watch/events.py", "from tui.ui.dashboard.model import DashboardModel"),
    ("commands/check.py", "from tui.ui.widgets.states import STATES"),
    # The connector never imports the Session or the keyfile class.
    ("connect/service.py", "from tui.core.session import Session"),
    ("connect/models.py", "from tui.core.session import Session"),
    ("connect/service.py", "from tui.vault import Vault"),
    ("connect/service.py", "from tui.vault.vault import Vault"),
    ("connect/health.py", "from tui.core.keyfile_access import KeyfileAccess"),
    # The keyfile never imports the connector, the Session or ccxt.
    ("vault/vault.py", "import ccxt"),
    ("vault/account.py", "from tui.connect.models import Permissions"),
    ("vault/vault.py", "from tui.core.session import Session"),
    # The Session never imports the commands or the UI; engines never import commands.
    ("core/session.py", "from tui.commands.check import run"),
    ("watch/events.py", "from tui.commands.watch import run"),
    ("keys_io/plan.py", "from tui.cli import main"),
    # The simulator imports nothing else of Keydeck.
    ("sim/server.py", "from tui.base.redact import scrub"),
    ("sim/server.py", "from tui.base.inert import inert"),
    ("sim/server.py", "from tui.base.paths import Locations"),
    ("sim/exchanges/binance.py", "from tui.connect.models import Permissions"),
    ("sim/model.py", "from tui.vault import Account"),
    ("sim/state.py", "import tui.core.session"),
    # Inside the core and the base, the lower modules never import the higher.
    ("core/session.py", "from tui.core.rotation import check_revoked"),
    ("core/history/model.py", "from tui.core.session import Session"),
    ("base/inert.py", "from tui.base.redact import scrub"),
    ("base/paths.py", "from tui.base.logs import start_logging"),
    # A new module directly under tui/, tui/ui, tui/core or tui/base must be given its layer.
    ("unplaced_module.py", "import os"),
    ("ui/unplaced_module.py", "import os"),
    ("core/unplaced_module.py", "import os"),
    ("base/unplaced_module.py", "import os"),
]

_DRIVER = r"""
import importlib.util, json, sys
from pathlib import Path
from importlinter import configuration
from importlinter.application import use_cases

configuration.configure()
use_cases._register_built_in_contract_types()  # what `lint-imports` does first

assert Path(importlib.util.find_spec("tui").origin).resolve().is_relative_to(Path.cwd().resolve())
options = use_cases.read_user_options("pyproject.toml")

def broken():
    report = use_cases.create_report(options, cache_dir=None)
    return sorted(c.name for c, check in report.get_contracts_and_checks() if not check.kept)

results = {"unplanted": broken(), "plants": []}
for relative, line in json.loads(sys.argv[1]):
    path = Path("tui", relative)
    before = path.read_text(encoding="utf-8") if path.exists() else None
    path.write_text((before or "") + "\n" + line + "\n", encoding="utf-8")
    try:
        results["plants"].append(broken())
    finally:
        if before is None:
            path.unlink()
        else:
            path.write_text(before, encoding="utf-8")
print(json.dumps(results))
"""


def test_every_planted_violation_breaks_a_contract(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "tui", tmp_path / "tui", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    done = subprocess.run(
        [sys.executable, "-c", _DRIVER, json.dumps(PLANTS)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout)
    assert results["unplanted"] == [], "the unplanted package breaks contracts"
    planted = zip(PLANTS, results["plants"], strict=True)
    missed = [f"{file}: {line}" for (file, line), broken in planted if not broken]
    assert not missed, "violations that lint-imports lets through:\n" + "\n".join(missed)


def test_every_headless_command_is_in_the_no_textual_contract() -> None:
    """A new command module is headless unless it is the app's; the contract must name it."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    name = "No headless module imports Textual or a UI module"
    headless = next(c for c in contracts if c["name"] == name)
    commands = {
        f"tui.commands.{path.stem}"
        for path in (ROOT / "tui" / "commands").glob("*.py")
        if path.stem not in ("__init__", "app")
    }
    assert commands <= set(headless["source_modules"])
