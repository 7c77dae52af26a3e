"""Non-secret settings kept in `settings.toml` under the config directory.

Only choices that are safe to keep in clear live here (theme, idle-lock delay, refresh
interval, how the portfolio is shown, whether to use the system proxy). A damaged or partly
invalid file never stops Keydeck: `load_settings` returns the defaults for whatever it could
not use, with a message that says what was wrong and where.
"""

from __future__ import annotations

import contextlib
import math
import os
import tempfile
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

from tui.base.paths import ensure_private_dir

DEFAULT_THEME = "textual-dark"
MAX_IDLE_LOCK_MINUTES = 24 * 60


@dataclass(frozen=True)
class Settings:
    """User settings. `idle_lock_minutes = 0` turns the idle auto-lock off.

    `use_system_proxy`: send exchange requests through HTTPS_PROXY (honouring NO_PROXY);
    off by default, never for a loopback endpoint (docs/network-safety.md).
    """

    theme: str = DEFAULT_THEME
    idle_lock_minutes: int = 10
    refresh_interval_s: int = 15
    # The dashboard's view choices, kept across unlocks (values of tui.ui.dashboard's enums).
    hide_small_balances: bool = True
    balance_sort: str = "value"
    balance_view: str = "all accounts"
    allocation_by: str = "exchange"
    # Honour HTTPS_PROXY / NO_PROXY (off: direct connections; never for loopback).
    use_system_proxy: bool = False

    def with_changes(self, **changes: Any) -> Settings:
        return replace(self, **changes)


# field name -> the words it may hold
CHOICES: dict[str, tuple[str, ...]] = {
    "balance_sort": ("value", "asset", "total", "in orders"),
    "balance_view": ("all accounts", "per account"),
    "allocation_by": ("exchange", "asset"),
}

# field name -> (minimum, maximum) for numbers
_LIMITS: dict[str, tuple[int, int]] = {
    "idle_lock_minutes": (0, MAX_IDLE_LOCK_MINUTES),
    "refresh_interval_s": (2, 3600),
}


@dataclass(frozen=True)
class LoadedSettings:
    """What `load_settings` found. `problem` is a readable message, or None when all was fine.

    `writable` is False when the file exists but could not be parsed: saving over it would
    throw away what the user wrote, so the app keeps changes in memory only.
    """

    settings: Settings
    problem: str | None = None
    writable: bool = True


def load_settings(path: Path) -> LoadedSettings:
    """Read settings from `path`; a missing file gives the defaults silently."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return LoadedSettings(Settings())
    except OSError as error:
        return LoadedSettings(
            Settings(),
            f"Could not read the settings file {path} ({error.strerror}); using defaults.",
            writable=False,
        )
    import tomllib  # only when there is a file to read (not on a first run's first frame)

    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        return LoadedSettings(
            Settings(),
            f"The settings file {path} is damaged ({error}); using defaults. "
            "Fix or delete it to save settings again.",
            writable=False,
        )
    settings, faults = _from_mapping(data)
    problem = None
    if faults:
        problem = f"Some settings in {path} were ignored: {'; '.join(faults)}."
    return LoadedSettings(settings, problem)


def _from_mapping(data: dict[str, Any]) -> tuple[Settings, list[str]]:
    defaults = Settings()
    values: dict[str, Any] = {}
    faults: list[str] = []
    for field in fields(Settings):
        if field.name not in data:
            continue
        value = data[field.name]
        default = getattr(defaults, field.name)
        if isinstance(default, bool):
            if isinstance(value, bool):
                values[field.name] = value
            else:
                faults.append(f"{field.name} must be true or false")
            continue
        if field.name in CHOICES:
            allowed = CHOICES[field.name]
            if value in allowed:
                values[field.name] = value
            else:
                faults.append(f"{field.name} must be one of {', '.join(map(repr, allowed))}")
            continue
        if isinstance(default, str):
            if isinstance(value, str) and value.strip():
                values[field.name] = value.strip()
            else:
                faults.append(f"{field.name} must be a non-empty string")
            continue
        low, high = _LIMITS[field.name]
        if isinstance(value, bool) or not isinstance(value, int):
            faults.append(f"{field.name} must be a whole number")
        elif not low <= value <= high:
            faults.append(f"{field.name} must be between {low} and {high}")
        else:
            values[field.name] = value
    return replace(defaults, **values), faults


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and math.isfinite(value):
        return repr(value)
    if isinstance(value, str):
        escaped = value.replace("\\", "\\\\").replace('"', '\\"')
        escaped = "".join(ch if ch.isprintable() else f"\\u{ord(ch):04x}" for ch in escaped)
        return f'"{escaped}"'
    raise TypeError(f"cannot write {type(value).__name__} to settings")


def dumps(settings: Settings) -> str:
    lines = ["# Keydeck settings (no secrets are kept here).", ""]
    lines += [f"{name} = {_toml_value(value)}" for name, value in asdict(settings).items()]
    return "\n".join(lines) + "\n"


def save_settings(settings: Settings, path: Path) -> None:
    """Write atomically: a temp file in the same directory, fsync, then rename over."""
    ensure_private_dir(path.parent)
    text = dumps(settings)
    fd, temp_name = tempfile.mkstemp(prefix=".settings-", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise
