"""`keydeck import SOURCE PATH`: read keys from another tool's files into the keyfile.

Order: the keyfile's lock is checked first (the app holding it is said at once), then the
source is read (a wrong source password stops here), then the keyfile is unlocked (or, when
there is none, a new one's password is checked against the first-run screen's strength
rule), the preview planned, each new key verified (unless --no-verify) and everything saved
in ONE write, so a failure part-way leaves the keyfile byte-identical. Exit codes: 0 done,
1 the source could not be read, 2 a key failed verification (the others were saved),
3 the keyfile could not be opened, created or written (a password too weak for a new
keyfile included), 130 interrupted.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from tui.commands.preamble import Context, Failed, Spec, add_password_option, run_command

if TYPE_CHECKING:
    from tui.base.paths import Locations
    from tui.keys_io.plan import Plan, PlannedRow
    from tui.keys_io.sources import SourceRead

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_SOURCE = 1
EXIT_UNVERIFIED = 2
EXIT_KEYFILE = 3
EXIT_USAGE = 2  # a bad --endpoint (argparse's code for usage errors)

REQUEST_TIMEOUT_S = 15.0
SPEC = Spec(
    "import", keyfile_exit=EXIT_KEYFILE, failure_exit=EXIT_KEYFILE, read_only=False, writes=True
)
SOURCE_TITLES = {
    "hummingbot": "Hummingbot",
    "freqtrade": "Freqtrade",
    "env": ".env file",
    "ccxt": "ccxt keys file",
    "keydeck": "Keydeck keyfile",
}


def add_parser(sub: Any) -> argparse.ArgumentParser:
    from tui.keys_io.sources import SOURCE_NAMES

    importing = sub.add_parser(
        "import",
        help="import API keys from Hummingbot, Freqtrade, a .env file, ccxt keys or a keyfile",
        description="Import API keys from another tool's files into the keyfile. Keydeck's "
        "password comes from KEYDECK_PASSWORD, --password-stdin or a prompt, never from the "
        "command line; a new keyfile's password must not be too easy to guess. A source's own "
        "password (Hummingbot's, another keyfile's) comes from KEYDECK_IMPORT_PASSWORD or a "
        "prompt. Each key is verified with its exchange unless --no-verify; everything is "
        "saved in one write. Your files are never changed. Exit codes: 0 done, 1 the source "
        "could not be read, 2 a key failed verification (the others were saved), 3 the "
        "keyfile could not be opened, created or written, 130 interrupted.",
    )
    importing.add_argument("source", choices=list(SOURCE_NAMES), help="where the keys are")
    importing.add_argument(
        "path",
        type=Path,
        help="hummingbot: its conf (or conf/connectors) directory; freqtrade: config.json; "
        "env: a .env file; ccxt: a keys.json; keydeck: a keyfile or backup",
    )
    importing.add_argument(
        "--dry-run",
        action="store_true",
        help="show what would be added (exchange, label, which fields; never a value)",
    )
    importing.add_argument(
        "--no-verify",
        action="store_true",
        help="do not contact the exchanges; save the keys as unverified",
    )
    importing.add_argument(
        "--endpoint",
        action="append",
        default=[],
        metavar="EXCHANGE=URL",
        help="give the imported keys of EXCHANGE this API endpoint (regional host, proxy, "
        "the local simulator); repeatable",
    )
    add_password_option(importing)
    return importing


@dataclass
class ImportOptions:
    source: str
    path: Path
    dry_run: bool = False
    verify: bool = True
    password_stdin: bool = False
    endpoints: Mapping[str, str] = field(default_factory=dict)
    vault_options: Mapping[str, Any] = field(default_factory=dict)
    """Extra Vault.open/create arguments (tests pass a cheap KDF)."""


def parse_endpoints(values: Sequence[str]) -> dict[str, str]:
    """`--endpoint EXCHANGE=URL` options; ValueError with the reason for a bad one."""
    from tui.connect.endpoint import EndpointError, normalize_endpoint

    endpoints: dict[str, str] = {}
    for value in values:
        exchange, sep, url = value.partition("=")
        if not sep or not exchange.strip() or not url.strip():
            raise ValueError(f"--endpoint takes EXCHANGE=URL, not {value!r}")
        try:
            endpoints[exchange.strip().lower()] = normalize_endpoint(url)
        except EndpointError as error:
            raise ValueError(f"--endpoint {exchange}: {error}") from None
    return endpoints


def run(
    args: argparse.Namespace,
    locations: Locations,
    *,
    out: TextIO | None = None,
    err: TextIO | None = None,
    log_to_file: bool = True,
    vault_options: Mapping[str, Any] | None = None,
) -> int:
    """The command. `vault_options`: extra Vault.open/create arguments (tests: a cheap KDF)."""

    def body(context: Context) -> int:
        try:
            endpoints = parse_endpoints(args.endpoint)
        except ValueError as error:
            raise Failed(str(error), EXIT_USAGE) from None
        options = ImportOptions(
            source=args.source,
            path=args.path.expanduser(),
            dry_run=args.dry_run,
            verify=not args.no_verify,
            password_stdin=args.password_stdin,
            endpoints=endpoints,
            vault_options=dict(vault_options or {}),
        )
        return _Import(context, options).run()

    return run_command(SPEC, args, locations, body, out=out, err=err, log_to_file=log_to_file)


class _Import:
    def __init__(self, context: Context, options: ImportOptions) -> None:
        self.context = context
        self.locations = context.locations
        self.options = options
        self.out = context.out
        self.keyfile = context.locations.keyfile
        self.exists = self.keyfile.exists() or self.keyfile.is_symlink()

    def run(self) -> int:
        from tui.commands.passwords import PasswordUnavailable, source_password
        from tui.keys_io.dispatch import read_source
        from tui.keys_io.plan import plan_import
        from tui.keys_io.sources import SourceError
        from tui.vault import KeyfileLocked, Vault, VaultError

        options = self.options
        try:
            if self.exists:
                Vault.inspect(self.keyfile, read_only=options.dry_run)
        except KeyfileLocked as error:
            raise Failed(
                f"{error} (An import writes the keyfile; --dry-run previews it meanwhile.)",
                EXIT_KEYFILE,
            ) from None
        except VaultError as error:
            raise Failed(str(error), EXIT_KEYFILE) from None
        except OSError as error:
            raise Failed(
                f"cannot open the keyfile: {error.strerror or error}", EXIT_KEYFILE
            ) from None
        try:
            read = read_source(options.source, options.path, source_password)
        except (SourceError, PasswordUnavailable) as error:
            raise Failed(str(error), EXIT_SOURCE) from None
        password = self._password()
        vault = self._open() if self.exists else None
        try:
            existing = list(vault.accounts) if vault is not None else []
            plan = plan_import(
                read.candidates,
                existing,
                default_label=options.source,
                endpoints=options.endpoints,
            )
            if options.dry_run:
                self._preview(read, plan)
                return EXIT_OK
            return self._import(read, plan, vault, password)
        finally:
            if vault is not None:
                vault.close()

    # ---- the keyfile ---------------------------------------------------------------------

    def _password(self) -> Any:
        """Keydeck's password; for a keyfile this import creates, asked twice on a terminal
        and held to the first-run screen's strength rule wherever it comes from."""
        from tui.commands.passwords import (
            PasswordUnavailable,
            check_strength,
            confirmed_prompt,
            password_is_prompted,
        )

        where = f"the new keyfile {self.keyfile}"
        try:
            creating = not self.exists and not self.options.dry_run
            if creating and password_is_prompted(self.options.password_stdin):
                print(f"No keyfile yet at {self.keyfile}: it will be created.", file=self.out)
                self.out.flush()
                return self.context.set_password(confirmed_prompt("New Keydeck password", where))
            password = self.context.password()
            if creating:
                check_strength(password, where)
            return password
        except PasswordUnavailable as error:
            raise Failed(str(error), EXIT_KEYFILE) from None

    def _open(self) -> Any:
        from tui.vault import VaultError

        try:
            return self.context.open_vault(
                read_only=self.options.dry_run, **self.options.vault_options
            )
        except VaultError as error:
            raise Failed(str(error), EXIT_KEYFILE) from None

    # ---- preview ------------------------------------------------------------------------

    def _header(self, read: SourceRead) -> None:
        name = SOURCE_TITLES.get(read.source, read.source)
        found = len(read.candidates)
        print(f"{name} at {read.path}: {found} key{'s' if found != 1 else ''} found", file=self.out)

    def _row(self, mark: str, row: PlannedRow, tail: str = "") -> None:
        account = row.account
        extras = [*row.candidate.notes]
        if account.sandbox:
            extras.append("sandbox")
        if account.endpoint:
            extras.append(f"endpoint {account.endpoint}")
        from tui.keys_io.plan import field_names

        text = f"  {mark} {account.exchange:<14} {account.label:<14} {field_names(row)}"
        text += f"  ({row.candidate.origin}{'; ' + '; '.join(extras) if extras else ''})"
        print(text + tail, file=self.out)

    def _skipped(self, read: SourceRead, plan: Plan) -> None:
        for row in plan.duplicates:
            print(
                f"  = {row.account.exchange:<14} skipped: the same API key is already "
                f"{row.duplicate_of} ({row.candidate.origin})",
                file=self.out,
            )
        for skipped in [*read.skipped, *plan.invalid]:
            print(f"  - skipped {skipped.origin}: {skipped.reason}", file=self.out)

    def _preview(self, read: SourceRead, plan: Plan) -> None:
        self._header(read)
        if not self.exists:
            print(f"No keyfile yet at {self.keyfile}: the import would create it.", file=self.out)
        for row in plan.new:
            self._row("+", row)
        self._skipped(read, plan)
        count = len(plan.new)
        print(
            f"Would add {count} key{'s' if count != 1 else ''}"
            f"{' after verifying each with its exchange' if self.options.verify and count else ''}"
            ". Nothing was written (--dry-run).",
            file=self.out,
        )

    # ---- import -------------------------------------------------------------------------

    def _import(self, read: SourceRead, plan: Plan, vault: Any, password: Any) -> int:
        from tui.vault.account import utc_now

        self._header(read)
        rows = plan.new
        failed: list[tuple[PlannedRow, Any]] = []
        accepted: list[tuple[PlannedRow, Any]] = []
        if self.options.verify and rows:
            print(f"Verifying {len(rows)} key(s) with their exchanges...", file=self.out)
            reports = asyncio.run(self._verify(vault, [r.account for r in rows]))
            for row, report in zip(rows, reports, strict=True):
                if report.problem is None:
                    accepted.append((row, report))
                else:
                    failed.append((row, report))
        else:
            accepted = [(row, None) for row in rows]
        now = utc_now()
        accounts = [
            row.account.replace(verified_at=now) if report is not None else row.account
            for row, report in accepted
        ]
        if accounts:
            self._save(vault, accounts, password)
            self.context.wrote = True
        for row, report in accepted:
            state = "verified" if report is not None else "saved unverified"
            self._row("+", row, f"  {state}")
            for finding in report.findings if report is not None else ():
                if finding.severity == "critical":
                    print(f"      [critical] {finding.title}", file=self.out)
        for row, report in failed:
            self._row("x", row, "  NOT imported")
            problem = report.problem
            print(f"      {problem.title.rstrip('.')}. {problem.fix}", file=self.out)
        self._skipped(read, plan)
        if accounts:
            plural = "s" if len(accounts) != 1 else ""
            print(f"Added {len(accounts)} key{plural} to {self.keyfile}.", file=self.out)
        else:
            print(f"No key was added; {self.keyfile} is unchanged.", file=self.out)
        if failed:
            print(
                "Keys that failed verification were not saved; fix them, or import again "
                "with --no-verify to save them unverified.",
                file=self.out,
            )
        if read.plain_text and accepted:
            print(
                f"\nReminder: {read.path} still holds these keys in plain text. Keydeck never "
                f"changes or deletes your files: {read.cleanup_hint}.",
                file=self.out,
            )
        log.info(
            "imported %d key(s) from %s (%d duplicate, %d skipped, %d failed verification)",
            len(accounts),
            read.source,
            len(plan.duplicates),
            len(read.skipped) + len(plan.invalid),
            len(failed),
        )
        return EXIT_UNVERIFIED if failed else EXIT_OK

    async def _verify(self, vault: Any, accounts: list[Any]) -> list[Any]:
        """One signed call (and the permissions) per key, all exchanges at once."""
        from tui.core.session import Session, make_connector

        connector = make_connector(self.locations, timeout_s=REQUEST_TIMEOUT_S)
        session = Session(vault, connector)
        try:
            return list(await asyncio.gather(*(session.verify(a) for a in accounts)))
        finally:
            await connector.aclose()  # not session.aclose(): the vault is still needed

    def _save(self, vault: Any, accounts: list[Any], password: Any) -> None:
        from tui.keys_io.commit import add_all
        from tui.vault import Vault, VaultError

        try:
            if vault is None:
                from tui.base.paths import ensure_private_dir

                ensure_private_dir(self.locations.config_dir)
                with Vault.create(
                    self.keyfile,
                    password,
                    state_dir=self.locations.state_dir,
                    **self.options.vault_options,
                ) as created:
                    add_all(created, accounts, created_now=True)
            else:
                add_all(vault, accounts)
        except VaultError as error:
            raise Failed(f"{error} Nothing was imported.", EXIT_KEYFILE) from None
