"""`keydeck check`: verify every key in the keyfile, headless, for cron jobs and monitoring.

Password from `KEYDECK_PASSWORD` or `--password-stdin` (or a prompt on a terminal), never
from the command line. Prints a readable table, or with `--json` one document whose schema
is in docs/check-json.md. Exit codes: 0 all fine, 1 a critical finding, 2 an account failed
(takes precedence over 1), 3 the keyfile could not be opened (or the check could not run),
130 interrupted (ctrl+c). No failure prints a traceback: each is one line on stderr, and an
unexpected one leaves its (scrubbed) traceback in the log.
"""

from __future__ import annotations

import asyncio
import getpass
import json
import logging
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, TextIO

from tui import __version__
from tui.paths import Locations
from tui.process import (
    EXIT_INTERRUPTED,
    cancelled_by_interrupt,
    disable_core_dumps,
    say,
    silence,
    was_interrupted,
)
from tui.redact import Secret
from tui.vault.errors import PasswordNotUtf8

log = logging.getLogger(__name__)

PASSWORD_ENV = "KEYDECK_PASSWORD"  # noqa: S105 - the variable's name

EXIT_OK = 0
EXIT_CRITICAL = 1
EXIT_FAILED = 2
EXIT_KEYFILE = 3

ACCOUNT_TIMEOUT_S = 60.0
REQUEST_TIMEOUT_S = 15.0


class PasswordUnavailable(Exception):
    """No password source: say how to give one."""


def read_password(password_stdin: bool, stdin: TextIO | None = None) -> str:
    """The master password from stdin (first line), the environment, or a terminal prompt.

    Stdin and the environment are read as bytes and decoded as UTF-8 whatever the locale
    (`LC_ALL=C` included); bytes that are not UTF-8 raise `PasswordNotUtf8`.
    """
    stream = stdin if stdin is not None else sys.stdin
    if password_stdin:
        password = _first_line(stream).removesuffix("\n").removesuffix("\r")
        if not password:
            raise PasswordUnavailable("--password-stdin was given but stdin held no password.")
        return password
    from_env = _environment_password()
    if from_env:
        return from_env
    if stream is not None and stream.isatty():
        try:
            return getpass.getpass("Keydeck password: ")
        except UnicodeDecodeError:
            pass  # raised below, so no exception holding the bytes is chained to it
        raise PasswordNotUtf8()
    raise PasswordUnavailable(
        f"No password: set {PASSWORD_ENV} or pipe it with --password-stdin "
        "(it is never taken from the command line)."
    )


def _first_line(stream: TextIO | None) -> str:
    if stream is None:
        return ""
    raw = getattr(stream, "buffer", None)
    return stream.readline() if raw is None else _utf8(raw.readline())


def _environment_password() -> str | None:
    environb = getattr(os, "environb", None)  # POSIX: the bytes as given
    if environb is None:
        return os.environ.get(PASSWORD_ENV)
    value = environb.get(PASSWORD_ENV.encode())
    return None if value is None else _utf8(value)


def _utf8(data: bytes) -> str:
    """Strict UTF-8, checked without an exception that would hold the password's bytes."""
    text = data.decode("utf-8", "surrogateescape")
    if any("\udc80" <= char <= "\udcff" for char in text):
        raise PasswordNotUtf8()
    return text


@dataclass(frozen=True)
class Checked:
    """One account's report, with what the keyfile says about it."""

    report: Any
    acknowledged: frozenset[str] = frozenset()
    """Finding codes the user accepted for this key (in the app: k)."""
    endpoint: str | None = None

    def is_open(self, finding: Any) -> bool:
        """A critical finding the user has not accepted."""
        return finding.severity == "critical" and finding.code not in self.acknowledged


def exit_code(checked: Sequence[Checked]) -> int:
    """2 when an account failed; else 1 for a critical finding not acknowledged; else 0."""
    if any(c.report.problem is not None or c.report.status.state == "failing" for c in checked):
        return EXIT_FAILED
    if any(c.is_open(f) for c in checked for f in c.report.findings):
        return EXIT_CRITICAL
    return EXIT_OK


async def _check_all(vault: Any, locations: Locations) -> list[Checked]:
    """Every account checked now (back-off bypassed), on the Session the app uses."""
    from tui.session import Session, make_connector

    connector = make_connector(
        locations, timeout_s=REQUEST_TIMEOUT_S, account_timeout_s=ACCOUNT_TIMEOUT_S
    )
    session = Session(vault, connector)
    try:
        accounts = session.accounts
        reports = {r.account_id: r async for r in session.refresh(force=True)}
        return [
            Checked(reports[a.id], session.acknowledged_codes(a.id), a.endpoint) for a in accounts
        ]
    finally:
        await session.aclose()


def _document(checked: Sequence[Checked], code: int) -> dict[str, Any]:
    from tui.connect.export import SCHEMA, money_text, report_dict

    reports = [c.report for c in checked]
    accounts = [
        report_dict(c.report, acknowledged=c.acknowledged, endpoint=c.endpoint) for c in checked
    ]
    priced = [r.balances for r in reports if r.balances is not None]
    return {
        "schema": SCHEMA,
        "keydeck_version": __version__,
        "checked_at": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        "exit_code": code,
        "summary": {
            "accounts": len(reports),
            "failed": sum(1 for a in accounts if a["problem"] is not None),
            "critical": sum(1 for c in checked for f in c.report.findings if c.is_open(f)),
            "acknowledged": sum(
                1
                for c in checked
                for f in c.report.findings
                if f.severity == "critical" and not c.is_open(f)
            ),
            "warnings": sum(1 for r in reports for f in r.findings if f.severity == "warning"),
            "total_usd": money_text(sum((b.total_usd for b in priced), Decimal(0))),
            "total_usd_complete": len(priced) == len(reports) and all(b.complete for b in priced),
        },
        "accounts": accounts,
    }


def _usd(value: Decimal | None) -> str:
    return "unknown" if value is None else f"${value:,.2f}"


def _padded(text: str, cells: int) -> str:
    """`text` padded to `cells` terminal cells (wide CJK characters count two)."""
    from rich.cells import cell_len, set_cell_size

    return (
        set_cell_size(text, cells)
        if cell_len(text) > cells
        else text + " " * (cells - cell_len(text))
    )


def _table(checked: Sequence[Checked], out: TextIO) -> None:
    from tui import format as fmt
    from tui.connect.names import display_name

    reports = [c.report for c in checked]
    if not reports:
        print("The keyfile holds no API keys yet.", file=out)
        return
    marks = {"ok": "✓", "warning": "!", "failing": "✗"}
    grand_total = Decimal(0)
    incomplete = False
    without_balances = 0
    for item in checked:
        report = item.report
        status = report.status
        name = f"{display_name(report.exchange)} · {report.label}"
        parts = [f"{marks.get(status.state, '?')} {_padded(name, 28)}", f"{status.state:<8}"]
        if status.latency_ms is not None:
            parts.append(f"{status.latency_ms:>6.0f} ms")
        if status.clock_offset_ms is not None:
            parts.append(f"clock {status.clock_offset_ms / 1000:+.1f} s")
        if report.balances is not None:
            balances = report.balances
            grand_total += balances.total_usd
            total = _usd(balances.total_usd)
            if balances.unpriced_assets:
                incomplete = True
                total += f" + {len(balances.unpriced_assets)} unpriced"
            parts.append(total)
        else:
            without_balances += 1
        print("  ".join(parts), file=out)
        problem = report.problem or (status.problem if status.state == "warning" else None)
        if problem is not None:
            print(f"    {problem.title}", file=out)
            print(f"    Fix: {problem.fix}", file=out)
        if report.balances is not None:
            for row in report.balances.assets:
                print(
                    f"    {_padded(row.asset, 8)} total {fmt.amount(row.total):>18}"
                    f"  in orders {fmt.amount(row.used):>14}  {_usd(row.usd):>16}",
                    file=out,
                )
        if item.endpoint:
            print(f"    endpoint {item.endpoint}", file=out)
        for finding in report.findings:
            accepted = finding.severity == "critical" and not item.is_open(finding)
            mark = f"{finding.severity}, acknowledged" if accepted else finding.severity
            print(f"    [{mark}] {finding.title}", file=out)
            if finding.severity != "info" and not accepted:
                print(f"      {finding.advice}", file=out)
    if without_balances == len(reports):
        print("\nTotal unknown: no account's balances could be read.", file=out)
        return
    notes = []
    if without_balances:
        plural = "s" if without_balances > 1 else ""
        notes.append(f"{without_balances} account{plural} not read")
    if incomplete:
        notes.append("some assets without a price")
    suffix = f" ({'; '.join(notes)})" if notes else ""
    print(f"\nTotal {_usd(grand_total)}{suffix}", file=out)


def run_check(
    locations: Locations,
    *,
    json_output: bool = False,
    password_stdin: bool = False,
    out: TextIO | None = None,
    err: TextIO | None = None,
    log_to_file: bool = True,
) -> int:
    """The `keydeck check` command; the exit code. Never lets a traceback reach the user."""
    out = out if out is not None else sys.stdout
    err = err if err is not None else sys.stderr
    disable_core_dumps()  # the process will hold decrypted keys
    logged = False
    try:
        logged = log_to_file and _start_log(locations, err)
        return _run(locations, json_output, password_stdin, out, err)
    except (KeyboardInterrupt, asyncio.CancelledError) as error:
        if isinstance(error, KeyboardInterrupt) or was_interrupted():
            log.info("keydeck check interrupted")
            return EXIT_INTERRUPTED
        return _unexpected(error, locations, logged, err)
    except Exception as error:
        return _unexpected(error, locations, logged, err)


def _unexpected(error: BaseException, locations: Locations, logged: bool, err: TextIO) -> int:
    log.error("keydeck check failed", exc_info=error)  # scrubbed by the log's filter
    where = f"details in the log: {locations.log_file}" if logged else "no log was written"
    say(err, f"keydeck check: unexpected error ({type(error).__name__}); {where}")
    return EXIT_KEYFILE


def _start_log(locations: Locations, err: TextIO) -> bool:
    """The log file, if it can be had; logging is a nicety and the check runs without it."""
    from tui.logs import setup_logging

    try:
        setup_logging(locations.log_file)
    except OSError as error:
        say(err, f"keydeck check: cannot write the log ({error.strerror or error})")
        return False
    return True


def _run(
    locations: Locations, json_output: bool, password_stdin: bool, out: TextIO, err: TextIO
) -> int:
    from tui.vault import Vault, VaultError

    try:
        password = Secret(read_password(password_stdin))  # registered: scrubbed from the log
        # Read-only: no write lock, so the check runs while the app has the keyfile open,
        # and on a read-only filesystem.
        vault = Vault.open(
            locations.keyfile, password, read_only=True, state_dir=locations.state_dir
        )
    except (PasswordUnavailable, VaultError) as error:
        say(err, f"keydeck check: {error}")
        return EXIT_KEYFILE
    except OSError as error:
        say(err, f"keydeck check: cannot open the keyfile: {error.strerror or error}")
        return EXIT_KEYFILE

    checked = asyncio.run(cancelled_by_interrupt(_check_all(vault, locations)))
    code = exit_code(checked)
    try:
        if json_output:
            json.dump(_document(checked, code), out, indent=2, ensure_ascii=False)
            out.write("\n")
        else:
            _table(checked, out)
        out.flush()
    except BrokenPipeError:  # `keydeck check | head -1`: the reader has all it wanted
        silence(out)
    return code
