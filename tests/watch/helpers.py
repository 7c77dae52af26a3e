"""A webhook receiver on 127.0.0.1 and a keyfile of simulator accounts, for the watch tests."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from aiohttp import web

from tui.base.paths import Locations
from tui.vault import Account, KdfParams, Vault

PASSWORD = "correct horse battery staple 42"


class WebhookReceiver:
    """Collects POSTed JSON; `fail_next` answers that many requests with HTTP 500."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.attempts = 0
        self.fail_next = 0
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def _handle(self, request: web.Request) -> web.Response:
        self.attempts += 1
        if self.fail_next > 0:
            self.fail_next -= 1
            return web.Response(status=500, text="down for a moment")
        self.received.append(await request.json())
        return web.Response(status=204)

    async def __aenter__(self) -> WebhookReceiver:
        app = web.Application()
        app.router.add_post("/hook/{token}", self._handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}/hook/s3cr3t-token"
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        assert self._runner is not None
        await self._runner.cleanup()

    def events(self, name: str, label: str | None = None) -> list[dict[str, Any]]:
        return [
            e
            for e in self.received
            if e["event"] == name and (label is None or e["label"] == label)
        ]


def make_keyfile(config_dir: Path, accounts: Iterable[Account]) -> Locations:
    config_dir.mkdir(mode=0o700, exist_ok=True)
    locations = Locations.resolve(config_dir)
    vault = Vault.create(locations.keyfile, PASSWORD, kdf=KdfParams.insecure_fast())
    with vault:
        for account in accounts:
            vault.add(account)
        vault.save()
    return locations


async def eventually(condition: Callable[[], object], limit: float = 30.0, what: str = "") -> None:
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or condition}")
        await asyncio.sleep(0.05)
