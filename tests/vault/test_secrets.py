"""No secret in logs, output, reprs, error messages, or a crash report that shows locals."""

from __future__ import annotations

import io
import json
import logging
import subprocess
import sys
from pathlib import Path

import pytest

from tests.vault.conftest import (
    ALL_SECRETS,
    BINANCE_KEY,
    BINANCE_SECRET,
    CHEAP,
    PASSWORD,
    another_key,
    binance_account,
    okx_account,
    reseal,
)
from tui.base.redact import Secret
from tui.vault import (
    KeyfileCorrupt,
    KeyfileLocked,
    Vault,
    VaultError,
    WrongPassword,
    password_strength,
)
from tui.vault.container import unlock

NEW_PASSWORD = "second-master-password-77"


def render_with_locals(error: BaseException) -> str:
    """What Textual's crash screen prints: rich's traceback with every frame's locals."""
    from rich.console import Console
    from rich.traceback import Traceback

    console = Console(file=io.StringIO(), width=160, color_system=None)
    console.print(
        Traceback.from_exception(
            type(error),
            error,
            error.__traceback__,
            show_locals=True,
            locals_max_length=1000,
            locals_max_string=1000,
        )
    )
    output = console.file.getvalue()  # type: ignore[attr-defined]
    assert "locals" in output or "──" in output  # it did render frames
    return output


def assert_no_secret(text: str, extra: tuple[str, ...] = ()) -> None:
    for secret in (*ALL_SECRETS, *extra):
        assert secret not in text


def test_reprs_and_strs_show_no_secret(populated: Path) -> None:
    with Vault.open(populated, PASSWORD, kdf=CHEAP) as vault:
        shown = [repr(vault), str(vault)]
        for account in vault.accounts:
            shown += [repr(account), str(account), repr(account.credentials), account.display_name]
            shown += [repr(v) for v in account.credentials.values()]
        shown.append(repr(unlock(populated.read_bytes(), PASSWORD)))
        shown.append(repr(vault._key))
    assert_no_secret("\n".join(shown))


def test_logs_and_output_hold_no_secret(
    populated: Path, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.DEBUG)
    messages = []
    with Vault.open(populated, PASSWORD, kdf=CHEAP) as vault:
        vault.add(another_key(binance_account(), "spot"))
        vault.save()
        for attempt in (
            lambda: Vault.open(populated, PASSWORD, kdf=CHEAP),
            lambda: vault.change_password("wrong", NEW_PASSWORD, kdf=CHEAP),
            lambda: vault.add(binance_account()),
        ):
            with pytest.raises((VaultError, ValueError)) as caught:
                attempt()
            messages += [str(caught.value), repr(caught.value)]
        vault.change_password(PASSWORD, NEW_PASSWORD, kdf=CHEAP)
        password_strength(Secret(NEW_PASSWORD))
    with pytest.raises(WrongPassword) as wrong:
        Vault.open(populated, PASSWORD, kdf=CHEAP)
    messages += [str(wrong.value), repr(wrong.value)]
    captured = capsys.readouterr()
    assert caplog.records  # the vault does log
    logged = "\n".join(
        [caplog.text, *(str(r.args) for r in caplog.records), *messages, captured.out, captured.err]
    )
    assert_no_secret(logged, (NEW_PASSWORD,))


def test_crash_report_of_a_frame_holding_an_unlocked_vault(populated: Path) -> None:
    password = Secret(PASSWORD)
    vault = Vault.open(populated, password, kdf=CHEAP)
    account = vault.get("okx")
    config_keys = sorted(account.ccxt_config())  # type: ignore[union-attr]
    try:
        raise RuntimeError("the app crashed")
    except RuntimeError as error:
        output = render_with_locals(error)
    finally:
        vault.close()
    assert "vault" in output and "account" in output and "password" in output
    assert "Account(exchange='okx'" in output and config_keys
    assert_no_secret(output)


def write_half_valid_payload(path: Path) -> None:
    """A payload that decrypts (secrets then in plain text in the parser's frames) but whose
    second account is invalid, so the error escapes from deep inside the parser."""
    document = {
        "schema": 1,
        "accounts": [
            {
                "id": "a1",
                "exchange": "binance",
                "label": "main",
                "credentials": {"apiKey": BINANCE_KEY, "secret": BINANCE_SECRET},
                "created_at": "2025-01-01T00:00:00+00:00",
                "updated_at": "2025-01-01T00:00:00+00:00",
            },
            {"id": "a2", "exchange": 42, "credentials": {"secret": BINANCE_SECRET}},
        ],
    }
    reseal(path, json.dumps(document).encode())


def test_crash_inside_the_vault_after_decrypting_shows_no_secret(populated: Path) -> None:
    write_half_valid_payload(populated)
    # The hazard is real: the parser's own frames hold the secrets...
    with pytest.raises(KeyfileCorrupt) as unguarded:
        unlock(populated.read_bytes(), PASSWORD)
    assert BINANCE_SECRET in render_with_locals(unguarded.value)
    # ... and the public entry point does not let them out.
    password = Secret(PASSWORD)
    with pytest.raises(KeyfileCorrupt) as caught:
        Vault.open(populated, password, kdf=CHEAP)
    output = render_with_locals(caught.value)
    assert "KeyfileCorrupt" in output
    assert_no_secret(output)


def test_unexpected_error_while_saving_shows_no_secret(
    populated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bug (here: json.dumps failing) while the payload document holds plain credentials."""

    def broken_dumps(*args: object, **kwargs: object) -> str:
        raise RuntimeError("serialiser exploded")

    with Vault.open(populated, PASSWORD, kdf=CHEAP) as vault:
        vault.add(another_key(okx_account(), "second"))
        monkeypatch.setattr(json, "dumps", broken_dumps)
        with pytest.raises(RuntimeError, match="serialiser exploded") as caught:
            vault.save()
        monkeypatch.undo()
        output = render_with_locals(caught.value)
        vault.save()
    assert_no_secret(output)
    # Where it happened is kept as a note (file and line, no values).
    assert any("payload.py" in note for note in caught.value.__notes__)


def test_unexpected_error_while_unlocking_shows_no_secret(
    populated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tui.vault import account as account_module

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("validation bug")

    monkeypatch.setattr(account_module, "_endpoint", broken)
    with pytest.raises(RuntimeError) as caught:
        Vault.open(populated, Secret(PASSWORD), kdf=CHEAP)
    monkeypatch.undo()
    assert_no_secret(render_with_locals(caught.value))
    Vault.open(populated, PASSWORD, kdf=CHEAP).close()  # and the lock was released


def test_locked_error_shows_no_secret(populated: Path) -> None:
    with Vault.open(populated, PASSWORD, kdf=CHEAP), pytest.raises(KeyfileLocked) as caught:
        Vault.open(populated, Secret(PASSWORD), kdf=CHEAP)
    assert_no_secret(render_with_locals(caught.value))


def test_importing_the_vault_pulls_in_neither_textual_nor_ccxt() -> None:
    code = (
        "import sys, tui.vault\n"
        "heavy = ('textual', 'ccxt', 'rich', 'aiohttp', 'zxcvbn')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"
