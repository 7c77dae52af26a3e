"""One key, one account: `add`/`update` refuse a key already stored under another account."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.vault.conftest import (
    ALL_SECRETS,
    BINANCE_KEY,
    CHEAP,
    PASSWORD,
    another_key,
    binance_account,
    okx_account,
    reseal,
)
from tui.vault import IDENTIFYING_CREDENTIALS, Account, DuplicateAccount, Vault, VaultError


def test_the_same_key_under_another_label_is_refused_naming_the_stored_account(
    populated: Path,
) -> None:
    with Vault.open(populated, PASSWORD, kdf=CHEAP) as vault:
        stored = vault.get("binance", "main")
        assert stored is not None
        again = binance_account().replace(label="spot", notes={"from": "the form"})
        with pytest.raises(DuplicateAccount) as caught:
            vault.add(again)
        error = caught.value
        assert isinstance(error, VaultError) and isinstance(error, ValueError)
        assert error.existing == stored
        assert (error.existing.label, error.existing.id) == ("main", stored.id)
        assert error.credential == "apiKey"
        assert error.path == populated
        message = str(error)
        assert "already stored as 'main'" in message and stored.id in message
        assert not any(secret in message + repr(error) for secret in ALL_SECRETS)
        assert not vault.dirty and len(vault.accounts) == 2
        # What a form offers: replace the stored account with the new values.
        replaced = vault.update(again.replace(id=stored.id, created_at=stored.created_at))
        assert [a.label for a in vault.accounts] == ["spot", "bot"]
        assert replaced.notes == {"from": "the form"}


def test_the_same_key_on_another_exchange_or_a_different_key_is_accepted(
    populated: Path,
) -> None:
    with Vault.open(populated, PASSWORD, kdf=CHEAP) as vault:
        vault.add(binance_account().replace(exchange="binanceusdm", label="futures"))
        vault.add(another_key(binance_account(), "spot"))
        # Compared as plain strings: a key differing only in case is another key.
        vault.add(
            binance_account().replace(
                label="upper", credentials={"apiKey": BINANCE_KEY.upper(), "secret": "s"}
            )
        )
        assert len(vault.accounts) == 5


def test_an_update_that_would_take_another_accounts_key_is_refused(populated: Path) -> None:
    with Vault.open(populated, PASSWORD, kdf=CHEAP) as vault:
        main = vault.get("binance", "main")
        spot = vault.add(another_key(binance_account(), "spot"))
        assert main is not None
        with pytest.raises(DuplicateAccount) as caught:
            vault.update(spot.replace(credentials=main.ccxt_config()))
        assert caught.value.existing.id == main.id
        assert vault.get_by_id(spot.id) == spot
        # Its own key is no collision: verifying or relabelling an account is an update.
        vault.update(main.replace(label="renamed", notes={"checked": "yes"}))
        assert vault.holding_key_of(main) is None
        assert vault.holding_key_of(main.replace(id="other")) == vault.get_by_id(main.id)


@pytest.mark.parametrize(
    ("credentials", "identifying"),
    [
        ({"walletAddress": "0xabc123", "privateKey": "pk-one"}, "walletAddress"),
        ({"login": "trader7", "password": "pw-one"}, "login"),
        ({"uid": "1234567", "secret": "secret-one"}, "uid"),
        ({"privateKey": "pk-only-one"}, "privateKey"),
    ],
)
def test_exchanges_without_an_api_key_use_the_first_identifying_credential(
    keyfile: Path, credentials: dict[str, str], identifying: str
) -> None:
    with Vault.create(keyfile, PASSWORD, kdf=CHEAP) as vault:
        first = vault.add(Account(exchange="hyperliquid", label="one", credentials=credentials))
        assert first.key_identity() == (identifying, credentials[identifying])
        others = {n: v + "-other" for n, v in credentials.items() if n != identifying}
        same = {identifying: credentials[identifying], **others}
        with pytest.raises(DuplicateAccount) as caught:
            vault.add(Account(exchange="hyperliquid", label="two", credentials=same))
        assert caught.value.credential == identifying
        different = {**credentials, identifying: credentials[identifying] + "-2"}
        vault.add(Account(exchange="hyperliquid", label="three", credentials=different))


def test_the_identifying_order_prefers_the_api_key() -> None:
    assert IDENTIFYING_CREDENTIALS[0] == "apiKey"
    account = Account(
        exchange="okx", credentials={"uid": "u1", "apiKey": "k1", "walletAddress": "0x1"}
    )
    assert account.key_identity() == ("apiKey", "k1")
    assert Account(exchange="okx", credentials={"secret": "s"}).key_identity() is None


def test_accounts_with_no_identifying_credential_are_never_duplicates(keyfile: Path) -> None:
    with Vault.create(keyfile, PASSWORD, kdf=CHEAP) as vault:
        vault.add(Account(exchange="kraken", label="a", credentials={"secret": "s1"}))
        vault.add(Account(exchange="kraken", label="b", credentials={"secret": "s1"}))


def test_a_file_written_before_the_rule_with_duplicates_still_opens(populated: Path) -> None:
    document = {
        "schema": 1,
        "accounts": [
            {
                "id": f"id{number}",
                "exchange": "binance",
                "label": f"label{number}",
                "credentials": {"apiKey": BINANCE_KEY, "secret": "s"},
                "created_at": "2025-01-01T00:00:00+00:00",
                "updated_at": "2025-01-01T00:00:00+00:00",
            }
            for number in (1, 2)
        ],
    }
    reseal(populated, json.dumps(document).encode())
    with Vault.open(populated, PASSWORD, kdf=CHEAP) as vault:
        assert [a.id for a in vault.accounts] == ["id1", "id2"]
        vault.update(vault.accounts[0].replace(notes={"n": "x"}))  # metadata is fine
        with pytest.raises(DuplicateAccount):
            vault.add(binance_account())
        vault.remove("id2")
        vault.save()


def test_okx_passphrase_alone_does_not_make_a_duplicate(populated: Path) -> None:
    with Vault.open(populated, PASSWORD, kdf=CHEAP) as vault:
        same_passphrase = another_key(okx_account(), "second")
        vault.add(same_passphrase.replace(credentials={"apiKey": "k2", "password": "p"}))
