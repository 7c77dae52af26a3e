"""Where Keydeck keeps its files.

Default: the platformdirs user config, log, cache and state directories for the app
"keydeck". `KEYDECK_CONFIG_DIR` or `--config-dir` moves everything (config, logs, cache and
state) under one directory, so a demo, a test or a second identity never touches the
user's real files.
"""

from __future__ import annotations

import errno
import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "keydeck"
CONFIG_DIR_ENV = "KEYDECK_CONFIG_DIR"
KEYFILE_NAME = "keys.kdk"
SETTINGS_NAME = "settings.toml"
LOG_NAME = "keydeck.log"
GENERATIONS_NAME = "generations.json"  # tui.vault.generations.STATE_NAME


@dataclass(frozen=True)
class Locations:
    """The files and directories Keydeck uses. Creating nothing: only paths."""

    config_dir: Path
    log_dir: Path
    cache_dir: Path
    # Where the keyfile generations seen are recorded (rollback detection): pass it to
    # `Vault.open(..., state_dir=)`. None (a Locations built by hand): beside the config.
    state_dir_override: Path | None = None

    @property
    def state_dir(self) -> Path:
        if self.state_dir_override is not None:
            return self.state_dir_override
        return self.config_dir / "state"

    @property
    def generations(self) -> Path:
        """The rollback-detection record (no secrets: hashes and save counters)."""
        return self.state_dir / GENERATIONS_NAME

    @property
    def crash_dir(self) -> Path:
        """Crash reports of the app (scrubbed of secrets, tui/ui/crash.py)."""
        return self.state_dir / "crashes"

    @property
    def keyfile(self) -> Path:
        return self.config_dir / KEYFILE_NAME

    @property
    def settings(self) -> Path:
        return self.config_dir / SETTINGS_NAME

    @property
    def log_file(self) -> Path:
        return self.log_dir / LOG_NAME

    @classmethod
    def resolve(cls, config_dir: str | os.PathLike[str] | None = None) -> Locations:
        """Locations for an explicit directory, else `KEYDECK_CONFIG_DIR`, else platformdirs."""
        override = config_dir if config_dir is not None else os.environ.get(CONFIG_DIR_ENV)
        if override:
            root = Path(override).expanduser().absolute()
            return cls(
                config_dir=root,
                log_dir=root / "logs",
                cache_dir=root / "cache",
                state_dir_override=root / "state",
            )
        return cls(
            config_dir=Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)),
            log_dir=Path(platformdirs.user_log_dir(APP_NAME, appauthor=False)),
            cache_dir=Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False)),
            state_dir_override=Path(platformdirs.user_state_dir(APP_NAME, appauthor=False)),
        )


def default_keyfile() -> Path:
    """The keyfile path used when none is given (honours `KEYDECK_CONFIG_DIR`)."""
    return Locations.resolve().keyfile


def ensure_private_dir(path: Path) -> Path:
    """Create `path` (and parents) and force mode 0700 whatever the umask.

    A symlink to a directory that other users can write (or that is not ours) is refused
    (PermissionError), ssh-style, rather than used or chmod-ed: it is someone else's place.
    """
    path.mkdir(parents=True, exist_ok=True)
    if os.path.islink(path) and os.name == "posix":
        status = os.stat(path)
        if status.st_uid != os.geteuid() or status.st_mode & 0o022:
            raise PermissionError(
                errno.EPERM,
                f"{path} is a symlink to a directory other users can write; point it at a "
                "private directory of yours (mode 0700)",
            )
    os.chmod(path, 0o700)
    return path


def display_path(path: str | os.PathLike[str]) -> str:
    """A path as people read it: `~` for the home directory (shorter, and the same on every
    machine of one user)."""
    text = os.fspath(path)
    home = os.path.expanduser("~")
    if home not in ("", os.sep) and (text == home or text.startswith(home + os.sep)):
        return "~" + text[len(home) :]
    return text


def shell_path(path: str | os.PathLike[str]) -> str:
    """A path to paste into a shell: quoted, with a leading `~/` left outside the quotes so
    the shell still expands it."""
    import shlex  # here: the app's first frame does not pay for it

    text = display_path(path)
    if text == "~":
        return text
    if text.startswith("~" + os.sep):
        return "~" + os.sep + shlex.quote(text[2:])
    return shlex.quote(text)
