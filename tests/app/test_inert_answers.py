"""An exchange's answer cannot drive the terminal from inside the app: an OSC title sequence
and cursor moves in an asset name or a key's name show as visible text on every pane, and
never reach the screen's output or keydeck.log as control characters."""

from __future__ import annotations

from typing import Any

from tests.app.conftest import SIZE, AppFactory, make_keyfile, sim_account
from tests.app.helpers import unlock, wait_for
from tui.base.paths import Locations
from tui.sim import Simulator
from tui.sim.scenario import Scenario

OSC_TITLE = "\u001b]0;pwned\u0007"
ERASER = "\u001b[2J\u001b[H"
SCENARIO = {
    "accounts": [
        {
            "exchange": "okx",
            "label": "hostile",
            "permissions": ["read", "spot"],
            "balances": {f"{OSC_TITLE}T": "5", f"{ERASER}E": "3", "USDT": "10"},
            "key_name": f"{OSC_TITLE}name",
        }
    ]
}


def _screen_text(app: Any) -> str:
    return "\n".join(
        "".join(segment.text for segment in line)
        for line in app.screen._compositor.render_update(full=True).strips
    )


async def test_an_osc_sequence_never_reaches_the_screen(
    make_app: AppFactory, locations: Locations, fast_kdf: dict[str, Any]
) -> None:
    async with Simulator(Scenario.from_dict(SCENARIO)) as sim:
        make_keyfile(locations, fast_kdf, [sim_account(sim, "okx", "hostile")])
        app = make_app()
        async with app.run_test(size=SIZE) as pilot:
            await unlock(pilot, to_list=False)
            await wait_for(pilot, lambda: len(app.session.reports) == 1, limit=20)
            await pilot.pause(0.3)
            report = next(iter(app.session.reports.values()))
            assert report.ok, report.problem
            shown = _screen_text(app)
            assets = {row.asset.lower() for row in report.balances.assets}  # OKX upper-cases
            assert "\\x1b]0;pwned\\x07t" in assets and "\\x1b[2j\\x1b[he" in assets
            assert "\\x1b]0;pwned" in shown.lower()  # shown, as text
            assert "\u001b" not in shown and "\u0007" not in shown
            assert "\u001b" not in (report.permissions.label or "")
            assert app.is_running
    log_text = locations.log_file.read_text() if locations.log_file.exists() else ""
    assert "\u001b" not in log_text and "\u0007" not in log_text
