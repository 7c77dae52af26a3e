"""After a key is verified and saved: what the key may do, and what to fix."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING, ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from tui.ui.widgets.states import SEVERITY_LOOKS
from tui.ui.widgets.theme import Palette

if TYPE_CHECKING:
    from tui.connect.catalog import ExchangeInfo
    from tui.connect.models import AccountReport, Finding, Permissions
    from tui.vault import Account

_ROWS = (
    ("read", "Read"),
    ("spot_trade", "Spot trading"),
    ("margin", "Margin"),
    ("futures", "Futures"),
    ("internal_transfer", "Internal transfer"),
)


def flag(value: bool | None, palette: Palette, *, danger: bool = False) -> Text:
    if value is None:
        return Text("? unknown", style="dim")
    if value:
        if danger:
            return Text("⚠ yes", style=palette.style("bold $error"))
        return Text("✓ yes", style=palette.style("$success"))
    return Text("✗ no", style=palette.style("$success") if danger else "dim")


def permissions_table(permissions: Permissions, palette: Palette) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    for name, title in _ROWS:
        table.add_row(title, flag(getattr(permissions, name), palette))
    table.add_row("Withdraw", flag(permissions.withdraw, palette, danger=True))
    if permissions.ip_restricted is None:
        ip = Text("? unknown", style="dim")
    elif permissions.ip_restricted:
        ip = Text(
            f"✓ only {', '.join(permissions.ip_addresses) or 'listed IPs'}",
            style=palette.style("$success"),
        )
    else:
        ip = Text("✗ any IP address", style=palette.style("$warning"))
    table.add_row("IP restriction", ip)
    if permissions.expires_at is not None:
        table.add_row("Expires", permissions.expires_at.strftime("%Y-%m-%d"))
    return table


def findings_table(
    findings: Sequence[Finding], palette: Palette, accepted: Collection[str] = ()
) -> Table:
    """Worst first: severity word, then title, advice and link with a hanging indent. A
    finding whose code is in `accepted` reads "accepted" (after the open ones), not its
    severity: the user took that risk on purpose."""
    order = {"critical": 0, "warning": 1, "info": 2}
    table = Table.grid(padding=(0, 2))
    table.add_column(no_wrap=True)
    table.add_column(ratio=1)

    def rank(finding: Finding) -> tuple[bool, int]:
        return finding.code in accepted, order.get(finding.severity, 3)

    for finding in sorted(findings, key=rank):
        look = SEVERITY_LOOKS.get(finding.severity)
        word, style = (look.text, palette.style(look.style)) if look else ("•", "")
        body = Text(finding.title, style="bold")
        if finding.code in accepted:
            word, style = "✔ accepted", palette.style("$text-muted")
            body.append(f"\nAccepted by you ({finding.severity}); u takes it back.")
        body.append(f"\n{finding.advice}")
        if finding.link:
            body.append(f"\n{finding.link}", style="dim")
        table.add_row(Text(word, style=style), body)
    return table


class FindingsScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Done", id="findings_done"),
    ]

    def __init__(self, info: ExchangeInfo, account: Account, report: AccountReport) -> None:
        super().__init__()
        self.info = info
        self.account = account
        self.report = report

    def compose(self) -> ComposeResult:
        report = self.report
        palette = Palette(self.app.theme_variables)
        with Vertical(classes="dialog findings-dialog"):
            yield Static(
                Text(
                    f"✓ {self.info.name} · {self.account.label}: key verified and saved",
                    style=palette.style("bold $success"),
                ),
                classes="dialog-title",
            )
            with VerticalScroll(classes="findings-body"):
                permissions = report.permissions
                if permissions is None or not permissions.reported:
                    yield Static(
                        Text(
                            f"{self.info.name} does not tell which permissions this key has. "
                            "Check at the exchange that Withdraw is off and the key is limited "
                            "to your IP."
                        ),
                        id="permissions",
                    )
                else:
                    yield Static("What this key may do", classes="section-title")
                    yield Static(permissions_table(permissions, palette), id="permissions")
                if report.findings:
                    yield Static("To look at", classes="section-title")
                    yield Static(findings_table(report.findings, palette), id="findings")
                elif permissions is not None and permissions.reported:
                    no_problem = Text("No problems found.", style=palette.style("$success"))
                    yield Static(no_problem, id="findings")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Done", id="done", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#done", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)
