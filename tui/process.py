"""Process-wide safety settings shared by the app and the headless commands."""

from __future__ import annotations


def no_core_dumps() -> None:
    """A core dump would hold decrypted keys and the master password: turn them off."""
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    except (ImportError, ValueError, OSError):
        pass
