"""Another Keydeck keyfile (a `keydeck backup`, another machine's keys.kdk), opened
read-only with its own password. Accounts keep their labels, sandbox flag and endpoint."""

from __future__ import annotations

from pathlib import Path

from tui.keys_io.sources import Candidate, PasswordReader, SourceError, SourceRead


def read_keyfile(path: Path, source_password: PasswordReader) -> SourceRead:
    from tui.vault import KeyfileCorrupt, Vault, VaultError, WrongPassword

    if not path.is_file():
        raise SourceError(f"No Keydeck keyfile at {path}.")
    try:
        Vault.inspect(path, read_only=True)
        password = source_password(f"Password of {path.name}")
        vault = Vault.open(path, password, read_only=True)
    except WrongPassword:
        raise SourceError(
            f"The password given for {path} (KEYDECK_IMPORT_PASSWORD or the prompt) does not "
            "open it. Give the password that keyfile or backup was saved with, which may "
            "differ from your Keydeck password. Nothing was imported."
        ) from None
    except KeyfileCorrupt as error:
        raise SourceError(f"{path} is not a readable Keydeck keyfile ({error.reason}).") from None
    except VaultError as error:
        raise SourceError(str(error)) from None
    result = SourceRead(source="keydeck", path=path)
    with vault:
        for account in vault.accounts:
            result.candidates.append(
                Candidate(
                    exchange=account.exchange,
                    credentials=dict(account.credentials),
                    origin=f"{path.name}: {account.exchange}/{account.label}",
                    label=account.label,
                    sandbox=account.sandbox,
                    endpoint=account.endpoint,
                )
            )
    return result
