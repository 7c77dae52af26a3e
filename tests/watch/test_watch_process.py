"""`keydeck watch --interval 1` as a real process: events on stdout and to a webhook,
SIGTERM stops it cleanly, a restart does not alert again, the app's lock does not stop it."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from pathlib import Path
from typing import Any

from tests.support.accounts import sim_account
from tests.watch.helpers import PASSWORD, WebhookReceiver, eventually, make_keyfile
from tui.sim import Simulator
from tui.vault import KdfParams, Vault


class WatchProcess:
    def __init__(self, config_dir: Path, *args: str) -> None:
        self.config_dir = config_dir
        self.args = args
        self.lines: list[dict[str, Any]] = []
        self.process: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task[None] | None = None

    async def start(self) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("KEYDECK_")}
        env["KEYDECK_CONFIG_DIR"] = str(self.config_dir)
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tui",
            "watch",
            "--interval",
            "1",
            "--password-stdin",
            *self.args,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=env,
        )
        assert self.process.stdin is not None
        self.process.stdin.write(PASSWORD.encode() + b"\n")
        await self.process.stdin.drain()
        self.process.stdin.close()
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        async for line in self.process.stdout:
            self.lines.append(json.loads(line))

    async def stop(self) -> tuple[int, str]:
        assert self.process is not None and self.process.stderr is not None
        self.process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(self.process.wait(), 30)
        assert self._reader is not None
        await self._reader
        err = (await self.process.stderr.read()).decode()
        return code, err


async def test_watch_process_alerts_once_stops_on_sigterm_and_remembers(tmp_path: Path) -> None:
    async with Simulator(exchanges=["kucoin"]) as sim, WebhookReceiver() as receiver:
        config_dir = tmp_path / "config"
        locations = make_keyfile(config_dir, [sim_account(sim, "kucoin")])
        # The app has the keyfile open (write lock held) the whole time: watch reads beside it.
        holder = Vault.open(locations.keyfile, PASSWORD, kdf=KdfParams.insecure_fast())
        try:
            watch = WatchProcess(config_dir, "--webhook", receiver.url)
            await watch.start()
            await eventually(lambda: (config_dir / "state").is_dir(), 60, "a first round")
            sim.set_faults("kucoin", "main", expired=True)
            await eventually(lambda: receiver.events("account_failed"), 60, "account_failed")
            await asyncio.sleep(3)  # more failing rounds
            code, err = await watch.stop()
            assert code == 0 and "stopped" in err and "Traceback" not in err, err
            assert PASSWORD not in err
            [failed] = receiver.events("account_failed")
            assert failed["exchange"] == "kucoin" and failed["label"] == "main"
            assert [line for line in watch.lines if line["event"] == "account_failed"] == [failed]

            again = WatchProcess(config_dir, "--webhook", receiver.url)
            await again.start()
            await asyncio.sleep(5)
            code, err = await again.stop()
            assert code == 0, err
            assert len(receiver.events("account_failed")) == 1 and again.lines == []
        finally:
            holder.close()
