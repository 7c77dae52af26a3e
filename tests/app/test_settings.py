"""Settings: defaults, round trip, damaged files never raise."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

from tests.app.conftest import SIZE, AppFactory, make_keyfile
from tui.base.paths import Locations
from tui.base.settings import Settings, dumps, load_settings, save_settings


def test_missing_file_gives_defaults_silently(tmp_path: Path) -> None:
    loaded = load_settings(tmp_path / "settings.toml")
    assert loaded.settings == Settings()
    assert loaded.problem is None
    assert loaded.writable


def test_round_trip_is_atomic_and_private_dir(tmp_path: Path) -> None:
    path = tmp_path / "conf" / "settings.toml"
    settings = Settings(theme='odd "name" \\ here', idle_lock_minutes=0, refresh_interval_s=30)
    save_settings(settings, path)
    assert load_settings(path).settings == settings
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
    assert [p.name for p in path.parent.iterdir()] == ["settings.toml"]  # no temp file left


def test_damaged_file_gives_defaults_a_message_and_is_not_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text("theme = [unclosed\n")
    loaded = load_settings(path)
    assert loaded.settings == Settings()
    assert loaded.problem is not None
    assert "damaged" in loaded.problem and str(path) in loaded.problem
    assert not loaded.writable


def test_binary_garbage_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_bytes(b"\xff\xfe\x00garbage")
    loaded = load_settings(path)
    assert loaded.problem is not None
    assert loaded.settings == Settings()


def test_bad_values_are_named_and_the_rest_kept(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text('theme = "nord"\nidle_lock_minutes = -5\nrefresh_interval_s = "fast"\n')
    loaded = load_settings(path)
    assert loaded.settings.theme == "nord"
    assert loaded.settings.idle_lock_minutes == Settings().idle_lock_minutes
    assert loaded.problem is not None
    assert "idle_lock_minutes" in loaded.problem and "refresh_interval_s" in loaded.problem
    assert loaded.writable


def test_dumps_is_valid_toml() -> None:
    import tomllib

    data = tomllib.loads(dumps(Settings(theme="tab\there")))
    assert data["theme"] == "tab\there"


def test_view_choices_round_trip_and_bad_words_are_named(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    chosen = Settings(
        hide_small_balances=False,
        balance_sort="in orders",
        balance_view="per account",
        allocation_by="asset",
    )
    save_settings(chosen, path)
    assert load_settings(path).settings == chosen
    path.write_text('balance_sort = "size"\nhide_small_balances = "no"\nallocation_by = "asset"\n')
    loaded = load_settings(path)
    assert loaded.settings.balance_sort == "value" and loaded.settings.hide_small_balances
    assert loaded.settings.allocation_by == "asset"
    assert loaded.problem is not None
    assert "balance_sort" in loaded.problem and "hide_small_balances" in loaded.problem


def test_view_choice_words_are_the_dashboards() -> None:
    from tui.base.settings import CHOICES
    from tui.ui.dashboard.balance_pane import BalanceView
    from tui.ui.dashboard.model import AllocationBy, SortKey

    assert set(CHOICES["balance_sort"]) == {key.value for key in SortKey}
    assert set(CHOICES["balance_view"]) == {view.value for view in BalanceView}
    assert set(CHOICES["allocation_by"]) == {by.value for by in AllocationBy}


async def test_view_choices_are_kept_across_unlock(
    make_app: AppFactory, locations: Locations, fast_kdf: dict[str, Any]
) -> None:
    from tests.app.helpers import screen_name, unlock, wait_for
    from tests.app.test_help import unreachable_account
    from tui.ui.dashboard.balance_pane import BalanceView
    from tui.ui.dashboard.model import AllocationBy, SortKey

    make_keyfile(locations, fast_kdf, [unreachable_account()])
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot, to_list=False)
        await pilot.press("b", "s", "h", "v")
        await pilot.press("ctrl+l")
        await wait_for(pilot, lambda: screen_name(pilot) == "UnlockScreen")
        await unlock(pilot, to_list=False)
        dashboard = app.screen
        assert dashboard.allocation_by is AllocationBy.asset
        assert dashboard.balance_filter.sort is SortKey.asset
        assert not dashboard.balance_filter.hide_small
        assert dashboard.balance_view is BalanceView.accounts
        await wait_for(pilot, lambda: locations.settings.exists(), what="settings written")
    kept = load_settings(locations.settings).settings
    assert (kept.allocation_by, kept.balance_sort, kept.hide_small_balances) == (
        "asset",
        "asset",
        False,
    )


def test_use_system_proxy_is_off_by_default_and_must_be_a_boolean(tmp_path: Path) -> None:
    assert Settings().use_system_proxy is False
    path = tmp_path / "settings.toml"
    save_settings(Settings(use_system_proxy=True), path)
    assert load_settings(path).settings.use_system_proxy is True
    path.write_text('use_system_proxy = "yes"\n')
    loaded = load_settings(path)
    assert loaded.settings.use_system_proxy is False
    assert loaded.problem is not None and "use_system_proxy" in loaded.problem


async def test_a_view_choice_made_just_before_quitting_is_saved(
    make_app: AppFactory, locations: Locations, fast_kdf: dict[str, Any]
) -> None:
    """Choices are saved a second after the last of a burst, and on quitting before then."""
    from tests.app.helpers import unlock
    from tests.app.test_help import unreachable_account
    from tui.ui.dashboard.balance_pane import BalanceView

    make_keyfile(locations, fast_kdf, [unreachable_account()])
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot, to_list=False)
        await pilot.press("v", "v", "v")
    assert load_settings(locations.settings).settings.balance_view == BalanceView.accounts.value
