"""The accounts of an open keyfile, in the order they were added, with the uniqueness rules.

- ids are unique;
- a label is unique per exchange (`ValueError`, the form asks for another label);
- a key is stored once per exchange (`DuplicateAccount`, carrying the stored account so a
  form can offer to replace it). The key is compared by `Account.key_identity()`: apiKey,
  else the first of walletAddress, login, uid, accountId, privateKey, token, as plain strings.

Files written before the duplicate rule may hold duplicates: they open as they are, their
accounts can still be updated while keeping their key, and only a new key (added, or given to
an account by an update) is checked against the others.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable

from tui.vault.account import Account, utc_now
from tui.vault.errors import DuplicateAccount


class AccountBook:
    """Not thread-safe by itself: `Vault` calls it under its mutex."""

    def __init__(self, accounts: Iterable[Account] = ()) -> None:
        self._accounts: dict[str, Account] = {a.id: a for a in accounts}

    def all(self) -> tuple[Account, ...]:
        return tuple(self._accounts.values())

    def __len__(self) -> int:
        return len(self._accounts)

    def by_id(self, account_id: str) -> Account | None:
        return self._accounts.get(account_id)

    def matching(self, exchange: str, label: str | None) -> list[Account]:
        return [
            a
            for a in self._accounts.values()
            if a.exchange == exchange and (label is None or a.label == label)
        ]

    def add(self, account: Account) -> Account:
        if account.id in self._accounts:
            raise ValueError(f"an account with id {account.id!r} already exists")
        self._check(account)
        self._accounts[account.id] = account
        return account

    def update(self, account: Account) -> Account:
        """Replace the account with the same id; `updated_at` moves when the key changed."""
        stored = self._accounts.get(account.id)
        if stored is None:
            raise KeyError(f"no account with id {account.id!r}")
        same_key = (account.exchange, account.key_identity()) == (
            stored.exchange,
            stored.key_identity(),
        )
        self._check(account, keys=not same_key)  # old duplicates may still be verified
        if account.differs_in_key(stored) and account.updated_at == stored.updated_at:
            account = account.replace(updated_at=utc_now())
        self._accounts[account.id] = account
        return account

    def remove(self, account_id: str) -> Account:
        if account_id not in self._accounts:
            raise KeyError(f"no account with id {account_id!r}")
        return self._accounts.pop(account_id)

    def clear(self) -> None:
        self._accounts.clear()

    def holding_key_of(self, account: Account) -> Account | None:
        """Another stored account of the same exchange with the same key, if any."""
        identity = account.key_identity()
        if identity is None:
            return None
        name, value = identity
        for other in self._accounts.values():
            if other.id == account.id or other.exchange != account.exchange:
                continue
            theirs = other.credentials.get(name)
            if theirs is not None and hmac.compare_digest(theirs.reveal().encode(), value.encode()):
                return other
        return None

    def _check(self, account: Account, *, keys: bool = True) -> None:
        duplicate = self.holding_key_of(account) if keys else None
        if duplicate is not None:
            identity = account.key_identity()
            assert identity is not None
            raise DuplicateAccount(duplicate, identity[0])
        for other in self._accounts.values():
            if (
                other.id != account.id
                and other.exchange == account.exchange
                and other.label == account.label
            ):
                raise ValueError(
                    f"there is already a {account.exchange} account labelled {account.label!r}: "
                    "choose another label"
                )
