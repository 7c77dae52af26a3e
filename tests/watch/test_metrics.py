"""`keydeck watch --metrics`: the exporter in-process over the simulator, scraped over HTTP.

The end-to-end test with a real Prometheus server is tests/watch/test_prometheus.py.
"""

from __future__ import annotations

import asyncio
import io
import socket
from pathlib import Path

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.support.accounts import sim_account
from tests.watch.helpers import PASSWORD, eventually, make_keyfile
from tui.sim import Simulator
from tui.vault import KdfParams, Vault, VaultError
from tui.watch.metrics import WatchMetrics, is_loopback, listening_message, parse_address
from tui.watch.runner import EXIT_STOPPED, WatchConfig, watch_keyfile
from tui.watch.sinks import SetupError

EVERY_INTERFACE = "0.0.0.0"  # noqa: S104 - only parsed and named, never bound
Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def test_address_forms() -> None:
    assert parse_address("9464") == ("127.0.0.1", 9464)
    assert parse_address("127.0.0.1:0") == ("127.0.0.1", 0)
    assert parse_address(f"{EVERY_INTERFACE}:9464") == (EVERY_INTERFACE, 9464)
    assert parse_address("[::1]:9464") == ("::1", 9464)
    assert parse_address("monitor.lan:9464") == ("monitor.lan", 9464)
    for bad in (":9464", "host:port", "127.0.0.1:70000", "", "a b:1"):
        with pytest.raises(SetupError, match="--metrics"):
            parse_address(bad)
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback(EVERY_INTERFACE) and not is_loopback("192.0.2.1")


def test_close_sets_watch_up_to_zero_and_frees_the_port() -> None:
    metrics = WatchMetrics()
    host, port = metrics.serve("127.0.0.1", 0)
    assert metrics.registry.get_sample_value("keydeck_watch_up") == 1
    assert metrics.registry.get_sample_value("keydeck_build_info", {"version": "0.1.0"}) == 1
    metrics.close()
    assert metrics.registry.get_sample_value("keydeck_watch_up") == 0
    with socket.socket() as probe:  # nobody listens there any more
        assert probe.connect_ex((host, port)) != 0


def test_a_port_in_use_is_a_setup_error() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        metrics = WatchMetrics()
        with pytest.raises(SetupError, match="cannot listen"):
            metrics.serve("127.0.0.1", taken.getsockname()[1])


async def scrape(url: str) -> tuple[str, Samples]:
    async with aiohttp.ClientSession() as client, client.get(url) as response:
        assert response.status == 200
        text = await response.text()
    samples: Samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return text, samples


def value(samples: Samples, name: str, **labels: str) -> float | None:
    return samples.get((name, frozenset(labels.items())))


def names(samples: Samples, name: str) -> list[dict[str, str]]:
    return [dict(labels) for (n, labels) in samples if n == name]


async def test_metrics_follow_the_rounds_and_the_keyfile(tmp_path: Path) -> None:
    async with Simulator(exchanges=["okx", "kucoin"]) as sim:
        accounts = [
            sim_account(sim, "okx"),
            sim_account(sim, "okx", "risky"),
            sim_account(sim, "kucoin"),
        ]
        locations = make_keyfile(tmp_path / "config", accounts)
        config = WatchConfig(
            interval_s=1.0,
            history_write_every_s=0.0,
            request_timeout_s=5.0,
            account_timeout_s=15.0,
            balance_move_pct=50.0,
            metrics="127.0.0.1:0",
        )
        stop = asyncio.Event()
        err = io.StringIO()
        rounds: list[int] = []
        task = asyncio.create_task(
            watch_keyfile(
                locations,
                PASSWORD,
                config,
                stop=stop,
                out=io.StringIO(),
                err=err,
                on_round=lambda n, _events: rounds.append(n),
            )
        )
        await eventually(lambda: rounds or task.done(), 60, "a first round")
        said = err.getvalue()
        assert "serving Prometheus metrics on http://127.0.0.1:" in said
        assert "reachable from other machines" not in said
        url = said.split("serving Prometheus metrics on ", 1)[1].split()[0]

        text, samples = await scrape(url)
        for account in accounts:
            where = {"exchange": account.exchange, "label": account.label}
            assert value(samples, "keydeck_account_up", **where) == 1
            assert value(samples, "keydeck_last_check_timestamp_seconds", **where)
            assert (value(samples, "keydeck_balance_usd", **where) or 0) > 0
        assert value(
            samples,
            "keydeck_finding",
            exchange="okx",
            label="risky",
            code="withdraw_enabled",
            severity="critical",
            acknowledged="false",
        )
        assert value(samples, "keydeck_watch_up") == 1
        assert (value(samples, "keydeck_portfolio_usd") or 0) > 0
        assert value(samples, "keydeck_check_duration_seconds_count", exchange="okx")
        assert not names(samples, "keydeck_account_problem")
        # No credential, nor any piece of one, in any label or value.
        for provisioned in sim.accounts:
            for secret in provisioned.credentials.values():
                for start in range(0, max(1, len(secret) - 8), 4):
                    assert secret[start : start + 8] not in text

        # A failing key: up 0 and its problem kind; its findings stay as last read.
        sim.set_faults("kucoin", "main", expired=True)
        for _ in range(60):
            _text, samples = await scrape(url)
            if value(samples, "keydeck_account_up", exchange="kucoin", label="main") == 0:
                break
            await asyncio.sleep(0.5)
        kinds = names(samples, "keydeck_account_problem")
        assert [(k["exchange"], k["label"]) for k in kinds] == [("kucoin", "main")], kinds
        assert kinds[0]["kind"] == "bad_credentials", kinds
        assert value(samples, "keydeck_account_up", exchange="okx", label="main") == 1
        assert value(samples, "keydeck_balance_usd", exchange="kucoin", label="main") is None

        # An account removed from the keyfile (the app saves it) leaves the metrics.
        with Vault.open(locations.keyfile, PASSWORD, kdf=KdfParams.insecure_fast()) as vault:
            vault.remove(next(a.id for a in vault.accounts if a.label == "risky"))
            vault.save()
        for _ in range(60):
            _text, samples = await scrape(url)
            if value(samples, "keydeck_account_up", exchange="okx", label="risky") is None:
                break
            await asyncio.sleep(0.5)
        assert value(samples, "keydeck_account_up", exchange="okx", label="risky") is None
        assert not [s for s in names(samples, "keydeck_finding") if s["label"] == "risky"]

        stop.set()
        assert await asyncio.wait_for(task, 30) == EXIT_STOPPED
        port = int(url.rsplit(":", 1)[1].split("/")[0])
        with socket.socket() as probe:
            assert probe.connect_ex(("127.0.0.1", port)) != 0


def test_another_address_is_called_out() -> None:
    # What `keydeck watch` prints on stderr at start (tests may not listen beyond loopback).
    assert listening_message("127.0.0.1", 9464) == (
        "serving Prometheus metrics on http://127.0.0.1:9464/metrics"
    )
    assert listening_message("::1", 9464).endswith("http://[::1]:9464/metrics")
    for host in (EVERY_INTERFACE, "192.0.2.10", "::", "monitor.lan"):
        said = listening_message(host, 9464)
        assert "reachable from other machines" in said, said


async def test_a_keyfile_that_cannot_be_opened_closes_the_metrics(tmp_path: Path) -> None:
    async with Simulator(exchanges=["okx"]) as sim:
        locations = make_keyfile(tmp_path / "config", [sim_account(sim, "okx")])
        err = io.StringIO()
        config = WatchConfig(interval_s=1.0, record_history=False, metrics="127.0.0.1:0")
        with pytest.raises(VaultError):
            await watch_keyfile(
                locations, "not the password", config, stop=asyncio.Event(), err=err
            )
        url = err.getvalue().split("serving Prometheus metrics on ", 1)[1].split()[0]
        port = int(url.rsplit(":", 1)[1].split("/")[0])
        with socket.socket() as probe:
            assert probe.connect_ex(("127.0.0.1", port)) != 0
