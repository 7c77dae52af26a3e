"""Before a keyfile is unlocked: where it is, the KDF parameters a new one may be given, the
generation log that catches an older copy put back, and the password-free checks of
`Vault.inspect` (missing, unsafe, locked, damaged, too new)."""

from __future__ import annotations

import os
from pathlib import Path

from tui.base import paths
from tui.vault import files
from tui.vault.container import parse_header
from tui.vault.errors import KeyfileNotFound, KeyfileUnsupported, attach_path
from tui.vault.generations import GenerationLog
from tui.vault.kdf import DEFAULT_CAPS, KdfCaps, KdfParams

PathLike = str | os.PathLike[str]


def inspect_keyfile(target: Path, caps: KdfCaps, *, read_only: bool) -> None:
    """Raise the `VaultError` that opening `target` would raise, but for the password."""
    try:
        if read_only:
            files.read_whole_version(target, lambda data: parse_header(data, caps))
            return
        if not os.path.lexists(target):
            raise KeyfileNotFound(path=target)
        parse_header(files.read_keyfile(target).data, caps)
        lock = files.KeyfileLock(target)
        lock.acquire()
        lock.release()
    except BaseException as error:
        attach_path(error, target)
        raise


def resolve_path(path: PathLike | None, *, create_directory: bool) -> Path:
    if path is None:
        target = paths.default_keyfile()
        if create_directory:
            paths.ensure_private_dir(target.parent)
        return target
    target = Path(path).expanduser().absolute()
    if create_directory:
        files.make_private_dirs(target.parent)
    return target


def checked_kdf(kdf: KdfParams | None) -> KdfParams:
    params = kdf if kdf is not None else KdfParams.default()
    if not isinstance(params, KdfParams):
        raise TypeError("kdf must be KdfParams")
    problem = params.problem(DEFAULT_CAPS)
    if problem is not None:
        raise ValueError(f"invalid KDF parameters: {problem}")
    if not params.available:
        raise KeyfileUnsupported(f"{params} is not available on this system")
    return params


def generation_log(state_dir: PathLike | None) -> GenerationLog | None:
    return GenerationLog(Path(state_dir).expanduser()) if state_dir is not None else None
