"""Sinks: webhook payload formats, a command fed the event on stdin (without the password),
retries that give up with a log line, URL rules."""

from __future__ import annotations

import logging
import shlex
import sys
from datetime import UTC, datetime
from email.header import decode_header, make_header
from pathlib import Path

import pytest

from tests.watch.helpers import WebhookReceiver, eventually
from tui.watch.events import Event
from tui.watch.sinks import (
    CommandSink,
    Delivery,
    SetupError,
    WebhookSink,
    check_webhook_url,
)

EVENT = Event(
    "finding_new",
    datetime(2026, 3, 1, tzinfo=UTC),
    "okx",
    "main",
    "critical",
    "Withdrawals are enabled on this key",
    "Turn them off.",
    "a1",
    {"code": "withdraw_enabled"},
)


async def test_webhook_formats_reach_the_receiver() -> None:
    async with WebhookReceiver() as receiver:
        for payload_format in ("json", "slack", "discord"):
            sink = WebhookSink(receiver.url, payload_format)
            await sink.send(EVENT)
            await sink.aclose()
        plain, slack, discord = receiver.received
        assert plain == EVENT.to_json()
        assert "OKX · main: Withdrawals are enabled" in slack["text"]
        assert "Turn them off." in slack["text"]
        assert discord["content"].startswith("🔴 **OKX · main")
    ntfy = WebhookSink("https://ntfy.sh/my-topic", "ntfy").request(EVENT)
    assert ntfy["data"] == b"Turn them off." and ntfy["headers"]["Priority"] == "5"
    # ntfy's docs: a non-ASCII header as an RFC 2047 encoded word, so "·" is never "?".
    title = ntfy["headers"]["Title"]
    assert title.isascii() and title.startswith("=?UTF-8?B?")
    assert str(make_header(decode_header(title))).startswith("OKX · main: Withdrawals are")


def test_webhook_urls_https_or_loopback_http() -> None:
    assert check_webhook_url("https://hooks.example.com/x")
    assert check_webhook_url("http://127.0.0.1:9/x") and check_webhook_url("http://[::1]/x")
    assert check_webhook_url("http://localhost/x")
    for bad in ("http://10.0.0.1/x", "http://example.com/x", "file:///etc/passwd", "hooks"):
        with pytest.raises(SetupError) as raised:
            check_webhook_url(bad + "/token-123")
        assert "token-123" not in str(raised.value)


async def test_command_gets_the_event_on_stdin_without_the_password(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KEYDECK_PASSWORD", "hunter2-master")
    out = tmp_path / "got.txt"
    script = f"cat > {shlex.quote(str(out))}; env >> {shlex.quote(str(out))}"
    sink = CommandSink(f"sh -c {shlex.quote(script)}")
    delivery = Delivery(sink, retry_delays_s=(0.05,))
    delivery.put(EVENT)
    await eventually(lambda: delivery.delivered == 1, 10, "the command")
    await delivery.aclose()
    text = out.read_text()
    assert '"event": "finding_new"' in text and '"code": "withdraw_enabled"' in text
    assert "hunter2-master" not in text


async def test_a_failing_command_is_retried_then_given_up(
    caplog: pytest.LogCaptureFixture,
) -> None:
    sink = CommandSink(f"{shlex.quote(sys.executable)} -c 'import sys; sys.exit(\"nope\")'")
    delivery = Delivery(sink, retry_delays_s=(0.05, 0.05))
    with caplog.at_level(logging.WARNING, logger="tui.watch"):
        delivery.put(EVENT)
        delivery.put(EVENT)
        await eventually(lambda: delivery.failures == 6, 20, "three attempts each")
        await delivery.aclose(drain_s=1)
    assert caplog.text.count("retrying in 0.05 s") == 4
    assert caplog.text.count("gave up on a finding_new event after 3 attempts") == 2
    assert "exited with status 1: nope" in caplog.text
