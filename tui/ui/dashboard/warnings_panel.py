"""Permission findings grouped by severity, and the banner for unacknowledged critical ones."""

from __future__ import annotations

from datetime import datetime

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.style import Style as RichStyle
from rich.text import Text
from textual.containers import VerticalScroll
from textual.content import Content
from textual.style import Style

from tui.base import format as fmt
from tui.ui.dashboard.model import WarningItem
from tui.ui.dashboard.quiet import QuietBorder, QuietStatic
from tui.ui.widgets.theme import Palette

READ_STEP_S = 60
""""read N min ago": rights are read every few minutes, so seconds say nothing."""

SEVERITY_LOOK: dict[str, tuple[str, str, str]] = {
    # severity -> (glyph, heading, style)
    "critical": ("✖", "Critical", "$error"),
    "warning": ("▲", "Warning", "$warning"),
    "info": ("ℹ", "Info", "$primary"),
}


def link(url: str) -> Content:
    """A clickable URL in terminals that support hyperlinks, plain text elsewhere."""
    return Content.assemble((url, Style(link=url, underline=True)))


def render_groups(
    groups: dict[str, list[WarningItem]],
    palette: Palette,
    checking: tuple[str, ...] = (),
    unknown: tuple[str, ...] = (),
) -> RenderableType:
    """Rich renderables, so advice wraps with a hanging indent under its finding.

    `checking`: accounts not answered yet; `unknown`: accounts whose rights could not be
    read (failed, or the exchange does not report them). Neither ever reads as safe."""
    blocks: list[RenderableType] = []
    for severity, items in groups.items():
        if not items:
            continue
        glyph, heading, style = SEVERITY_LOOK[severity]
        if blocks:
            blocks.append(Text(""))
        blocks.append(
            Text(f"{glyph} {heading} ({len(items)})", style=palette.style(f"bold {style}"))
        )
        for item in items:
            finding = item.finding
            title = Text.assemble(
                (f"{item.view.name}: ", "bold"),
                finding.title,
                (" (acknowledged)" if item.acknowledged else "", "italic dim"),
            )
            blocks.append(Padding(title, (0, 0, 0, 1)))
            blocks.append(Padding(Text(finding.advice, style="dim"), (0, 0, 0, 3)))
            if finding.link:  # a URL is cut at the edge, never broken over two lines
                style = RichStyle(link=finding.link, underline=True)
                url = Text(finding.link, style=style, no_wrap=True, overflow="ellipsis")
                blocks.append(Padding(url, (0, 0, 0, 3)))
    if unknown:
        if blocks:
            blocks.append(Text(""))
        names = ", ".join(unknown)
        blocks.append(Text(f"? Could not read the permissions of: {names}", style="dim"))
    if checking:
        if blocks:
            blocks.append(Text(""))
        blocks.append(Text(f"◌ Reading permissions: {len(checking)} to go…", style="dim"))
    if not blocks:
        return Text("✔ No permission warnings.", style=palette.style("$success"))
    return Group(*blocks)


def fingerprint(items: list[WarningItem]) -> tuple[tuple[str, object, bool], ...]:
    """What the warnings text shows of `items`, cheap to compare (the text is not)."""
    return tuple((item.view.name, item.finding, item.acknowledged) for item in items)


class WarningsPanel(VerticalScroll, QuietBorder, can_focus=True):
    """Scrolls with the keyboard when focused; the text is rebuilt only when it changes."""

    def compose(self):  # type: ignore[no-untyped-def]
        yield QuietStatic(id="warnings-text")

    def on_mount(self) -> None:
        self.show_title("Permissions")

    def show(
        self,
        groups: dict[str, list[WarningItem]],
        palette: Palette,
        checking: tuple[str, ...] = (),
        unknown: tuple[str, ...] = (),
    ) -> None:
        findings = tuple((severity, fingerprint(items)) for severity, items in groups.items())
        key = (findings, palette, len(checking), unknown)
        self.query_one("#warnings-text", QuietStatic).set_content(
            key, lambda: render_groups(groups, palette, checking, unknown)
        )
        counts = [f"{len(items)} {severity}" for severity, items in groups.items() if items]
        if unknown:
            counts.append(f"{len(unknown)} unknown")
        if checking:
            counts.append("checking")
        self._counts = " · ".join(counts) if counts else "all clear"
        self._show_subtitle()

    _counts = "checking"
    _read = ""

    def tick(self, read_at: datetime | None, now: datetime) -> datetime | None:
        """The subtitle: the counts, and when the rights shown were read (the oldest read):
        rights are read every few minutes, not every round (tui/connect/cadence.py).
        Returns when "read … ago" can next change by the clock alone (None: never)."""
        if read_at is None:
            self._read = ""
            self._show_subtitle()
            return None
        self._read = f"read {fmt.ago(read_at, now, step_s=READ_STEP_S)}"
        self._show_subtitle()
        return fmt.ago_changes_at(read_at, now, step_s=READ_STEP_S)

    def _show_subtitle(self) -> None:
        self.show_subtitle(f"{self._counts} · {self._read}" if self._read else self._counts)


class CriticalBanner(QuietStatic):
    """Shown above everything while a critical finding is open; hidden otherwise."""

    def show(self, open_items: list[WarningItem]) -> None:
        if not open_items:
            if self.display:
                self.display = False
            return
        self.set_content(fingerprint(open_items), lambda: self._text(open_items))
        if not self.display:
            self.display = True

    @staticmethod
    def _text(open_items: list[WarningItem]) -> Content:
        first = open_items[0]
        more = len(open_items) - 1
        title = first.finding.title.rstrip(".")
        parts: list[Content | str | tuple[str, str]] = [
            ("✖ CRITICAL ", "bold"),
            (f"{first.view.name}: ", "bold"),
            f"{title}. ",
        ]
        if first.finding.link:
            parts += ["Fix it at ", link(first.finding.link), ". "]
        tail = "k: acknowledge the risk for this key"
        if more:
            tail += f" · {more} more critical"
        parts.append((tail, "italic"))
        return Content.assemble(*parts)
