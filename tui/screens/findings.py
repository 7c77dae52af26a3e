"""After a key is verified and saved: what the key may do, and what to fix."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from tui.messages import AccountCheck

if TYPE_CHECKING:
    from tui.connect.catalog import ExchangeInfo
    from tui.connect.models import Finding, Permissions
    from tui.vault import Account

_SEVERITY = {
    "critical": ("✗ critical", "bold red"),
    "warning": ("! warning", "yellow"),
    "info": ("i info", "cyan"),
}
_ROWS = (
    ("read", "Read"),
    ("spot_trade", "Spot trading"),
    ("margin", "Margin"),
    ("futures", "Futures"),
    ("internal_transfer", "Internal transfer"),
)


def flag(value: bool | None, *, danger: bool = False) -> Text:
    if value is None:
        return Text("? unknown", style="dim")
    if value:
        return Text("⚠ yes", style="bold red") if danger else Text("✓ yes", style="green")
    return Text("✗ no", style="green" if danger else "dim")


def permissions_table(permissions: Permissions) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    for name, title in _ROWS:
        table.add_row(title, flag(getattr(permissions, name)))
    table.add_row("Withdraw", flag(permissions.withdraw, danger=True))
    if permissions.ip_restricted is None:
        ip = Text("? unknown", style="dim")
    elif permissions.ip_restricted:
        ip = Text(f"✓ only {', '.join(permissions.ip_addresses) or 'listed IPs'}", style="green")
    else:
        ip = Text("✗ any IP address", style="yellow")
    table.add_row("IP restriction", ip)
    if permissions.expires_at is not None:
        table.add_row("Expires", permissions.expires_at.strftime("%Y-%m-%d"))
    return table


def findings_table(findings: list[Finding]) -> Table:
    """Worst first: severity word, then title, advice and link with a hanging indent."""
    order = {"critical": 0, "warning": 1, "info": 2}
    table = Table.grid(padding=(0, 2))
    table.add_column(no_wrap=True)
    table.add_column(ratio=1)
    for finding in sorted(findings, key=lambda f: order.get(f.severity, 3)):
        word, style = _SEVERITY.get(finding.severity, ("•", ""))
        body = Text(finding.title, style="bold")
        body.append(f"\n{finding.advice}")
        if finding.link:
            body.append(f"\n{finding.link}", style="dim")
        table.add_row(Text(word, style=style), body)
    return table


class FindingsScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Done", id="findings_done"),
    ]

    def __init__(self, info: ExchangeInfo, account: Account, check: AccountCheck) -> None:
        super().__init__()
        self.info = info
        self.account = account
        self.check = check

    def compose(self) -> ComposeResult:
        check = self.check
        with Vertical(classes="dialog findings-dialog"):
            yield Static(
                Text(
                    f"✓ {self.info.name} · {self.account.label}: key verified and saved",
                    style="bold green",
                ),
                classes="dialog-title",
            )
            with VerticalScroll(classes="findings-body"):
                permissions = check.permissions
                if permissions is None or not permissions.reported:
                    yield Static(
                        f"{self.info.name} does not tell which permissions this key has. Check "
                        "at the exchange that Withdraw is off and the key is limited to your IP.",
                        id="permissions",
                    )
                else:
                    yield Static("What this key may do", classes="section-title")
                    yield Static(permissions_table(permissions), id="permissions")
                if check.findings:
                    yield Static("To look at", classes="section-title")
                    yield Static(findings_table(check.findings), id="findings")
                elif permissions is not None and permissions.reported:
                    yield Static(Text("No problems found.", style="green"), id="findings")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Done", id="done", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#done", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)
