"""`keydeck rotate ACCOUNT`: put a new key in place of an account's key, from the terminal.

The new key's fields come from `KEYDECK_NEW_<FIELD>` variables (KEYDECK_NEW_API_KEY,
KEYDECK_NEW_API_SECRET, KEYDECK_NEW_API_PASSWORD...) or hidden prompts, never from argv. The
new key is verified and its rights compared with the old key's (the app's table: each right,
old key, new key, what is gained and what is lost); a key that gains withdrawals is refused
unless `--allow-withdraw`. The old key stays in the keyfile (encrypted) until
`keydeck rotate ACCOUNT --check-old` sees the exchange refuse it, or `--drop-old`.

Exit codes: 0 done, 1 the new key was refused or the old key still works, 3 keyfile problem,
130 interrupted.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import TYPE_CHECKING, Any, TextIO

from tui.commands.accounts import find_account
from tui.commands.preamble import Context, Failed, Spec, add_password_option, run_command

if TYPE_CHECKING:
    from tui.base.paths import Locations
    from tui.core.session import Session

EXIT_OK, EXIT_REFUSED, EXIT_KEYFILE = 0, 1, 3
SPEC = Spec(
    "rotate", keyfile_exit=EXIT_KEYFILE, failure_exit=EXIT_KEYFILE, read_only=False, writes=True
)


def add_parser(sub: Any) -> argparse.ArgumentParser:
    rotate = sub.add_parser(
        "rotate",
        help="replace an account's key with a new one (verified, compared, old key checked)",
        description=__doc__.split("\n\n")[1] if __doc__ else None,
    )
    rotate.add_argument("account", help="exchange, or exchange/label")
    rotate.add_argument(
        "--allow-withdraw", action="store_true", help="accept a new key that can withdraw"
    )
    rotate.add_argument("--check-old", action="store_true", help="try the replaced key once")
    rotate.add_argument("--drop-old", action="store_true", help="forget the replaced key now")
    add_password_option(rotate)
    return rotate


def new_credentials(fields: list[str], stdin_is_tty: bool) -> dict[str, str]:
    """The new key's fields: KEYDECK_NEW_<NAME> (API_KEY, API_SECRET, API_PASSWORD, API_UID...)
    or a hidden prompt per field."""
    from tui.base.redact import Secret
    from tui.commands.passwords import environment_value, prompt
    from tui.keys_io.child_env import env_name

    values: dict[str, str] = {}
    for name in fields:
        variable = "KEYDECK_NEW_" + env_name(name).removeprefix("KEYDECK_")
        value = environment_value(variable)
        if not value and stdin_is_tty:
            value = prompt(f"New {name}")
        if not value:
            raise Failed(
                f"No {name} for the new key: set {variable} (never on argv).", EXIT_REFUSED
            )
        Secret(value)  # registered: scrubbed from the log
        values[name] = value.strip()
    return values


def run(args: argparse.Namespace, locations: Locations, *, out: TextIO | None = None) -> int:
    return run_command(SPEC, args, locations, _run, out=out)


def _run(context: Context) -> int:
    from tui.core.keyfile_access import KeyfileAccess
    from tui.core.session import is_retired
    from tui.vault import VaultError

    session = KeyfileAccess.for_locations(context.locations).open(context.password())

    async def run() -> int:
        try:
            in_use = [a for a in session.vault.accounts if not is_retired(a)]
            account = find_account(in_use, context.args.account, EXIT_REFUSED)
            return await _rotate(session, account, context.args, context.out)
        finally:
            await session.aclose()  # in the same event loop as the exchange clients

    try:
        return asyncio.run(run())
    except VaultError as error:
        raise Failed(str(error), EXIT_KEYFILE) from None


async def _rotate(session: Session, account: Any, args: argparse.Namespace, out: TextIO) -> int:
    from tui.core.rotation import check_revoked, retired_keys

    name = f"{account.exchange}/{account.label}"
    if args.check_old or args.drop_old:
        old_keys = retired_keys(session, account.id)
        if not old_keys:
            print(f"{name}: no replaced key is waiting.", file=out)
            return EXIT_OK
        for old in old_keys:
            verdict = "revoked" if args.drop_old else (await check_revoked(session, old))[0]
            if verdict == "revoked":
                await asyncio.to_thread(session.remove_account, old.id)
                how = "dropped" if args.drop_old else "revoked"
                print(f"{name}: the old key is forgotten ({how}).", file=out)
            elif verdict == "works":
                print(f"{name}: the old key STILL WORKS. Delete it at the exchange.", file=out)
                return EXIT_REFUSED
            else:
                print(f"{name}: the exchange could not say; try again later.", file=out)
                return EXIT_REFUSED
        return EXIT_OK
    fields = [n for n in account.credentials]
    values = new_credentials(fields, sys.stdin.isatty())
    if values.get("apiKey") and values.get("apiKey") == account.credentials["apiKey"].reveal():
        raise Failed("This is the key in use now.", EXIT_REFUSED)
    old_report = None
    async for report in session.refresh([account], force=True):
        old_report = report
    new = account.replace(credentials=values, verified_at=None)
    report = await session.verify(new)
    if report.problem is not None:
        problem = report.problem
        print(f"{name}: the new key was refused: {problem.title} {problem.fix}", file=out)
        return EXIT_REFUSED
    print_rights(old_report.permissions if old_report else None, report.permissions, out)
    criticals = [f for f in report.findings if f.severity == "critical"]
    if criticals and not args.allow_withdraw:
        for finding in criticals:
            print(f"  [critical] {finding.title}", file=out)
        print("Not saved: fix the key at the exchange, or pass --allow-withdraw.", file=out)
        return EXIT_REFUSED
    await asyncio.to_thread(session.rotate_key, account, new, report)
    from tui.connect.exchanges import key_page

    page = key_page(account.exchange)
    print(f"{name}: the new key is verified and saved.", file=out)
    print(
        f"Now delete the old key at the exchange{f' ({page})' if page else ''}, then run "
        f"`keydeck rotate {name} --check-old`: Keydeck keeps the old key until it sees it "
        "refused.",
        file=out,
    )
    return EXIT_OK


def print_rights(old: Any, new: Any, out: TextIO) -> None:
    """What each key may do, as the app's rotation screen shows it: gained and lost rights."""
    from tui.core.rotation import compare_rights

    rows = compare_rights(old, new)
    if not rows:
        print("The exchange does not report what either key may do.", file=out)
        return
    width = max(len(words) for words, *_ in rows)
    print(f"{'What each key may do':<{width}}  old key  new key", file=out)
    for words, before, after, danger in rows:
        note = ""
        if danger:
            note = "  ⚠ gained"
        elif after and not before and before is not None:
            note = "  gained"
        elif before and after is False:
            note = "  lost"
        print(f"{words:<{width}}  {_word(before):<7}  {_word(after):<7}{note}", file=out)


def _word(value: bool | None) -> str:
    return "?" if value is None else "yes" if value else "no"
