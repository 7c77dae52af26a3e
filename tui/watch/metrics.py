"""`keydeck watch --metrics HOST:PORT`: the watch's rounds as Prometheus metrics.

Served by the official `prometheus_client` (its WSGI server, in a daemon thread) from a
registry of our own. The account metrics come from a snapshot replaced after each round, so
an account removed from the keyfile disappears at the next round; `keydeck_watch_up` is set
to 0 when the watch stops, for whatever reason.

Labels are the exchange id, the account's label, problem kinds, finding codes, severities
and flags: nothing from the credentials. Metric reference: docs/monitoring.md.
"""

from __future__ import annotations

import ipaddress
import logging
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, Info, start_http_server
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from tui import __version__
from tui.watch.sinks import SetupError

log = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
CHECK_BUCKETS_S = (0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60)
ACCOUNT_LABELS = ("exchange", "label")


def parse_address(text: str) -> tuple[str, int]:
    """`PORT` (loopback), `HOST:PORT` or `[IPv6]:PORT`; raises SetupError."""
    text = text.strip()
    host, sep, port_text = text.rpartition(":")
    if not sep:
        host, port_text = DEFAULT_HOST, text
    elif not host:
        raise SetupError(
            f"--metrics {text}: give the address to listen on, e.g. 127.0.0.1{text} "
            f"(this machine) or 0.0.0.0{text} (every interface)"
        )
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    try:
        port = int(port_text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535 or not host or any(c in host for c in "/[] "):
        raise SetupError(f"--metrics must be HOST:PORT or PORT (e.g. 127.0.0.1:9464), not {text!r}")
    return host, port


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def listening_message(host: str, port: int) -> str:
    """What the watch says on stderr at start; a non-loopback address is called out."""
    where = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    message = f"serving Prometheus metrics on http://{where}/metrics"
    if is_loopback(host):
        return message
    return (
        f"{message}, reachable from other machines (no authentication: firewall the port, "
        "or listen on 127.0.0.1 behind a proxy)"
    )


@dataclass
class AccountSnapshot:
    """What the metrics say about one account after a round (no credentials)."""

    exchange: str
    label: str
    up: bool
    problem_kind: str | None = None
    findings: tuple[tuple[str, str, bool], ...] = ()
    """(code, severity, acknowledged) of the last successful read; kept while failing."""
    expires_at: float | None = None
    checked_at: float | None = None
    last_success_at: float | None = None
    clock_offset_s: float | None = None
    balance_usd: float | None = None


@dataclass
class _Snapshot:
    accounts: dict[str, AccountSnapshot] = field(default_factory=dict)
    portfolio_usd: float | None = None


def _family(name: str, doc: str, labels: Iterable[str] = ACCOUNT_LABELS) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, doc, labels=list(labels))


class _AccountCollector(Collector):
    """Yields the account gauges from the snapshot of the last round."""

    def __init__(self, exporter: WatchMetrics) -> None:
        self._exporter = exporter

    def collect(self) -> Iterator[GaugeMetricFamily]:
        snapshot = self._exporter.snapshot()
        up = _family("keydeck_account_up", "1 if the account's last check passed, else 0.")
        problem = _family(
            "keydeck_account_problem",
            "1 for the kind of problem a failing account has now (docs/problems.md).",
            (*ACCOUNT_LABELS, "kind"),
        )
        finding = _family(
            "keydeck_finding",
            "1 for each finding of the account's last successful check (docs/check-json.md).",
            (*ACCOUNT_LABELS, "code", "severity", "acknowledged"),
        )
        expiry = _family(
            "keydeck_key_expiry_timestamp_seconds", "When the key expires (Unix time)."
        )
        checked = _family(
            "keydeck_last_check_timestamp_seconds", "When the account was last checked."
        )
        success = _family(
            "keydeck_last_success_timestamp_seconds", "When the account's key last worked."
        )
        offset = _family(
            "keydeck_clock_offset_seconds",
            "The exchange's clock minus this machine's, as last measured.",
        )
        balance = _family(
            "keydeck_balance_usd", "The account's USD value (priced assets; --balance-move)."
        )
        for account in snapshot.accounts.values():
            key = [account.exchange, account.label]
            up.add_metric(key, 1.0 if account.up else 0.0)
            if account.problem_kind is not None:
                problem.add_metric([*key, account.problem_kind], 1.0)
            for code, severity, acknowledged in account.findings:
                finding.add_metric([*key, code, severity, str(acknowledged).lower()], 1.0)
            for family, value in (
                (expiry, account.expires_at),
                (checked, account.checked_at),
                (success, account.last_success_at),
                (offset, account.clock_offset_s),
                (balance, account.balance_usd),
            ):
                if value is not None:
                    family.add_metric(key, value)
        yield from (up, problem, finding, expiry, checked, success, offset)
        if self._exporter.with_balances:
            yield balance
            if snapshot.portfolio_usd is not None:
                total = GaugeMetricFamily(
                    "keydeck_portfolio_usd",
                    "The USD value of the accounts read in the last round (--balance-move).",
                )
                total.add_metric([], snapshot.portfolio_usd)
                yield total


def _timestamp(value: Any) -> float | None:
    return None if value is None else float(value.timestamp())


IsAcknowledged = Callable[[str, str], bool]


class WatchMetrics:
    """The watch's metrics registry; `round()` after each round, `close()` at the end."""

    def __init__(self, *, with_balances: bool = False) -> None:
        self.with_balances = with_balances
        self.registry = CollectorRegistry(auto_describe=True)
        self._lock = threading.Lock()
        self._snapshot = _Snapshot()
        self._checked: dict[str, float | None] = {}
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self.address: tuple[str, int] | None = None
        Info(
            "keydeck_build", "The Keydeck version serving these metrics.", registry=self.registry
        ).info({"version": __version__})
        self.watch_up = Gauge(
            "keydeck_watch_up",
            "1 while keydeck watch runs; 0 once it stops.",
            registry=self.registry,
        )
        self.last_round = Gauge(
            "keydeck_watch_last_round_timestamp_seconds",
            "When the watch last finished a round.",
            registry=self.registry,
        )
        self.rounds = Counter(
            "keydeck_watch_rounds", "Rounds the watch has finished.", registry=self.registry
        )
        self.check_duration = Histogram(
            "keydeck_check_duration_seconds",
            "How long an account's check took, from the round's start to its report.",
            ["exchange"],
            buckets=CHECK_BUCKETS_S,
            registry=self.registry,
        )
        self.registry.register(_AccountCollector(self))

    def snapshot(self) -> _Snapshot:
        with self._lock:
            return self._snapshot

    def serve(self, host: str, port: int) -> tuple[str, int]:
        """Listen on host:port (port 0: any free one); returns the address. SetupError."""
        try:
            self._server, self._thread = start_http_server(port, host, registry=self.registry)
        except OSError as error:
            raise SetupError(
                f"--metrics {host}:{port}: cannot listen there ({error.strerror or error})"
            ) from None
        self.address = (host, int(self._server.server_address[1]))
        self.watch_up.set(1)
        return self.address

    def round(
        self,
        reports: Iterable[Any],
        durations_s: Mapping[str, float],
        *,
        account_ids: Iterable[str],
        is_acknowledged: IsAcknowledged,
        now: float,
    ) -> None:
        """Replace the snapshot with one round's reports; accounts not in `account_ids` go."""
        keep = set(account_ids)
        before = self.snapshot().accounts
        accounts: dict[str, AccountSnapshot] = {k: v for k, v in before.items() if k in keep}
        for report in reports:
            if report.account_id not in keep:
                continue
            account = self._account(report, before.get(report.account_id), is_acknowledged)
            accounts[report.account_id] = account
            checked = account.checked_at
            if checked != self._checked.get(report.account_id):
                self._checked[report.account_id] = checked
                duration = durations_s.get(report.account_id)
                if duration is not None:
                    self.check_duration.labels(report.exchange).observe(duration)
        self._checked = {k: v for k, v in self._checked.items() if k in keep}
        values = [a.balance_usd for a in accounts.values() if a.balance_usd is not None]
        total = sum(values) if values else None
        with self._lock:
            self._snapshot = _Snapshot(accounts, total)
        self.last_round.set(now)
        self.rounds.inc()

    def _account(
        self, report: Any, before: AccountSnapshot | None, is_acknowledged: IsAcknowledged
    ) -> AccountSnapshot:
        status = report.status
        problem = report.problem or status.problem
        up = problem is None and status.state != "failing"
        account = AccountSnapshot(
            exchange=report.exchange,
            label=report.label,
            up=up,
            problem_kind=None if up else str(problem.kind) if problem is not None else "unknown",
            checked_at=_timestamp(status.checked_at),
            last_success_at=_timestamp(status.last_success_at),
            clock_offset_s=(
                status.clock_offset_ms / 1000 if status.clock_offset_ms is not None else None
            ),
        )
        if not up or report.permissions is None:
            # What could not be read is kept as last known, not "cleared".
            if before is not None:
                account.findings = before.findings
                account.expires_at = before.expires_at
            return account
        account.findings = tuple(
            (f.code, str(f.severity), is_acknowledged(report.account_id, f.code))
            for f in report.findings
        )
        account.expires_at = _timestamp(report.permissions.expires_at)
        if self.with_balances and report.balances is not None:
            account.balance_usd = float(report.balances.total_usd)
        return account

    def close(self) -> None:
        """The watch stops: `keydeck_watch_up` 0, then the server goes."""
        self.watch_up.set(0)
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None
