"""The public API the app, the connector and users' scripts rely on."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.vault.conftest import (
    BINANCE_KEY,
    BINANCE_SECRET,
    CHEAP,
    PASSWORD,
    binance_account,
    okx_account,
)
from tui.base.redact import Secret
from tui.vault import (
    Account,
    KeyfileExists,
    KeyfileNotFound,
    PasswordRejected,
    Vault,
    VaultClosed,
    VaultError,
    password_strength,
)


def test_account_holds_credentials_as_secrets_and_drops_empty_ones() -> None:
    account = Account(
        exchange="binance",
        label="main",
        credentials={"apiKey": BINANCE_KEY, "secret": Secret(BINANCE_SECRET), "uid": ""},
    )
    assert set(account.credentials) == {"apiKey", "secret"}
    assert all(isinstance(v, Secret) for v in account.credentials.values())
    assert account.ccxt_config() == {"apiKey": BINANCE_KEY, "secret": BINANCE_SECRET}
    assert account.sandbox is False and account.endpoint is None and account.verified_at is None
    assert account.created_at == account.updated_at
    assert account.created_at.tzinfo is not None
    assert len(account.id) == 12


def test_account_repr_shows_exchange_label_and_id_only() -> None:
    account = binance_account()
    assert repr(account) == f"Account(exchange='binance', label='main', id='{account.id}')"
    assert BINANCE_KEY not in repr(account.credentials)


def test_account_is_immutable_and_not_picklable() -> None:
    account = binance_account()
    with pytest.raises(AttributeError):
        account.label = "other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        account.credentials["apiKey"] = Secret("x")  # type: ignore[index]
    with pytest.raises(TypeError):
        pickle.dumps(account)


def test_replace_keeps_identity() -> None:
    account = binance_account()
    renamed = account.replace(label="spot")
    assert renamed.id == account.id and renamed.created_at == account.created_at
    assert renamed.label == "spot" and account.label == "main"


@pytest.mark.parametrize(
    "changes",
    [
        {"exchange": "Binance"},
        {"exchange": ""},
        {"label": ""},
        {"label": "two\nlines"},
        {"credentials": {"api key": "x"}},
        {"credentials": {"apiKey": 5}},
        {"sandbox": "yes"},
        {"verified_at": datetime(2025, 1, 1)},  # naive
    ],
)
def test_account_validation(changes: dict[str, object]) -> None:
    fields: dict[str, object] = {"exchange": "binance", "label": "main", "credentials": {}}
    fields.update(changes)
    with pytest.raises(ValueError):
        Account(**fields)  # type: ignore[arg-type]


def test_add_get_update_remove(keyfile: Path) -> None:
    with Vault.create(keyfile, PASSWORD, kdf=CHEAP) as vault:
        assert vault.accounts == () and not vault.dirty
        binance = vault.add(binance_account())
        okx = vault.add(okx_account())
        assert vault.dirty
        assert vault.get("binance") == binance
        assert vault.get("okx", "bot") == okx
        assert vault.get("okx", "other") is None and vault.get("kraken") is None
        spot_credentials = {"apiKey": "demo-key-binance-spot", "secret": "demo-secret-spot"}
        second = vault.add(
            binance_account().replace(id="b2", label="spot", credentials=spot_credentials)
        )
        with pytest.raises(ValueError, match="several binance"):
            vault.get("binance")
        with pytest.raises(ValueError, match="already"):
            vault.add(binance_account().replace(credentials={"apiKey": "other"}))  # same label
        with pytest.raises(ValueError, match="already exists"):
            vault.add(second)

        verified = datetime(2025, 5, 5, tzinfo=UTC)
        stored = vault.update(binance.replace(verified_at=verified, acknowledged={"x"}))
        assert stored.updated_at == binance.updated_at  # metadata only
        rekeyed = vault.update(binance.replace(credentials={"apiKey": "demo-key-new"}))
        assert rekeyed.updated_at >= binance.updated_at
        with pytest.raises(ValueError, match="already"):
            vault.update(second.replace(label="main"))
        with pytest.raises(KeyError):
            vault.update(binance_account())  # unknown id

        assert vault.remove(second.id) == second
        with pytest.raises(KeyError):
            vault.remove(second.id)
        vault.save()
        assert not vault.dirty
    with Vault.open(keyfile, PASSWORD, kdf=CHEAP) as vault:
        assert [a.exchange for a in vault.accounts] == ["binance", "okx"]
        assert vault.get("binance").ccxt_config() == {"apiKey": "demo-key-new"}  # type: ignore[union-attr]


def test_close_wipes_the_key_and_refuses_further_use(keyfile: Path) -> None:
    vault = Vault.create(keyfile, PASSWORD, kdf=CHEAP)
    vault.add(binance_account())
    key = vault._key
    vault.close()
    assert vault.closed and key == bytearray(len(key))
    vault.close()  # idempotent
    for use in (lambda: vault.accounts, vault.save, lambda: vault.get("binance")):
        with pytest.raises(VaultClosed):
            use()
    assert "locked" in repr(vault)
    Vault.open(keyfile, PASSWORD, kdf=CHEAP).close()  # the lock was released


def test_vault_keeps_no_password(keyfile: Path) -> None:
    with Vault.create(keyfile, PASSWORD, kdf=CHEAP) as vault:
        for value in vars(vault).values():
            assert value != PASSWORD
            assert not (isinstance(value, Secret) and value.reveal() == PASSWORD)


def test_create_refuses_an_empty_password_and_existing_files(keyfile: Path) -> None:
    with pytest.raises(PasswordRejected):
        Vault.create(keyfile, "", kdf=CHEAP)
    assert not keyfile.exists()
    Vault.create(keyfile, PASSWORD, kdf=CHEAP).close()
    with pytest.raises(KeyfileExists) as caught:
        Vault.create(keyfile, PASSWORD, kdf=CHEAP)
    assert "never replaces" in str(caught.value)


def test_change_password_refuses_an_empty_new_one(keyfile: Path) -> None:
    with Vault.create(keyfile, PASSWORD, kdf=CHEAP) as vault:
        with pytest.raises(PasswordRejected):
            vault.change_password(PASSWORD, "", kdf=CHEAP)
        assert vault.check_password(PASSWORD)


def test_open_missing_file(keyfile: Path) -> None:
    with pytest.raises(KeyfileNotFound) as caught:
        Vault.open(keyfile, PASSWORD)
    assert isinstance(caught.value, FileNotFoundError) and isinstance(caught.value, VaultError)
    assert not keyfile.parent.exists()  # opening creates nothing


def test_none_means_the_default_location(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KEYDECK_CONFIG_DIR", str(tmp_path / "deck"))
    with Vault.create(None, PASSWORD, kdf=CHEAP) as vault:
        assert vault.path == tmp_path / "deck" / "keys.kdk"
    assert (tmp_path / "deck").stat().st_mode & 0o777 == 0o700
    with Vault.open(None, PASSWORD, kdf=CHEAP) as vault:
        assert vault.accounts == ()


def test_password_strength() -> None:
    assert password_strength("") == (0, "Enter a password.")
    weak, advice = password_strength("password")
    assert weak == 0 and advice
    strong, _ = password_strength("plinth-marmalade-oscillate-47-quietly")
    assert strong == 4
    long_score, _ = password_strength(Secret("a9$Kq" * 30))  # over zxcvbn's 72-char limit
    assert 0 <= long_score <= 4


def test_open_in_a_worker_thread_and_close_in_another(populated: Path) -> None:
    """The UI derives the key in a thread worker and locks from the main thread."""
    import threading

    opened: list[Vault] = []
    worker = threading.Thread(
        target=lambda: opened.append(Vault.open(populated, PASSWORD, kdf=CHEAP))
    )
    worker.start()
    worker.join(timeout=30)
    (vault,) = opened
    assert len(vault.accounts) == 2
    vault.close()
    Vault.open(populated, PASSWORD, kdf=CHEAP).close()


def test_leaving_the_with_block_by_an_exception_closes(populated: Path) -> None:
    with pytest.raises(RuntimeError), Vault.open(populated, PASSWORD, kdf=CHEAP) as vault:
        raise RuntimeError("boom")
    assert vault.closed
    Vault.open(populated, PASSWORD, kdf=CHEAP).close()


def test_a_forgotten_vault_releases_its_lock_when_collected(populated: Path) -> None:
    import gc

    Vault.open(populated, PASSWORD, kdf=CHEAP)  # never closed, no reference kept
    gc.collect()
    Vault.open(populated, PASSWORD, kdf=CHEAP).close()
