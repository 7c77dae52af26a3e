"""A real Prometheus scrapes `keydeck watch --metrics` over the simulator (issue 26).

`prometheus` (Debian's package) runs with its own config (1 s scrapes and rule evaluation,
the alert rules of docs/monitoring/alerts.yml), a temporary data directory and a free port
on 127.0.0.1; `keydeck watch --interval 1 --metrics 127.0.0.1:0` runs as a process. The test
asks Prometheus' HTTP API what it recorded: every account up, an exchange taken down and
brought back, the withdraw risk, live alerts; then `promtool test rules` runs the alert
rules over series taken from this run. Skips without the binary (the message says how to
install it) unless KEYDECK_REQUIRE_PROMETHEUS=1, as in CI (.ci/run).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import signal
import socket
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import yaml

from tests.support.accounts import sim_account
from tests.watch.helpers import PASSWORD, make_keyfile
from tests.watch.promtools import binary, promtool
from tui.sim import Simulator
from tui.sim.scenario import Scenario

RULES = Path(__file__).resolve().parents[2] / "docs" / "monitoring" / "alerts.yml"
LIMIT_S = 45.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def wait_for(what: str, check: Any, limit: float = LIMIT_S) -> Any:
    """Poll the async `check` until it returns something truthy."""
    deadline = asyncio.get_running_loop().time() + limit
    while True:
        found = await check()
        if found:
            return found
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.25)


class Prometheus:
    """The `prometheus` binary on a free loopback port, scraping one target."""

    def __init__(self, workdir: Path, target: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.config = workdir / "prometheus.yml"
        self.config.write_text(
            yaml.safe_dump(
                {
                    "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
                    "rule_files": [str(RULES)],
                    "scrape_configs": [
                        {"job_name": "keydeck", "static_configs": [{"targets": [target]}]}
                    ],
                }
            )
        )
        self.data = workdir / "prometheus-data"
        self.log = workdir / "prometheus.log"
        self.process: asyncio.subprocess.Process | None = None
        self.client: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> Prometheus:
        with self.log.open("wb") as log:
            self.process = await asyncio.create_subprocess_exec(
                binary("prometheus"),
                f"--config.file={self.config}",
                f"--storage.tsdb.path={self.data}",
                f"--web.listen-address=127.0.0.1:{self.port}",
                "--log.level=warn",
                stdout=log,
                stderr=log,
            )
        self.client = aiohttp.ClientSession()
        await wait_for("Prometheus to be ready", self._ready, 60)
        return self

    async def _ready(self) -> bool:
        assert self.process is not None
        assert self.process.returncode is None, self.log.read_text()
        with contextlib.suppress(aiohttp.ClientError):
            assert self.client is not None
            async with self.client.get(f"{self.url}/-/ready") as response:
                return response.status == 200
        return False

    async def __aexit__(self, *exc_info: object) -> None:
        if self.client is not None:
            await self.client.close()
        if self.process is not None and self.process.returncode is None:
            self.process.terminate()
            try:
                await asyncio.wait_for(self.process.wait(), 20)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()

    async def query(self, expr: str) -> list[dict[str, Any]]:
        assert self.client is not None
        async with self.client.get(f"{self.url}/api/v1/query", params={"query": expr}) as answer:
            body = await answer.json()
        assert body["status"] == "success", body
        return body["data"]["result"]

    async def values(self, expr: str) -> dict[frozenset[tuple[str, str]], float]:
        """An instant vector as {labels without __name__: value}."""
        return {
            frozenset((k, v) for k, v in r["metric"].items() if k != "__name__"): float(
                r["value"][1]
            )
            for r in await self.query(expr)
        }


class Watch:
    """`keydeck watch --interval 1 --metrics 127.0.0.1:0` as a process."""

    def __init__(self, config_dir: Path) -> None:
        self.config_dir = config_dir
        self.process: asyncio.subprocess.Process | None = None
        self.events: list[dict[str, Any]] = []
        self.stderr: list[str] = []
        self.metrics_url = ""
        self._readers: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("KEYDECK_")}
        env["KEYDECK_CONFIG_DIR"] = str(self.config_dir)
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            *("-m", "tui", "watch", "--interval", "1", "--password-stdin", "--no-history"),
            *("--metrics", "127.0.0.1:0"),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=env,
        )
        assert self.process.stdin is not None
        self.process.stdin.write(PASSWORD.encode() + b"\n")
        await self.process.stdin.drain()
        self.process.stdin.close()
        self._readers = [asyncio.create_task(self._events()), asyncio.create_task(self._err())]

        async def said() -> str | None:
            assert self.process is not None
            assert self.process.returncode is None, "".join(self.stderr)
            for line in self.stderr:
                found = re.search(r"serving Prometheus metrics on (http://\S+)", line)
                if found:
                    return found.group(1)
            return None

        self.metrics_url = await wait_for("the metrics address on stderr", said, 60)

    async def _events(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        async for line in self.process.stdout:
            self.events.append(json.loads(line))

    async def _err(self) -> None:
        assert self.process is not None and self.process.stderr is not None
        async for line in self.process.stderr:
            self.stderr.append(line.decode())

    @property
    def target(self) -> str:
        return self.metrics_url.removeprefix("http://").removesuffix("/metrics")

    async def rounds(self) -> float:
        """Rounds finished, read from the exporter itself."""
        async with aiohttp.ClientSession() as client, client.get(self.metrics_url) as answer:
            text = await answer.text()
        found = re.search(r"^keydeck_watch_rounds_total (\S+)$", text, re.MULTILINE)
        assert found is not None, text
        return float(found.group(1))

    async def stop(self) -> int:
        assert self.process is not None
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(self.process.wait(), 30)
        for reader in self._readers:
            await reader
        return code


@contextlib.asynccontextmanager
async def running(watch: Watch) -> AsyncIterator[Watch]:
    await watch.start()
    try:
        yield watch
    finally:
        if watch.process is not None and watch.process.returncode is None:
            watch.process.kill()
            await watch.process.wait()


def scenario() -> Scenario:
    """The default keys, plus a Bybit key that expires in 5 days."""
    expires = datetime.now(UTC) + timedelta(days=5)
    return Scenario.from_dict(
        {
            "defaults": True,
            "accounts": [
                {
                    "exchange": "bybit",
                    "label": "expiring",
                    "permissions": ["read", "spot"],
                    "ip_allowlist": ["198.51.100.7"],
                    "expires_at": expires.isoformat(timespec="seconds"),
                }
            ],
        }
    )


def labels_of(series: dict[str, Any]) -> dict[str, str]:
    return {k: v for k, v in series["metric"].items() if k != "__name__"}


def selector(name: str, labels: dict[str, str]) -> str:
    inner = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    return f"{name}{{{inner}}}"


def rendered(rule: dict[str, Any], labels: dict[str, str]) -> dict[str, str]:
    """The rule's annotations with `{{ $labels.x }}` filled in, as Prometheus does."""
    return {
        key: re.sub(r"\{\{ \$labels\.(\w+) \}\}", lambda m: labels.get(m.group(1), ""), text)
        for key, text in rule.get("annotations", {}).items()
    }


@pytest.mark.timeout(90)  # about 15 s here; Prometheus starts in a second or two
async def test_prometheus_scrapes_the_watch_and_the_alerts_fire(tmp_path: Path) -> None:
    binary("prometheus")
    binary("promtool")
    async with Simulator(scenario(), exchanges=["okx", "bybit"]) as sim:
        accounts = [
            sim_account(sim, "okx"),
            sim_account(sim, "okx", "risky"),
            sim_account(sim, "bybit", "expiring"),
        ]
        make_keyfile(tmp_path / "config", accounts)
        watch = Watch(tmp_path / "config")
        async with running(watch), Prometheus(tmp_path, watch.target) as prom:

            async def all_up() -> bool:
                up = await prom.values("keydeck_account_up")
                return len(up) == 3 and all(v == 1 for v in up.values())

            await wait_for("every account with keydeck_account_up 1", all_up)
            up = await prom.values("keydeck_account_up")
            assert {(dict(k)["exchange"], dict(k)["label"]) for k in up} == {
                (a.exchange, a.label) for a in accounts
            }

            # The withdraw risk is a critical finding series, and its alert fires live.
            risks = await prom.query('keydeck_finding{severity="critical", acknowledged="false"}')
            assert [(labels_of(r)["label"], labels_of(r)["code"]) for r in risks] == [
                ("risky", "withdraw_enabled")
            ]

            async def firing(name: str) -> list[dict[str, Any]]:
                return await prom.query(f'ALERTS{{alertname="{name}", alertstate="firing"}}')

            finding_alert = await wait_for(
                "KeydeckCriticalFinding", lambda: firing("KeydeckCriticalFinding")
            )
            assert labels_of(finding_alert[0])["code"] == "withdraw_enabled"
            expiry_alert = await wait_for(
                "KeydeckKeyExpiring", lambda: firing("KeydeckKeyExpiring")
            )
            assert labels_of(expiry_alert[0])["label"] == "expiring"

            # OKX goes down: its accounts turn 0 within two watch rounds; Bybit stays up.
            before = await watch.rounds()
            sim.set_faults("okx", down=True)

            async def okx_down() -> bool:
                okx = await prom.values('keydeck_account_up{exchange="okx"}')
                return len(okx) == 2 and all(v == 0 for v in okx.values())

            await wait_for("OKX's accounts at 0", okx_down)
            assert (await prom.values('keydeck_account_up{exchange="bybit"}')) and all(
                v == 1 for v in (await prom.values('keydeck_account_up{exchange="bybit"}')).values()
            )
            kinds = await prom.query('keydeck_account_problem{exchange="okx"}')
            assert {labels_of(k)["kind"] for k in kinds} == {"unreachable"}, kinds
            # The first scrape that saw both at 0, and the rounds the watch had finished then.
            history = await prom.query('keydeck_account_up{exchange="okx"}[2m]')
            first_zero = max(
                min(float(t) for t, v in series["values"] if v == "0") for series in history
            )
            rounds = await prom.query("keydeck_watch_rounds_total[2m]")
            rounds_then = {float(t): float(v) for t, v in rounds[0]["values"]}[first_zero]
            assert rounds_then <= before + 2, (before, rounds_then)

            # Back up: they turn 1 again (after the connector's network back-off, <= 15 s).
            sim.clear_faults("okx")

            async def okx_up() -> bool:
                okx = await prom.values('keydeck_account_up{exchange="okx"}')
                return len(okx) == 2 and all(v == 1 for v in okx.values())

            await wait_for("OKX's accounts back at 1", okx_up)
            assert not await prom.query("keydeck_account_problem")

            # The watch stops: the target goes down.
            assert await watch.stop() == 0

            async def target_down() -> bool:
                return (await prom.values('up{job="keydeck"}')).get(
                    frozenset({("job", "keydeck"), ("instance", watch.target)})
                ) == 0

            await wait_for("up 0 for the stopped watch", target_down)
            recorded = {
                "account": (
                    await prom.query('keydeck_account_up{exchange="okx",label="main"}[5m]')
                )[0],
                "finding": risks[0],
                "expiry": (await prom.query("keydeck_key_expiry_timestamp_seconds[5m]"))[0],
                "up": (await prom.query('up{job="keydeck"}[5m]'))[0],
            }

    events = {e["event"] for e in watch.events}
    assert {"account_failed", "account_recovered", "finding_new"} <= events, events
    assert "Traceback" not in "".join(watch.stderr)
    run_promtool_tests(tmp_path, recorded)


def run_promtool_tests(tmp_path: Path, recorded: dict[str, dict[str, Any]]) -> None:
    """The alert rules over series taken from the run (labels and values as Prometheus
    recorded them, one run sample per minute of rule time, the last state held on)."""
    rules = {r["alert"]: r for r in yaml.safe_load(RULES.read_text())["groups"][0]["rules"]}

    def alert(name: str, labels: dict[str, str]) -> dict[str, Any]:
        return {
            "exp_labels": {**labels, **rules[name]["labels"]},
            "exp_annotations": rendered(rules[name], labels),
        }

    # A key failing: the run's samples up to its first 0, held 11 minutes, then its recovery.
    account = labels_of(recorded["account"])
    samples = [v for _t, v in recorded["account"]["values"]]
    k = samples.index("0")
    failing = [*samples[: k + 1], *["0"] * 11, "1", "1", "1"]
    # The finding as recorded; the expiry as the time left when it was recorded.
    finding = labels_of(recorded["finding"])
    expiry = labels_of(recorded["expiry"])
    at, expires = recorded["expiry"]["values"][0]
    left = float(expires) - float(at)
    # The watch's target: up as scraped, its last 0 held 3 minutes.
    target = labels_of(recorded["up"])
    ups = [v for _t, v in recorded["up"]["values"]]
    down_at = len(ups) - ups[::-1].index("1")  # the stop (a scrape may time out earlier)
    ups = [*ups[: down_at + 1], "0", "0", "0"]

    def series(name: str, labels: dict[str, str], values: list[str] | str) -> dict[str, str]:
        text = values if isinstance(values, str) else " ".join(values)
        return {"series": selector(name, labels), "values": text}

    tests = {
        "rule_files": [str(RULES)],
        "evaluation_interval": "1m",
        "tests": [
            {
                "interval": "1m",
                "input_series": [
                    series("keydeck_account_up", account, failing),
                    series("keydeck_finding", finding, "1x20"),
                    series("keydeck_key_expiry_timestamp_seconds", expiry, f"{left:.0f}x20"),
                ],
                "alert_rule_test": [
                    {"eval_time": f"{k + 5}m", "alertname": "KeydeckKeyFailing", "exp_alerts": []},
                    {
                        "eval_time": f"{k + 11}m",
                        "alertname": "KeydeckKeyFailing",
                        "exp_alerts": [alert("KeydeckKeyFailing", account)],
                    },
                    {"eval_time": f"{k + 13}m", "alertname": "KeydeckKeyFailing", "exp_alerts": []},
                    {
                        "eval_time": "1m",
                        "alertname": "KeydeckCriticalFinding",
                        "exp_alerts": [alert("KeydeckCriticalFinding", finding)],
                    },
                    {
                        "eval_time": "1m",
                        "alertname": "KeydeckKeyExpiring",
                        "exp_alerts": [alert("KeydeckKeyExpiring", expiry)],
                    },
                ],
            },
            {
                "interval": "1m",
                "input_series": [
                    series("up", target, ups),
                    # The same key renewed for 30 days: no expiry alert.
                    series(
                        "keydeck_key_expiry_timestamp_seconds",
                        expiry,
                        f"{left + 30 * 86400:.0f}x5",
                    ),
                ],
                "alert_rule_test": [
                    {"eval_time": f"{down_at}m", "alertname": "KeydeckWatchDown", "exp_alerts": []},
                    {
                        "eval_time": f"{down_at + 3}m",
                        "alertname": "KeydeckWatchDown",
                        "exp_alerts": [alert("KeydeckWatchDown", target)],
                    },
                    {"eval_time": "1m", "alertname": "KeydeckKeyExpiring", "exp_alerts": []},
                ],
            },
        ],
    }
    path = tmp_path / "alerts-test.yml"
    path.write_text(yaml.safe_dump(tests, sort_keys=False))
    assert "SUCCESS" in promtool("test", "rules", path)
