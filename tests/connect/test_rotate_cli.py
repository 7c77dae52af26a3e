"""`keydeck rotate` from the terminal: new key from the environment, verified and compared;
a gained withdraw refused unless allowed; the old key kept until it is seen refused."""

from __future__ import annotations

import asyncio
import os
import re
import sys
from pathlib import Path

from tests.connect.conftest import account_for
from tests.connect.test_check_cli import PASSWORD, _config_dir, _keyfile
from tui.sim import Simulator
from tui.vault import Vault


async def _rotate(config: Path, *args: str, new: dict[str, str] | None = None) -> tuple[int, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KEYDECK_")}
    env.update(KEYDECK_CONFIG_DIR=str(config), KEYDECK_PASSWORD=PASSWORD)
    names = {"apiKey": "API_KEY", "secret": "API_SECRET", "password": "API_PASSWORD"}
    for name, value in (new or {}).items():
        env[f"KEYDECK_NEW_{names[name]}"] = value
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tui", "rotate", *args,
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT, env=env,
    )  # fmt: skip
    out, _ = await asyncio.wait_for(process.communicate(), timeout=60)
    text = out.decode()
    assert "Traceback" not in text and PASSWORD not in text, text
    for value in (new or {}).values():
        assert value not in text
    return process.returncode or 0, text


def _stored(config: Path) -> list[tuple[str, str]]:
    with Vault.open(config / "keys.kdk", PASSWORD, read_only=True) as vault:
        return sorted((a.label, a.credentials["apiKey"].reveal()) for a in vault.accounts)


async def test_rotate_from_the_terminal(sim: Simulator, tmp_path: Path) -> None:
    config = _config_dir(tmp_path, "rotate")
    _keyfile(config, [account_for(sim, "okx", "main")])
    risky = dict(sim.account("okx", "risky").credentials)  # can withdraw
    code, text = await _rotate(config, "okx", new=risky)
    assert code == 1 and "withdraw funds" in text and "Not saved" in text
    assert re.search(r"withdraw funds +no +yes +⚠ gained", text), text
    old_key = sim.account("okx", "main").credentials["apiKey"]
    assert [key for _, key in _stored(config)] == [old_key]

    code, text = await _rotate(config, "okx", "--allow-withdraw", new=risky)
    assert code == 0 and "verified and saved" in text and "--check-old" in text
    assert sorted(key for _, key in _stored(config)) == sorted([old_key, risky["apiKey"]])

    code, text = await _rotate(config, "okx", "--check-old")
    assert code == 1 and "STILL WORKS" in text
    sim.set_faults("okx", "main", expired=True)  # deleted at the exchange
    code, text = await _rotate(config, "okx", "--check-old")
    assert code == 0 and "revoked" in text
    assert [key for _, key in _stored(config)] == [risky["apiKey"]]


async def test_rotate_says_which_rights_are_lost(sim: Simulator, tmp_path: Path) -> None:
    """The app's old-vs-new table: a move to a read-only key says it can no longer trade."""
    config = _config_dir(tmp_path, "lost")
    _keyfile(config, [account_for(sim, "okx", "main")])
    read_only = dict(sim.account("okx", "sub").credentials)
    code, text = await _rotate(config, "okx", new=read_only)
    assert code == 0 and "verified and saved" in text, text
    assert "What each key may do" in text and "old key  new key" in text
    assert re.search(r"trade spot +yes +no +lost", text), text
