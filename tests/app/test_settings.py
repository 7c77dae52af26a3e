"""Settings: defaults, round trip, damaged files never raise."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from tui.settings import Settings, dumps, load_settings, save_settings


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


def test_use_system_proxy_is_off_by_default_and_must_be_a_boolean(tmp_path: Path) -> None:
    assert Settings().use_system_proxy is False
    path = tmp_path / "settings.toml"
    save_settings(Settings(use_system_proxy=True), path)
    assert load_settings(path).settings.use_system_proxy is True
    path.write_text('use_system_proxy = "yes"\n')
    loaded = load_settings(path)
    assert loaded.settings.use_system_proxy is False
    assert loaded.problem is not None and "use_system_proxy" in loaded.problem
