"""The way in: inspect, open or create the keyfile and hand back a `Session` on it.

No Textual here. Opening and creating run the KDF (about a second): call them from a thread.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui.base import redact
from tui.core.session import ConnectorFactory, Session, make_connector

if TYPE_CHECKING:
    from tui.base.paths import Locations
    from tui.vault import Vault


@dataclass
class KeyfileAccess:
    """Inspect, open or create the keyfile at `keyfile` and start a Session on it.

    `vault_options` are extra arguments for Vault.create/open/change_password (tests pass a
    cheap KDF); `connector_factory` makes the connector for each new session.
    """

    keyfile: Path
    connector_factory: ConnectorFactory
    vault_options: Mapping[str, Any] = field(default_factory=dict)
    config_dir: Path | None = None
    state_dir: Path | None = None
    """Where the highest keyfile generation seen is kept (rollback detection); None: off."""

    @classmethod
    def for_locations(
        cls,
        locations: Locations,
        *,
        connector_factory: ConnectorFactory | None = None,
        vault_options: Mapping[str, Any] | None = None,
    ) -> KeyfileAccess:
        return cls(
            keyfile=locations.keyfile,
            connector_factory=connector_factory or (lambda: make_connector(locations)),
            vault_options=dict(vault_options or {}),
            config_dir=locations.config_dir,
            state_dir=locations.state_dir,
        )

    def exists(self) -> bool:
        return self.keyfile.exists() or self.keyfile.is_symlink()

    def inspect(self) -> None:
        """Raise the keyfile error that needs no password to find (see `Vault.inspect`)."""
        from tui.vault import Vault

        caps = self.vault_options.get("caps")
        Vault.inspect(self.keyfile, **({"caps": caps} if caps is not None else {}))

    def open(self, password: redact.Secret | str, *, accept_rollback: bool = False) -> Session:
        """Unlock (blocking: the KDF takes about a second). A keyfile older than the one last
        opened here raises `KeyfileRolledBack` unless `accept_rollback`."""
        from tui.vault import Vault

        vault = Vault.open(
            self.keyfile,
            password,
            state_dir=self.state_dir,
            accept_rollback=accept_rollback,
            **self.vault_options,
        )
        return self._session(vault)

    def create(self, password: redact.Secret | str) -> Session:
        """Create a new keyfile (blocking: the KDF)."""
        from tui.base.paths import ensure_private_dir
        from tui.vault import Vault

        if self.config_dir is not None:
            ensure_private_dir(self.config_dir)
        vault = Vault.create(self.keyfile, password, state_dir=self.state_dir, **self.vault_options)
        return self._session(vault)

    def restore_backup(self, password: redact.Secret | str) -> Path:
        """Put the backup in place of a damaged keyfile after checking it opens with
        `password`; returns where the damaged file was kept (blocking: two KDF runs)."""
        from tui.vault.restore import restore_backup

        return restore_backup(
            self.keyfile, password, state_dir=self.state_dir, **self.vault_options
        )

    def _session(self, vault: Vault) -> Session:
        try:
            connector = self.connector_factory()
        except BaseException:
            vault.close()
            raise
        return Session(vault, connector, vault_options=self.vault_options)
