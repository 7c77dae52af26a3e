"""`keydeck check`: verify every key in the keyfile, headless, for cron jobs and monitoring.

Prints a readable table, or with `--json` one document whose schema is in
docs/check-json.md. Exit codes: 0 all fine, 1 a critical finding, 2 an account failed (takes
precedence over 1), 3 the keyfile could not be opened (or the check could not run),
130 interrupted. The keyfile is opened read-only: the check runs beside the app.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any, TextIO

from tui.commands.preamble import Context, Spec, add_password_option, run_command

if TYPE_CHECKING:
    from tui.base.paths import Locations
    from tui.commands.check_report import Checked

SPEC = Spec("check", keyfile_exit=3, failure_exit=3)
ACCOUNT_TIMEOUT_S = 60.0
REQUEST_TIMEOUT_S = 15.0


def add_parser(sub: Any) -> argparse.ArgumentParser:
    check = sub.add_parser(
        "check",
        help="verify every key in the keyfile (status, balances, permissions) without the UI",
        description="Verify every key in the keyfile. The password comes from "
        "KEYDECK_PASSWORD or --password-stdin, never from the command line. Exit codes: "
        "0 all fine, 1 a critical finding, 2 an account failed, 3 keyfile not opened "
        "(or the check could not run; details in the log), 130 interrupted.",
    )
    check.add_argument("--json", action="store_true", help="print one JSON document")
    add_password_option(check)
    return check


def run(
    args: argparse.Namespace,
    locations: Locations,
    *,
    out: TextIO | None = None,
    err: TextIO | None = None,
    log_to_file: bool = True,
) -> int:
    return run_command(SPEC, args, locations, _check, out=out, err=err, log_to_file=log_to_file)


def _check(context: Context) -> int:
    import asyncio
    import json
    import logging

    from tui import __version__
    from tui.base.process import cancelled_by_interrupt
    from tui.commands.check_report import document, exit_code, table

    logging.captureWarnings(True)  # library warnings go to the log, not to a monitor
    with context.open_vault() as vault:
        checked = asyncio.run(cancelled_by_interrupt(_check_all(vault, context.locations)))
    code = exit_code(checked)
    out = context.out
    if context.args.json:
        json.dump(document(checked, code, __version__), out, indent=2, ensure_ascii=False)
        out.write("\n")
    else:
        table(checked, out)
    return code


async def _check_all(vault: Any, locations: Locations) -> list[Checked]:
    """Every account checked now (back-off bypassed), on the Session the app uses."""
    from tui.commands.check_report import Checked
    from tui.core.session import Session, make_connector

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
