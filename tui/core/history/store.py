"""The encrypted history file beside the keyfile, and `History`, its reader and recorder.

File (`keys.kdh` beside `keys.kdk`):

    offset size field
    0      8    magic 89 4B 44 48 0D 0A 1A 0A ("\\x89KDH\\r\\n\\x1a\\n")
    8      2    format version, u16 big-endian (1)
    10     12   nonce (fresh on every write)
    22     n    AES-256-GCM(key, nonce, zlib(JSON), associated data = bytes 0..21)

The key is `vault.derive_subkey(b"history")` (HKDF from the keyfile's secret id): only who
can unlock the keyfile can read it, and it survives password changes. Writes follow the
keyfile's rules (0600 temp file, fsync, atomic replace, a lock file against a second writer)
but never touch the keyfile: a damaged or foreign history is moved aside and a new one
started. Size: at most `model.MAX_POINTS` points, and never more than `MAX_FILE_BYTES`
(the oldest points go first).
"""

from __future__ import annotations

import errno
import hashlib
import json
import logging
import os
import stat
import struct
import time
import zlib
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from filelock import FileLock, Timeout

from tui.core.history import model
from tui.core.history.model import AccountName, Change, Point, SeriesPoint
from tui.vault import files
from tui.vault.errors import VaultError
from tui.vault.generations import GenerationLog
from tui.vault.guard import SecretBytes

log = logging.getLogger(__name__)

MAGIC = b"\x89KDH\r\n\x1a\n"
FORMAT_VERSION = 1
HEADER = struct.Struct(">8sH12s")
HISTORY_SUFFIX = ".kdh"
MAX_FILE_BYTES = 8 * 1024 * 1024
MAX_PLAIN_BYTES = 64 * 1024 * 1024  # a decompression bomb stops here
LOCK_TIMEOUT_S = 5.0
PURPOSE = b"history"


class HistoryUnreadable(Exception):
    """The history file is damaged, foreign, or under another key."""


class HistoryRolledBack(HistoryUnreadable):
    """The history is older than one this computer has already seen: an old copy was put
    back (as with the keyfile, `tui.vault.generations`)."""


class HistoryInTheWay(HistoryUnreadable):
    """Something that is not a file of ours sits at the history's path (a directory, a FIFO,
    a symlink): never read, moved or written over; the user is told what to move away."""


def history_path(keyfile: Path) -> Path:
    """`keys.kdk` -> `keys.kdh`. Not `keys.kdk.*`: the keyfile's temp cleanup owns those."""
    path = Path(keyfile)
    candidate = path.with_suffix(HISTORY_SUFFIX)
    return candidate if candidate != path else path.with_name(path.name + HISTORY_SUFFIX)


def seal(document: dict[str, Any], key: bytes | bytearray) -> bytes:
    plain = zlib.compress(json.dumps(document, separators=(",", ":")).encode(), 6)
    nonce = os.urandom(12)
    header = HEADER.pack(MAGIC, FORMAT_VERSION, nonce)
    return header + AESGCM(bytes(key)).encrypt(nonce, plain, header)


def unseal(data: bytes, key: bytes | bytearray) -> dict[str, Any]:
    if len(data) < HEADER.size + 16 or data[:8] != MAGIC:
        raise HistoryUnreadable("not a Keydeck history file")
    _, version, nonce = HEADER.unpack_from(data)
    if version != FORMAT_VERSION:
        raise HistoryUnreadable(f"history format {version} is not supported")
    header = data[: HEADER.size]
    try:
        compressed = AESGCM(bytes(key)).decrypt(nonce, data[HEADER.size :], header)
        inflater = zlib.decompressobj()
        plain = inflater.decompress(compressed, MAX_PLAIN_BYTES)
        if inflater.unconsumed_tail:
            raise HistoryUnreadable("the history is implausibly large")
        document = json.loads(plain)
    except InvalidTag:
        raise HistoryUnreadable("damaged, or written for another keyfile") from None
    except (zlib.error, ValueError) as error:
        raise HistoryUnreadable(f"its content is damaged ({error})") from None
    if not isinstance(document, dict):
        raise HistoryUnreadable("its content is not a history")
    return document


def _read(path: Path) -> bytes | None:
    """The file's bytes after the keyfile's safety checks (private regular file of ours)."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        descriptor = os.open(path, flags)  # non-blocking: a FIFO here never hangs
    except FileNotFoundError:
        return None
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise HistoryInTheWay(_in_the_way(path, "a symlink")) from None
        raise HistoryUnreadable(error.strerror or str(error)) from None
    try:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            kind = "a directory" if stat.S_ISDIR(status.st_mode) else "not a plain file"
            raise HistoryInTheWay(_in_the_way(path, kind))
        try:
            files.check_file_status(status, path)
        except VaultError as error:
            raise HistoryUnreadable(error.reason) from None
        with os.fdopen(os.dup(descriptor), "rb") as handle:
            return handle.read(MAX_FILE_BYTES * 2)
    finally:
        os.close(descriptor)


def _in_the_way(path: Path, kind: str) -> str:
    return f"{path} is {kind}, not Keydeck's history file: move it away"


class History:
    """Portfolio history of one keyfile. Textual-free; blocking file I/O (call `record`,
    `flush` and the readers from a thread in a UI).

        history = History.for_vault(vault)        # or History(path, key)
        history.record(reports)                    # once per refresh round
        history.series(timedelta(days=7))          # for a sparkline
        history.change(timedelta(hours=24))        # like-for-like, None under two points
        history.close()                            # flushes, wipes the key

    `record` writes at most every `write_every_s` seconds (0: every time); `flush` forces.
    Errors writing are logged and kept for `problem`, never raised from `record`.
    """

    def __init__(
        self,
        path: Path,
        key: bytes | bytearray,
        *,
        write_every_s: float = 60.0,
        generations: GenerationLog | None = None,
    ):
        self.path = Path(path)
        self._key = SecretBytes(key)
        # Rollback detection: every write counts up `generation` (sealed with the points);
        # the highest seen is kept in the keyfile's generation log, under a hash of the key.
        self._generations = generations
        self._identity_hash = hashlib.sha256(b"keydeck-history\x00" + bytes(key)).hexdigest()
        self._generation = 0
        self.write_every_s = write_every_s
        self._points: list[Point] = []
        self._names: dict[str, AccountName] = {}
        self._pending: list[Point] = []
        self._forgotten: set[str] = set()
        self._last_write = 0.0
        self._seen: tuple[int, int, int] | None = None  # (inode, size, mtime_ns) last read
        self.problem: str | None = None
        """The last read or write problem, for a status line; None when all is well."""

    @classmethod
    def for_vault(cls, vault: Any, *, write_every_s: float = 60.0) -> History:
        """The history of an open vault (raises `VaultError` if no subkey can be derived)."""
        key = vault.derive_subkey(PURPOSE)
        try:
            return cls(
                history_path(vault.path),
                key,
                write_every_s=write_every_s,
                generations=getattr(vault, "generation_log", None),
            )
        finally:
            key.wipe()

    def __repr__(self) -> str:
        return f"History({str(self.path)!r}, {len(self._points) + len(self._pending)} points)"

    # ---- recording -----------------------------------------------------------------------

    def record(self, reports: Iterable[Any], now: datetime | None = None) -> bool:
        """Add one refresh round's `AccountReport`s; True if a point was added."""
        now = now or datetime.now(UTC)
        reports = list(reports)
        point = model.point_from_reports(reports, now)
        if point is None:
            return False
        for report in reports:
            self._names[report.account_id] = AccountName(report.exchange, report.label)
            self._forgotten.discard(report.account_id)
        self._pending.append(point)
        if time.monotonic() - self._last_write >= self.write_every_s:
            self.flush(now)
        return True

    def forget(self, account_id: str) -> None:
        """Drop an account's history (a removed account, when the user asks). Writes now."""
        self._forgotten.add(account_id)
        self._names.pop(account_id, None)
        self.flush()

    def flush(self, now: datetime | None = None) -> bool:
        """Merge what is new with the file (another process may write it too) and write
        it, thinned. False (and `problem` set) if it could not be written."""
        if not self._pending and not self._forgotten:
            return True
        now = now or datetime.now(UTC)
        try:
            files.make_private_dirs(self.path.parent)
            with FileLock(str(self.path) + ".lock", timeout=LOCK_TIMEOUT_S, mode=0o600):
                on_disk, names = self._load_for_merge()
                points = model.merge(on_disk, self._pending)
                for account_id in self._forgotten:
                    points = model.without_account(points, account_id)
                    names.pop(account_id, None)
                names.update(self._names)
                points = model.thin(points, now)
                generation = max(self._generation, self._highest_seen()) + 1
                data = self._bounded(points, names, generation)
                files.write_atomic(self.path, data)
                self._seen = self._identity()
                self._remember(generation)
        except (OSError, Timeout, VaultError, HistoryUnreadable) as error:
            self.problem = f"could not write the history: {error}"
            log.warning("%s (%s)", self.problem, self.path)
            return False
        self._points, self._names = points, names
        self._pending.clear()
        self._forgotten.clear()
        self._last_write = time.monotonic()
        self.problem = None
        return True

    def _highest_seen(self) -> int:
        if self._generations is None:
            return 0
        return self._generations.highest([self._identity_hash]) or 0

    def _remember(self, generation: int) -> None:
        self._generation = generation
        if self._generations is not None:
            self._generations.record([self._identity_hash], generation)

    def _bounded(
        self, points: list[Point], names: dict[str, AccountName], generation: int
    ) -> bytes:
        while True:
            document = {**model.encode(points, names), "generation": generation}
            data = seal(document, self._key)
            if len(data) <= MAX_FILE_BYTES or len(points) <= 1:
                return data
            del points[: max(1, len(points) // 10)]  # the oldest tenth

    def _load_for_merge(self) -> tuple[list[Point], dict[str, AccountName]]:
        try:
            return self._load()
        except HistoryInTheWay:
            raise  # not ours to move: flush reports it
        except HistoryRolledBack as error:
            aside = files.move_aside(self.path)
            log.warning("history %s was rolled back (%s); moved to %s", self.path, error, aside)
            return [], {}
        except HistoryUnreadable as error:
            aside = files.move_aside(self.path)
            log.warning("history %s was unreadable (%s); moved to %s", self.path, error, aside)
            return [], {}

    def _load(self) -> tuple[list[Point], dict[str, AccountName]]:
        data = _read(self.path)
        if data is None:
            return [], {}
        document = unseal(data, self._key)
        try:
            loaded = model.decode(document)
        except ValueError as error:
            raise HistoryUnreadable(str(error)) from None
        generation = document.get("generation", 0)
        if type(generation) is not int or generation < 0:
            raise HistoryUnreadable("its generation is damaged")
        seen = self._highest_seen()
        if generation < seen:
            raise HistoryRolledBack(
                f"it is an older copy (save {generation}) than one this computer has seen "
                f"(save {seen}): someone or something put an old history back"
            )
        self._generation = max(self._generation, generation)  # recorded on the next write
        return loaded

    def _identity(self) -> tuple[int, int, int] | None:
        try:
            status = os.stat(self.path)
        except OSError:
            return None
        return (status.st_ino, status.st_size, status.st_mtime_ns)

    # ---- reading -------------------------------------------------------------------------

    def reload(self) -> None:
        """Re-read the file if another process wrote it since; a bad file sets `problem`."""
        identity = self._identity()
        if identity is not None and identity == self._seen:
            return
        try:
            self._points, names = self._load()
        except HistoryUnreadable as error:
            self.problem = f"the history cannot be read: {error}"
            log.warning("%s (%s)", self.problem, self.path)
            return
        self._names = {**names, **self._names}
        self._seen = identity

    def points(self, span: timedelta | None = None, now: datetime | None = None) -> list[Point]:
        """Every point in the last `span` (None: all), the unwritten ones included."""
        self.reload()
        points = model.merge(self._points, self._pending)
        for account_id in self._forgotten:
            points = model.without_account(points, account_id)
        start = None if span is None else (now or datetime.now(UTC)) - span
        return model.since(points, start)

    def series(
        self, span: timedelta | None = None, now: datetime | None = None
    ) -> list[SeriesPoint]:
        """Totals over the last `span` for a sparkline (use `value_usd`: like-for-like)."""
        return model.series(self.points(span, now))

    def change(self, span: timedelta, now: datetime | None = None) -> Change | None:
        """Like-for-like change over the last `span` (an added account is not a gain)."""
        return model.change(self.points(span, now))

    def name(self, account_id: str) -> AccountName | None:
        return self._names.get(account_id)

    def close(self) -> None:
        """Write what is pending and wipe the key. Safe to call twice."""
        if self._key:
            self.flush()
            self._key.wipe()
            self._key = SecretBytes()

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
