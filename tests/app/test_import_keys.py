"""Import keys in the app: a preview table (no secret), a row skipped by the user, the rest
verified and saved in one write, a stored key never saved twice."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.app.conftest import SIZE, AppFactory, make_keyfile, sim_account
from tests.app.helpers import screen_name, text_of, unlock, wait_for
from tui.base.paths import Locations
from tui.base.settings import Settings


def table_text(app: Any) -> str:
    table = app.screen.query_one("#import-rows")
    return "\n".join(
        " ".join(str(cell) for cell in table.get_row_at(i)) for i in range(table.row_count)
    )


async def test_import_a_ccxt_keys_file_from_the_palette(
    make_app: AppFactory, locations: Locations, fast_kdf: dict[str, Any], sim: Any, tmp_path: Path
) -> None:
    stored = sim_account(sim, "binance")
    make_keyfile(locations, fast_kdf, [stored])
    keys = {
        "binance": dict(sim.account("binance", "main").credentials),  # already stored
        "okx": dict(sim.account("okx", "sub").credentials),
        "kucoin": dict(sim.account("kucoin", "main").credentials),
    }
    source = tmp_path / "keys.json"
    source.write_text(json.dumps(keys))
    app = make_app(settings=Settings(refresh_interval_s=0))
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot, to_list=False)
        session = app.session
        app.action_import_keys()
        await wait_for(pilot, lambda: screen_name(pilot) == "ImportKeysScreen")
        app.screen.query_one("#source").value = "ccxt"
        await pilot.pause()
        app.screen.query_one("#path").value = str(source)
        await pilot.click("#preview")
        await wait_for(pilot, lambda: "found" in text_of(pilot, "#import-status"))
        rows = table_text(app)
        assert "already stored as" in rows
        for values in keys.values():
            assert values["secret"] not in rows  # never a secret in the preview
        # Skip KuCoin, import OKX; their endpoints are the simulator's (set after the preview,
        # as `--endpoint` does on the command line: the source itself has none).
        screen = app.screen
        for row in screen.rows:
            if row.account is not None:
                row.account = row.account.replace(endpoint=sim.endpoint(row.exchange))
        table = screen.query_one("#import-rows")
        kucoin = next(i for i, row in enumerate(screen.rows) if row.exchange == "kucoin")
        table.focus()
        table.move_cursor(row=kucoin)
        await pilot.press("space")
        assert "skipped by you" in table_text(app)
        await pilot.click("#import")
        await wait_for(pilot, lambda: "saved." in text_of(pilot, "#import-status"), limit=30)
        assert sorted(a.exchange for a in session.accounts) == ["binance", "okx"]
        assert "1 of 1 saved" in text_of(pilot, "#import-status")
        assert "still holds these keys in clear" in text_of(pilot, "#import-status")
