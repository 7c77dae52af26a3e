"""A keyfile that cannot be opened: say exactly what is wrong and how to fix it.

Nothing here writes to the keyfile. The user fixes the cause outside Keydeck and chooses
"Try again", or quits.
"""

from __future__ import annotations

import enum
import errno
import os
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Static

from tui.base.paths import display_path, shell_path
from tui.ui.messages import describe
from tui.vault.errors import (
    KeyfileCorrupt,
    KeyfileLocked,
    KeyfileTooNew,
    KeyfileUnsupported,
    KeyfileWriteError,
    UnsafePermissions,
    VaultError,
)


@dataclass(frozen=True)
class KeyfileTrouble:
    title: str
    what: str
    fix: str
    restorable: bool = False
    """A backup beside the keyfile can be put in its place (the screen offers it)."""


class StorageCause(enum.Enum):
    """Why the keyfile's folder cannot be written, found by looking at the folder itself
    (the error's words are not always kept: the vault words a failed lock for people)."""

    read_only = "read-only"
    no_permission = "no permission"
    full = "full"


def storage_cause(error: BaseException | None, folder: Path) -> StorageCause | None:
    """The cause of a failed write in `folder`, or None when it looks writable."""
    code = getattr(error, "errno", None)
    if code == errno.EROFS:
        return StorageCause.read_only
    if code in (errno.ENOSPC, errno.EDQUOT):
        return StorageCause.full
    if code in (errno.EACCES, errno.EPERM):
        return StorageCause.no_permission
    try:
        status = os.statvfs(folder)
    except OSError:
        return None
    if status.f_flag & os.ST_RDONLY:
        return StorageCause.read_only
    if not os.access(folder, os.W_OK):
        return StorageCause.no_permission
    if status.f_bavail == 0 or (status.f_files and status.f_favail == 0):
        return StorageCause.full
    return None


def storage_advice(cause: StorageCause, folder: Path) -> tuple[str, str]:
    """(what is wrong, what to do) for a folder Keydeck cannot write. The keyfile is fine."""
    where = shell_path(folder)
    if cause is StorageCause.read_only:
        return (
            f"The folder {folder} is on a read-only file system.",
            "Make it writable (remount the disk read-write), or copy the folder somewhere "
            f"writable and start Keydeck there:\n\n  cp -a {where} ~/keydeck-copy\n"
            "  keydeck --config-dir ~/keydeck-copy",
        )
    if cause is StorageCause.no_permission:
        return (
            f"Keydeck may not write in the folder {folder}.",
            f"Make the folder yours and writable:\n\n  ls -ld {where}\n  chmod u+w {where}",
        )
    return (
        f"The disk holding {folder} is full.",
        "Free some space on that disk (or ask for more quota).",
    )


def explain_save_failure(error: BaseException, folder: Path, retry: str) -> BaseException | str:
    """Why a change was not written to the keyfile in `folder`, what to do, and the action
    to repeat (`retry`, e.g. "choose Verify and save again"). The keyfile on disk is intact:
    never "start over". Errors that are not about writing come back as they are."""
    if not isinstance(error, KeyfileWriteError | OSError):
        return error
    cause = storage_cause(error, folder)
    if cause is None:
        reason = getattr(error, "reason", "") or describe(error)
        return f"Could not write the keyfile: {reason}. It is unchanged on disk. Then {retry}."
    what, todo = storage_advice(cause, folder)
    return f"{what} Your keyfile on disk is unchanged and still opens.\n\n{todo}\n\nThen {retry}."


def _damaged(detail: str, keyfile: Path, path: str) -> KeyfileTrouble:
    """A damaged keyfile: offer the backup beside it when there is one."""
    from datetime import datetime

    from tui.vault.restore import backup_of

    what = f"{detail}.\n\nKeydeck has not changed it and will not overwrite it."
    backup = backup_of(keyfile)
    if backup is None:
        return KeyfileTrouble(
            "The keyfile is damaged",
            what,
            "There is no backup beside it. Restore it from a copy of your own, or move it "
            f"aside (it is kept) and start a new keyfile:\n\n  mv {path} {path}.damaged",
        )
    saved = datetime.fromtimestamp(backup.stat().st_mtime).strftime("%Y-%m-%d %H:%M")
    return KeyfileTrouble(
        "The keyfile is damaged",
        what,
        f"Keydeck's backup from {saved} is beside it ({display_path(backup)}). Choose "
        "Restore backup: Keydeck checks that it opens with your password, keeps the damaged "
        "file aside, and puts the backup in its place. Keys added after that backup are not "
        "in it: add them again.",
        restorable=True,
    )


def explain_keyfile_error(error: BaseException, keyfile: Path) -> KeyfileTrouble:
    """Plain words for each keyfile error, with the command or step that fixes it."""
    path = shell_path(keyfile)
    # A plain VaultError is what the vault raises for a lock file it cannot create.
    about_writing = type(error) is VaultError or isinstance(error, KeyfileWriteError | OSError)
    detail = (getattr(error, "reason", "") or describe(error)).rstrip(".")
    detail = detail[:1].upper() + detail[1:]
    if about_writing:
        cause = storage_cause(error, keyfile.parent)
        if cause is not None:
            what, todo = storage_advice(cause, keyfile.parent)
            return KeyfileTrouble(
                "Keydeck cannot write beside the keyfile",
                f"{detail}.\n\n{what} The keyfile itself is not damaged; Keydeck needs to "
                "write its lock file next to it. To only check your keys without changing "
                "anything, `keydeck check` opens the keyfile read-only.",
                f"{todo}\n\nThen choose Try again.",
            )
    if isinstance(error, UnsafePermissions):
        command = str(getattr(error, "fix", "") or "chmod 600 PATH").replace("PATH", path)
        return KeyfileTrouble(
            "The keyfile is not private",
            f"{detail}.\n\nOther users on this machine could read or replace it, so Keydeck "
            "refuses to use it.",
            f"Make it yours and private, then try again:\n\n  {command}",
        )
    if isinstance(error, KeyfileTooNew):
        return KeyfileTrouble(
            "The keyfile was written by a newer Keydeck",
            f"{detail}.\n\nThis version cannot read it and will not change it.",
            "Upgrade Keydeck (pip install -U keydeck), then open it again.",
        )
    if isinstance(error, KeyfileCorrupt):
        return _damaged(detail, keyfile, path)
    if isinstance(error, KeyfileLocked):
        return KeyfileTrouble(
            "Another Keydeck is using this keyfile",
            "Another Keydeck window, a `keydeck import` or `keydeck rotate` run or a script "
            "has it open. Two programs writing the same keyfile could lose keys.",
            "Close the other Keydeck (or wait for the import or rotate to finish), then "
            "choose Try again.",
        )
    if isinstance(error, KeyfileUnsupported):
        return KeyfileTrouble(
            "This system cannot open the keyfile",
            f"{detail}.\n\nThe file was not changed.",
            "Open it where the algorithm is available, or upgrade the 'cryptography' package "
            "(Argon2id needs OpenSSL 3.2 or later).",
        )
    if isinstance(error, PermissionError):
        return KeyfileTrouble(
            "Keydeck may not read the keyfile",
            detail,
            f"Check that the file and its folder belong to you:\n\n  ls -l {path}",
        )
    if about_writing:
        return KeyfileTrouble(
            "The keyfile could not be opened",
            detail,
            "Check the disk, the path and that you can write to the keyfile's folder, then "
            "choose Try again. The keyfile was not changed.",
        )
    return KeyfileTrouble(
        "The keyfile could not be opened",
        describe(error),
        "The keyfile was not changed. Details are in the log; choose Try again, or quit and "
        "report the message above.",
    )


class KeyfileProblemScreen(Screen[str]):
    """Dismisses with "retry" or "quit"."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "retry", "Try again", id="keyfile_retry"),
        Binding("q", "quit_app", "Quit", id="keyfile_quit"),
    ]

    def __init__(self, trouble: KeyfileTrouble, keyfile: Path) -> None:
        super().__init__()
        self.trouble = trouble
        self.keyfile = keyfile

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(classes="panel problem-panel"):
            yield Static(
                self.trouble.title, classes="panel-title error-title", id="title", markup=False
            )
            yield Static(f"Keyfile: {display_path(self.keyfile)}", classes="dim", markup=False)
            yield Static(self.trouble.what, id="what", classes="problem-what", markup=False)
            yield Static("How to fix it", classes="section-title")
            yield Static(self.trouble.fix, id="fix", classes="problem-fix", markup=False)
            with Horizontal(classes="buttons"):
                if self.trouble.restorable:
                    yield Button("Restore backup", id="restore", variant="warning")
                yield Button("Try again", id="retry", variant="primary")
                yield Button("Quit", id="quit")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#retry", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "retry":
            self.action_retry()
        elif event.button.id == "restore":
            self.dismiss("restore")
        else:
            self.action_quit_app()

    def action_retry(self) -> None:
        self.dismiss("retry")

    def action_quit_app(self) -> None:
        self.dismiss("quit")
