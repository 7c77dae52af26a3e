"""Labels are text, never markup: `[/]`, `[@click=app.quit]x` and `[bold]` go through every
screen that shows a label (tables, banner, toasts, dialogs) as the characters typed."""

from __future__ import annotations

from typing import Any

import pytest

from tests.app.conftest import SIZE, AppFactory, make_keyfile, sim_account
from tests.app.helpers import screen_name, unlock, wait_for
from tui.base.paths import Locations

LABELS = ["[/]", "[@click=app.quit]x", "[bold]"]


def screen_text(app: Any) -> str:
    """Everything the terminal shows now, as plain text."""
    return "\n".join(
        "".join(segment.text for segment in line)
        for line in app.screen._compositor.render_update(full=True).strips
    )


@pytest.mark.parametrize("label", LABELS)
async def test_a_markup_label_shows_as_typed_everywhere(
    make_app: AppFactory,
    locations: Locations,
    fast_kdf: dict[str, Any],
    sim: Any,
    label: str,
) -> None:
    # The OKX `risky` key can withdraw: a critical banner, an acknowledgement toast.
    make_keyfile(locations, fast_kdf, [sim_account(sim, "okx", label, key="risky")])
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot, to_list=False)
        await wait_for(pilot, lambda: len(app.session.reports) == 1, limit=20)
        await pilot.pause(0.3)
        assert label in screen_text(app)  # status table, balances, banner, permissions
        await pilot.press("k")  # the toast names the account
        await wait_for(
            pilot,
            lambda: app.session.is_acknowledged(app.session.accounts[0].id, "withdraw_enabled"),
        )
        await pilot.pause(0.3)
        assert screen_name(pilot) == "SessionDashboard"  # no action ran from the label
        await pilot.press("c")
        await wait_for(pilot, lambda: screen_name(pilot) == "ExchangeListScreen")
        await pilot.press(*"okx")
        await pilot.pause(0.2)
        assert label[:10] in screen_text(app)  # the accounts column is narrow
        await pilot.press("f8")  # the remove dialog names it
        await wait_for(pilot, lambda: screen_name(pilot) == "ChoiceScreen")
        assert label in screen_text(app)
        await pilot.press("escape")
        await wait_for(pilot, lambda: screen_name(pilot) == "ExchangeListScreen")
        await pilot.press("enter")  # key entry lists the stored account
        await wait_for(pilot, lambda: screen_name(pilot) == "KeyEntryScreen")
        await pilot.pause(0.2)
        assert label in screen_text(app)
        assert app.is_running
