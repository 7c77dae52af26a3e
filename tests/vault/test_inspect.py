"""`Vault.inspect`: every check that needs no password, before the password is asked for."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.vault.conftest import CHEAP, PASSWORD, FileState
from tests.vault.test_format import with_header_field
from tui.vault import (
    KeyfileCorrupt,
    KeyfileLocked,
    KeyfileNotFound,
    KeyfileTooNew,
    UnsafePermissions,
    Vault,
)


def test_a_sound_keyfile_passes_and_stays_untouched_and_unlocked(populated: Path) -> None:
    before = FileState.of(populated)
    Vault.inspect(populated)
    assert FileState.of(populated) == before
    with Vault.open(populated, PASSWORD, kdf=CHEAP):  # inspect let go of the lock
        pass


def test_missing_keyfile(tmp_path: Path) -> None:
    with pytest.raises(KeyfileNotFound):
        Vault.inspect(tmp_path / "keys.kdk")


def test_damage_is_found_without_the_password(populated: Path) -> None:
    data = bytearray(populated.read_bytes())
    data[100] ^= 0x01
    populated.write_bytes(bytes(data))
    before = FileState.of(populated)
    with pytest.raises(KeyfileCorrupt, match="damaged"):
        Vault.inspect(populated)
    assert FileState.of(populated) == before


def test_newer_format_is_found_without_the_password(populated: Path) -> None:
    populated.write_bytes(with_header_field(populated.read_bytes(), 1, 2))
    with pytest.raises(KeyfileTooNew):
        Vault.inspect(populated)


def test_too_open_permissions_name_the_fix(populated: Path) -> None:
    os.chmod(populated, 0o644)
    with pytest.raises(UnsafePermissions) as caught:
        Vault.inspect(populated)
    assert f"chmod 600 {populated}" in str(caught.value)


def test_a_keyfile_in_use_is_reported_as_locked(populated: Path) -> None:
    with Vault.open(populated, PASSWORD, kdf=CHEAP), pytest.raises(KeyfileLocked):
        Vault.inspect(populated)


@pytest.mark.parametrize("log_n", range(16, 21))
def test_scrypt_beyond_rfc7914_is_corrupt_before_any_derivation(
    populated: Path, log_n: int
) -> None:
    """scrypt r=1 with N >= 2^16 is inside the plain caps but RFC 7914 forbids it (OpenSSL
    raises MemoryError). Refused with KeyfileCorrupt by inspect, which never derives, and by
    open, which would have raised MemoryError had it derived."""
    data = populated.read_bytes()
    for index, value in ((2, 2), (4, log_n), (5, 1), (6, 1)):  # scrypt, log2 N, r, p
        data = with_header_field(data, index, value)
    populated.write_bytes(data)
    before = FileState.of(populated)
    with pytest.raises(KeyfileCorrupt, match="RFC 7914"):
        Vault.inspect(populated)
    with pytest.raises(KeyfileCorrupt, match="RFC 7914"):
        Vault.open(populated, PASSWORD, kdf=CHEAP)
    assert FileState.of(populated) == before
