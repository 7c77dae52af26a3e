"""Where events go: stdout (JSON lines), webhooks, a command, desktop notifications.

Every sink but stdout is fed through a `Delivery`: its own queue and worker, so a slow or
failing sink never holds back the watch or the other sinks. A failed delivery is logged and
retried with growing delays, then given up (logged); it never stops the watch.

Webhook URLs often are secrets themselves (Slack, Discord): only scheme and host are logged.
The command gets the event JSON on stdin and an environment without any `KEYDECK_*` variable.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import shlex
import shutil
import sys
from collections.abc import Sequence
from typing import Any, Protocol, TextIO
from urllib.parse import urlsplit

from tui.base.process import child_environ
from tui.base.redact import scrub
from tui.connect.endpoint import is_loopback
from tui.watch.events import Event

log = logging.getLogger(__name__)

WEBHOOK_FORMATS = ("json", "slack", "discord", "ntfy")
RETRY_DELAYS_S: tuple[float, ...] = (1, 5, 15, 60, 300)
QUEUE_LIMIT = 1000
WEBHOOK_TIMEOUT_S = 15.0
COMMAND_TIMEOUT_S = 30.0
_NTFY_PRIORITY = {"critical": "5", "warning": "4", "info": "3"}
_MARK = {"critical": "🔴", "warning": "🟠", "info": "🟢"}


class SinkError(Exception):
    """A delivery failed; the message says why (no secrets)."""


class SetupError(Exception):
    """A sink cannot be used at all (bad URL, no notifier): shown before the watch starts."""


class Sink(Protocol):
    name: str

    async def send(self, event: Event) -> None: ...

    async def aclose(self) -> None: ...


def event_text(event: Event) -> str:
    """One readable line for chat and desktop notifications."""
    from tui.connect.catalog import cached_display_name

    where = (
        f"{cached_display_name(event.exchange)} · {event.label}"
        if event.exchange is not None
        else "Portfolio"
    )
    return f"{where}: {event.title}"


def check_webhook_url(url: str) -> str:
    """https anywhere, http to a loopback address only; raises SetupError."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SetupError(f"--webhook must be an http(s) URL, not {safe_url(url)!r}")
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise SetupError(
            f"--webhook {safe_url(url)}: plain http is allowed to this machine only "
            "(127.0.0.1, ::1, localhost); use https"
        )
    return url.strip()


def safe_url(url: str) -> str:
    """Scheme and host only: webhook paths and queries often hold tokens."""
    parts = urlsplit(url)
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname or '?'}{port}/…"


def header_text(text: str) -> str:
    """An HTTP header value: as is when ASCII, else RFC 2047 encoded (`=?UTF-8?B?...?=`), as
    ntfy's docs advise for non-ASCII titles (so "·" and emoji arrive intact, never "?")."""
    if text.isascii():
        return text
    import base64

    return f"=?UTF-8?B?{base64.b64encode(text.encode()).decode()}?="


class StdoutSink:
    """One JSON object per line, flushed at once (a pipe reader sees it immediately)."""

    name = "stdout"

    def __init__(self, out: TextIO | None = None) -> None:
        self.out = out if out is not None else sys.stdout

    def write(self, event: Event) -> None:
        try:
            self.out.write(json.dumps(event.to_json(), ensure_ascii=False) + "\n")
            self.out.flush()
        except (OSError, ValueError) as error:  # a closed pipe must not stop the watch
            log.warning("cannot print an event: %s", error)


class WebhookSink:
    def __init__(self, url: str, payload_format: str = "json") -> None:
        if payload_format not in WEBHOOK_FORMATS:
            raise SetupError(f"unknown --webhook-format {payload_format!r}")
        self.url = check_webhook_url(url)
        self.format = payload_format
        self.name = f"webhook {safe_url(url)}"
        self._session: Any = None

    def request(self, event: Event) -> dict[str, Any]:
        """The keyword arguments of the POST for this event."""
        text = event_text(event)
        if self.format == "slack":
            return {"json": {"text": f"{_MARK.get(event.severity, '')} {text}\n{event.detail}"}}
        if self.format == "discord":
            body = f"{_MARK.get(event.severity, '')} **{text}**\n{event.detail}"
            return {"json": {"content": body[:2000]}}
        if self.format == "ntfy":
            headers = {
                "Title": header_text(text),
                "Priority": _NTFY_PRIORITY.get(event.severity, "3"),
                "Tags": f"keydeck,{event.event}",
            }
            return {"data": event.detail.encode(), "headers": headers}
        return {"json": event.to_json()}

    async def send(self, event: Event) -> None:
        import aiohttp

        from tui.connect.transport import LoopbackResolver

        if self._session is None:
            timeout = aiohttp.ClientTimeout(total=WEBHOOK_TIMEOUT_S)
            connector = aiohttp.TCPConnector(resolver=LoopbackResolver())
            self._session = aiohttp.ClientSession(timeout=timeout, connector=connector)
        try:
            # Never follow a redirect: a 307 would re-post the event, maybe over plain http
            # to another host. A 3xx is a failed delivery like any other.
            async with self._session.post(
                self.url, allow_redirects=False, **self.request(event)
            ) as response:
                if response.status >= 300:
                    raise SinkError(f"answered HTTP {response.status}")
        except (aiohttp.ClientError, TimeoutError) as error:
            raise SinkError(type(error).__name__) from None

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


class CommandSink:
    """Run CMD (split like a shell would, but no shell) with the event JSON on stdin."""

    def __init__(self, command: str) -> None:
        try:
            self.argv = shlex.split(command)
        except ValueError as error:
            raise SetupError(f"--exec: {error}") from None
        if not self.argv:
            raise SetupError("--exec needs a command")
        if shutil.which(self.argv[0]) is None:
            raise SetupError(f"--exec: {self.argv[0]!r} was not found")
        self.name = f"command {self.argv[0]}"

    async def send(self, event: Event) -> None:
        data = json.dumps(event.to_json(), ensure_ascii=False).encode() + b"\n"
        await run_command(self.argv, data)

    async def aclose(self) -> None:
        return None


async def run_command(argv: Sequence[str], data: bytes = b"") -> None:
    """Run `argv` with `data` on stdin; SinkError on failure, exit status or timeout."""
    env = child_environ()  # no KEYDECK_* variable: passwords, webhook URLs...
    try:
        process = await asyncio.create_subprocess_exec(
            *argv,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
            env=env,
        )
    except OSError as error:
        raise SinkError(f"cannot start: {error.strerror}") from None
    try:
        async with asyncio.timeout(COMMAND_TIMEOUT_S):
            _, err = await process.communicate(data)
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        await process.wait()
        raise SinkError(f"did not finish within {COMMAND_TIMEOUT_S:.0f} s") from None
    except BaseException:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        await process.wait()
        raise
    if process.returncode != 0:
        first = err.decode(errors="replace").strip().splitlines()[:1]
        said = f": {scrub(first[0])[:200]}" if first else ""
        raise SinkError(f"exited with status {process.returncode}{said}")


class DesktopSink:
    """A desktop notification: desktop-notifier if installed, else notify-send."""

    name = "desktop"

    def __init__(self) -> None:
        self._notifier: Any = None
        try:
            from desktop_notifier import DesktopNotifier  # type: ignore[import-not-found]
        except ImportError:
            self._notify_send = shutil.which("notify-send")
            if self._notify_send is None:
                raise SetupError(
                    "--desktop: no way to show notifications here. Install notify-send "
                    "(Debian/Ubuntu: apt install libnotify-bin) or the desktop-notifier "
                    "package (pip install desktop-notifier)."
                ) from None
        else:
            self._notifier = DesktopNotifier(app_name="Keydeck")

    async def send(self, event: Event) -> None:
        title, body = event_text(event), event.detail
        if self._notifier is not None:
            try:
                await self._notifier.send(title=title, message=body)
            except Exception as error:
                raise SinkError(type(error).__name__) from None
            return
        urgency = "critical" if event.severity == "critical" else "normal"
        assert self._notify_send is not None
        await run_command([self._notify_send, "-a", "Keydeck", "-u", urgency, title, body])

    async def aclose(self) -> None:
        return None


class Delivery:
    """One sink's queue and worker: in order, retried with back-off, never raising."""

    def __init__(self, sink: Sink, retry_delays_s: Sequence[float] = RETRY_DELAYS_S) -> None:
        self.sink = sink
        self.retry_delays_s = tuple(retry_delays_s)
        self._queue: asyncio.Queue[Event] = asyncio.Queue()
        self._worker: asyncio.Task[None] | None = None
        self.delivered = 0
        self.failures = 0

    def put(self, event: Event) -> None:
        if self._queue.qsize() >= QUEUE_LIMIT:
            dropped = self._queue.get_nowait()
            log.warning("%s: queue full, dropped a %s event", self.sink.name, dropped.event)
        self._queue.put_nowait(event)
        if self._worker is None:
            self._worker = asyncio.create_task(self._run(), name=f"keydeck-{self.sink.name}")

    async def _run(self) -> None:
        while True:
            event = await self._queue.get()
            try:
                await self._deliver(event)
            finally:
                self._queue.task_done()

    async def _deliver(self, event: Event) -> None:
        for attempt, delay in enumerate((*self.retry_delays_s, None), start=1):
            try:
                await self.sink.send(event)
            except asyncio.CancelledError:
                raise
            except Exception as error:
                self.failures += 1
                reason = str(error) if isinstance(error, SinkError) else type(error).__name__
                if delay is None:
                    log.error(
                        "%s: gave up on a %s event after %d attempts (%s)",
                        self.sink.name,
                        event.event,
                        attempt,
                        reason,
                    )
                    return
                log.warning(
                    "%s: delivering a %s event failed (%s); retrying in %g s",
                    self.sink.name,
                    event.event,
                    reason,
                    delay,
                )
                await asyncio.sleep(delay)
            else:
                self.delivered += 1
                return

    async def aclose(self, drain_s: float = 5.0) -> None:
        """Give queued events `drain_s` seconds to go out, then stop the worker."""
        if self._worker is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._queue.join(), drain_s)
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker
        await self.sink.aclose()


class Sinks:
    """stdout plus every configured sink."""

    def __init__(
        self,
        stdout: StdoutSink,
        others: Sequence[Sink] = (),
        retry_delays_s: Sequence[float] = RETRY_DELAYS_S,
    ) -> None:
        self.stdout = stdout
        self.deliveries = [Delivery(sink, retry_delays_s) for sink in others]

    def emit(self, event: Event) -> None:
        self.stdout.write(event)
        for delivery in self.deliveries:
            delivery.put(event)

    async def aclose(self, drain_s: float = 5.0) -> None:
        await asyncio.gather(*(d.aclose(drain_s) for d in self.deliveries))
