"""`keydeck exec` as a subprocess: the child's variables, its exit code, no password handed
down, no secret in Keydeck's own output or log, and the withdrawal check (simulator)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from tests.keys_io.helpers import PASSWORD, environ_without_passwords, make_keyfile
from tests.support.accounts import sim_account
from tui.base.paths import Locations
from tui.sim import Simulator
from tui.sim.thread import SimulatorThread

PRINT_ENV = (
    "import json, os; print(json.dumps({k: v for k, v in os.environ.items() "
    "if k.startswith(('KEYDECK', 'FREQTRADE'))}))"
)


@pytest.fixture(scope="module")
def sim() -> Iterator[SimulatorThread]:
    with SimulatorThread.start(Simulator()) as running:
        yield running


@pytest.fixture
def config(tmp_path: Path, sim: SimulatorThread) -> Path:
    root = tmp_path / "config"
    accounts = [
        sim_account(sim.simulator, "binance", "main"),
        sim_account(sim.simulator, "binance", "risky"),
        sim_account(sim.simulator, "okx", "main"),
    ]
    make_keyfile(Locations.resolve(root), accounts)
    return root


def keydeck(
    config: Path, *args: str, extra_env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    env = environ_without_passwords()
    env.update(KEYDECK_CONFIG_DIR=str(config), KEYDECK_PASSWORD=PASSWORD, **(extra_env or {}))
    return subprocess.run(
        [sys.executable, "-m", "tui", "exec", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _secrets(sim: SimulatorThread, *accounts: tuple[str, str]) -> list[str]:
    values = [PASSWORD]
    for exchange, label in accounts:
        creds = sim.simulator.account(exchange, label).credentials
        values += [v for k, v in creds.items() if k != "apiKey"]
    return values


def _env_of(result: subprocess.CompletedProcess[str]) -> dict[str, str]:
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_exit_code_and_no_secret_in_keydecks_output(config: Path, sim: SimulatorThread) -> None:
    result = keydeck(config, "binance/main", "--", "sh", "-c", "exit 7")
    assert result.returncode == 7, result.stderr
    secrets = _secrets(sim, ("binance", "main"))
    assert not [s for s in secrets if s in result.stdout + result.stderr]
    log_text = (config / "logs" / "keydeck.log").read_text()
    assert "exec binance/main as env: sh" in log_text
    assert not [s for s in secrets if s in log_text]


def test_env_variables(config: Path, sim: SimulatorThread) -> None:
    stale = {
        "KEYDECK_API_UID": "from-another-account",
        "KEYDECK_IMPORT_PASSWORD": "x" * 8,
        "KEYDECK_BACKUP_PASSWORD": "y" * 8,
        "KEYDECK_WEBHOOKS": "https://hooks.example/secret-token",
        "KEYDECK_NEW_API_KEY": "a-new-key-being-rotated",
        "KEYDECK_NEW_API_SECRET": "a-new-secret-being-rotated",
    }
    env = _env_of(
        keydeck(config, "binance/main", "--", sys.executable, "-c", PRINT_ENV, extra_env=stale)
    )
    creds = sim.simulator.account("binance", "main").credentials
    handed_over = {
        "KEYDECK_EXCHANGE",
        "KEYDECK_API_KEY",
        "KEYDECK_API_SECRET",
        "KEYDECK_CCXT_CONFIG",
    }
    assert env["KEYDECK_EXCHANGE"] == "binance"
    assert env["KEYDECK_API_KEY"] == creds["apiKey"]
    assert env["KEYDECK_API_SECRET"] == creds["secret"]
    config_json = json.loads(env["KEYDECK_CCXT_CONFIG"])
    assert config_json["apiKey"] == creds["apiKey"] and config_json["secret"] == creds["secret"]
    assert all(
        url.startswith(sim.endpoint("binance"))
        for url in config_json["urls"]["api"].values()
        if isinstance(url, str) and url.startswith("http")
    )
    # Keydeck's passwords and a stale variable of the same form never reach the child.
    assert not {"KEYDECK_PASSWORD", "KEYDECK_IMPORT_PASSWORD", "KEYDECK_API_UID"} & set(env)
    # Nor any other KEYDECK_* variable: webhooks, a rotation's new key, the config dir.
    assert not [k for k in env if k.startswith("KEYDECK_") and k not in handed_over]


def test_ccxt_config_works_in_a_ccxt_script(config: Path, sim: SimulatorThread) -> None:
    script = (
        "import ccxt, json, os\n"
        "exchange = ccxt.okx(json.loads(os.environ['KEYDECK_CCXT_CONFIG']))\n"
        "print(sorted(os.environ.keys() & {'KEYDECK_API_KEY', 'KEYDECK_CCXT_CONFIG'}))\n"
        "print(exchange.private_get_account_balance()['code'] == '0')\n"  # a signed call
    )
    result = keydeck(config, "okx", "--as", "ccxt", "--", sys.executable, "-c", script)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:2] == ["['KEYDECK_CCXT_CONFIG']", "True"]


def test_freqtrade_form(config: Path, sim: SimulatorThread) -> None:
    result = keydeck(config, "--as", "freqtrade", "okx", "--", sys.executable, "-c", PRINT_ENV)
    env = _env_of(result)
    creds = sim.simulator.account("okx", "main").credentials
    assert {k: v for k, v in env.items() if k.startswith("FREQTRADE")} == {
        "FREQTRADE__EXCHANGE__NAME": "okx",
        "FREQTRADE__EXCHANGE__KEY": creds["apiKey"],
        "FREQTRADE__EXCHANGE__SECRET": creds["secret"],
        "FREQTRADE__EXCHANGE__PASSWORD": creds["password"],
    }
    assert not [k for k in env if k.startswith("KEYDECK_API")]
    assert "endpoint/sandbox setting is not passed to Freqtrade" in result.stderr


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("binance/risky", "--", "true"), 125, "can withdraw funds"),
        (("binance", "--", "true"), 125, "binance has several accounts"),
        (("kraken", "--", "true"), 125, "No account 'kraken'"),
        (("binance/main", "--"), 125, "give the command after --"),
        (("binance/main", "--", "no-such-command-kd"), 127, "command not found"),
    ],
)
def test_refusals(config: Path, args: Sequence[str], code: int, message: str) -> None:
    result = keydeck(config, *args)
    assert result.returncode == code and message in result.stderr, result.stderr


def test_allow_withdraw(config: Path) -> None:
    result = keydeck(config, "binance/risky", "--allow-withdraw", "--", "sh", "-c", "exit 3")
    assert result.returncode == 3, result.stderr


def test_runs_while_the_app_holds_the_keyfile(config: Path) -> None:
    from tests.support.app import cheap_kdf
    from tui.vault import Vault

    with Vault.open(config / "keys.kdk", PASSWORD, **cheap_kdf()):
        result = keydeck(config, "okx", "--", "sh", "-c", "exit 0")
    assert result.returncode == 0, result.stderr
    assert os.environ.get("KEYDECK_PASSWORD") != PASSWORD  # the test never leaked it here


def test_import_and_backup_from_the_command_line(config: Path, tmp_path: Path) -> None:
    """The argv wiring of `keydeck import` and `keydeck backup` (the keyfile opened read-only)."""
    env_file = tmp_path / "bot.env"
    env_file.write_text("GATE_API_KEY=cli-gate-key\nGATE_API_SECRET=cli-gate-secret-0801\n")
    env = environ_without_passwords()
    env.update(KEYDECK_CONFIG_DIR=str(config), KEYDECK_PASSWORD=PASSWORD)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "tui", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    before = (config / "keys.kdk").read_bytes()
    result = run(
        "import", "env", str(env_file), "--dry-run", "--endpoint", "gate=http://127.0.0.1:9"
    )
    assert result.returncode == 0, result.stderr
    assert "+ gate" in result.stdout and "endpoint http://127.0.0.1:9" in result.stdout
    assert "cli-gate-secret-0801" not in result.stdout + result.stderr
    result = run("import", "env", str(env_file), "--endpoint", "gate")
    assert result.returncode == 2 and "EXCHANGE=URL" in result.stderr
    result = run("backup", str(tmp_path / "copy.kdk"))
    assert result.returncode == 0 and "keydeck import keydeck" in result.stdout, result.stderr
    assert (config / "keys.kdk").read_bytes() == before


def test_password_stdin_leaves_the_rest_to_the_command(config: Path) -> None:
    env = environ_without_passwords()
    env["KEYDECK_CONFIG_DIR"] = str(config)
    result = subprocess.run(
        [sys.executable, "-m", "tui", "exec", "okx", "--password-stdin", "--", "cat"],
        input=f"{PASSWORD}\nfirst line for the bot\nsecond\n",
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "first line for the bot\nsecond\n"


@pytest.mark.parametrize("fault", ["maintenance", "malformed_json"])
def test_fails_closed_when_the_exchange_cannot_say(
    config: Path, sim: SimulatorThread, fault: str
) -> None:
    """A 500-class answer or one of unexpected shape never lets the command run."""
    sim.simulator.set_faults("okx", **{fault: True})
    try:
        result = keydeck(config, "okx", "--", "sh", "-c", "echo RAN")
        allowed = keydeck(config, "okx", "--allow-withdraw", "--", "sh", "-c", "echo RAN")
    finally:
        sim.simulator.clear_faults()
    assert result.returncode == 125, result.stderr
    assert "RAN" not in result.stdout
    assert "could not confirm that okx/main cannot withdraw" in result.stderr
    assert "--allow-withdraw" in result.stderr
    assert allowed.returncode == 0 and allowed.stdout == "RAN\n", allowed.stderr


def test_fails_closed_on_a_timeout(config: Path, sim: SimulatorThread) -> None:
    """In process, with a 1 s request timeout instead of 15 s: a silent exchange refuses."""
    from tests.support.app import cheap_kdf
    from tui.commands.exec_command import EXIT_KEYDECK, refuse_withdrawals
    from tui.commands.preamble import Failed
    from tui.vault import Vault

    locations = Locations.resolve(config)
    sim.simulator.set_faults("okx", timeout=True)
    try:
        with Vault.open(locations.keyfile, PASSWORD, read_only=True, **cheap_kdf()) as vault:
            account = vault.get("okx")
            with pytest.raises(Failed) as refused:
                refuse_withdrawals(vault, account, locations, timeout_s=1.0)
    finally:
        sim.simulator.clear_faults()
    assert refused.value.code == EXIT_KEYDECK
    assert "could not confirm" in str(refused.value)
