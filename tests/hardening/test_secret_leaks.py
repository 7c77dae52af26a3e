"""The secret-leak scan: a scripted session of the real app (leak_session.py), then every
place a secret could end up is searched for every secret and the master password.

Scanned: the whole config dir (keyfile, backup, settings, log, catalog and markets caches,
the crash report in state/crashes), the screenshots, and the session's captured
stdout/stderr, which hold the crash message.
API keys are identifiers, not secrets: the key form shows them unmasked on purpose (as the
exchanges do), so they may appear in screenshots, but nowhere else.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.hardening.leak_session import MASTER_ENV, session_credentials
from tests.hardening.leakscan import listed_files, scan_files, scan_outputs

# Long (the whole matrix / a real pty session); one worker runs the module fixture once.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("secret-leaks")]

MASTER = "violet-harbor-quantum-trellis-58"
EXCHANGES_SHOWN = ("binance", "okx", "coinbase", "bybit")  # bybit's key gets a wrong secret
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    folder = tmp_path_factory.mktemp("leak-session")
    config_dir, shots = folder / "config", folder / "screenshots"
    env = {k: v for k, v in os.environ.items() if not k.startswith("KEYDECK_")}
    env.update({MASTER_ENV: MASTER, "PYTHONPATH": str(ROOT), "KEYDECK_CONFIG_DIR": str(config_dir)})
    result = subprocess.run(
        [sys.executable, "-m", "tests.hardening.leak_session", str(config_dir), str(shots)],
        capture_output=True,
        text=True,
        timeout=240,
        cwd=ROOT,
        env=env,
        check=False,
    )
    return {
        "config_dir": config_dir,
        "shots": shots,
        "code": result.returncode,
        "outputs": {"stdout": result.stdout, "stderr": result.stderr},
    }


def _secrets() -> tuple[list[str], list[str]]:
    """(secrets: the master password, secrets, passphrases, PEM keys; API keys)."""
    sets = session_credentials()
    secrets = {value for c in sets for name, value in c.items() if name != "apiKey"}
    return [MASTER, *sorted(secrets)], sorted({c["apiKey"] for c in sets})


def test_the_session_ran_every_step(session: dict[str, object]) -> None:
    outputs = session["outputs"]
    assert isinstance(outputs, dict)
    text = outputs["stdout"] + outputs["stderr"]
    assert session["code"] == 1, text[-3000:]  # the forced crash
    assert "Keydeck has exited after an unexpected error" in text
    assert "forced crash holding" in text  # the error's last line
    config_dir = Path(str(session["config_dir"]))
    reports = list((config_dir / "state" / "crashes").glob("crash-*.txt"))
    assert len(reports) == 1 and "forced crash holding" in reports[0].read_text()
    shots = [p.name for p in listed_files([Path(str(session["shots"]))])]
    for step in ("create", "key-form-binance", "findings-okx", "rejected-kraken"):
        assert any(step in name for name in shots), shots
    log = config_dir / "logs" / "keydeck.log"
    assert log.exists() and log.stat().st_size > 0
    assert (config_dir / "keys.kdk").exists()


def test_no_secret_anywhere(session: dict[str, object]) -> None:
    secrets, api_keys = _secrets()
    places = [Path(str(session["config_dir"])), Path(str(session["shots"]))]
    assert len(listed_files(places)) >= 10
    outputs = session["outputs"]
    assert isinstance(outputs, dict)
    hits = scan_files(places, secrets, public=api_keys) + scan_outputs(
        outputs, secrets, public=api_keys
    )
    assert not hits, [str(h) for h in hits]


def test_api_keys_only_where_the_form_shows_them(session: dict[str, object]) -> None:
    _, api_keys = _secrets()
    outputs = session["outputs"]
    assert isinstance(outputs, dict)
    hits = scan_files([Path(str(session["config_dir"]))], api_keys) + scan_outputs(
        outputs, api_keys
    )
    assert not hits, [str(h) for h in hits]


def test_a_real_terminal_session_shows_no_secret(tmp_path: Path) -> None:
    """`keydeck` in a real pty: the master password typed key by key, the dashboard with
    live balances and a rejected key; every byte written to the terminal is scanned."""
    from tests.hardening.ptysession import PtySession
    from tui.paths import Locations, ensure_private_dir
    from tui.sim import Simulator
    from tui.vault import Account, KdfParams, Vault

    with Simulator.start_in_thread() as sim:
        simulator = sim.simulator
        locations = Locations.resolve(str(tmp_path / "config"))
        ensure_private_dir(locations.config_dir)
        credentials = {e: dict(simulator.account(e, "main").credentials) for e in EXCHANGES_SHOWN}
        credentials["bybit"]["secret"] = simulator.account("bybit", "risky").credentials["secret"]
        with Vault.create(locations.keyfile, MASTER, kdf=KdfParams.insecure_fast()) as vault:
            for exchange, values in credentials.items():
                vault.add(
                    Account(
                        exchange=exchange,
                        label="main",
                        credentials=values,
                        endpoint=sim.endpoint(exchange),
                    )
                )
            vault.save()
        env = {k: v for k, v in os.environ.items() if not k.startswith("KEYDECK_")}
        env.update(KEYDECK_CONFIG_DIR=str(locations.config_dir), PYTHONPATH=str(ROOT))
        terminal = PtySession([sys.executable, "-m", "tui"], env=env, cwd=str(ROOT))
        try:
            assert terminal.wait_for("Unlock Keydeck", 60), terminal.text()[-500:]
            terminal.type(MASTER)
            terminal.send("\r")
            assert terminal.wait_for("Permissions", 60), "the dashboard never showed"
            terminal.pump(8)  # the first refresh: balances, the rejected key, findings
        finally:
            terminal.close()
    output = terminal.text()
    assert "Bybit" in output or "bybit" in output
    secrets = [
        MASTER,
        *sorted({v for c in credentials.values() for k, v in c.items() if k != "apiKey"}),
    ]
    api_keys = [c["apiKey"] for c in credentials.values()]
    hits = scan_outputs({"terminal": output}, secrets, public=api_keys)
    hits += scan_files([locations.config_dir], secrets, public=api_keys)
    assert not hits, [str(h) for h in hits]
