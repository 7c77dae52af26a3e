"""The picture: portfolio value over the session as a sparkline, allocation as bars."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Sparkline

from tui.base import format as fmt
from tui.ui.dashboard.model import Allocation, AllocationBy, DashboardModel
from tui.ui.dashboard.quiet import QuietBorder, QuietStatic

BAR_SHADES = " ▏▎▍▌▋▊▉█"
MAX_BARS = 6


def bar(fraction: Decimal | float, width: int) -> str:
    """A horizontal bar `width` cells wide at most, in eighths of a cell."""
    eighths = round(max(0.0, min(1.0, float(fraction))) * width * 8)
    full, rest = divmod(eighths, 8)
    return "█" * full + (BAR_SHADES[rest] if rest else "")


class AllocationBars(Widget):
    """Name, bar and share for each exchange or asset, the rest folded into "other"."""

    DEFAULT_CSS = """
    AllocationBars { height: auto; }
    """

    items: reactive[tuple[Allocation, ...]] = reactive(())
    """New values repaint; a layout only when the number of lines changes."""

    def watch_items(self, before: tuple[Allocation, ...], after: tuple[Allocation, ...]) -> None:
        if _line_count(before) != _line_count(after):
            self.refresh(layout=True)

    def render(self) -> Content:
        items = fold_small(list(self.items), MAX_BARS)
        if not items:
            return Content.styled("no priced balances yet", "$text-muted")
        name_width = min(12, max(len(item.name) for item in items))
        width = max(4, self.size.width - name_width - 8)
        lines = []
        for item in items:
            percent = f"{item.share * 100:5.1f}%"
            lines.append(
                Content.assemble(
                    (f"{item.name[:name_width]:<{name_width}} ", "bold"),
                    (f"{bar(item.share, width):<{width}}", "$accent"),
                    f" {percent}",
                )
            )
        return Content("\n").join(lines)

    def get_content_height(self, container: object, viewport: object, width: int) -> int:
        return _line_count(self.items)


def _line_count(items: Sequence[Allocation]) -> int:
    return max(1, len(fold_small(items, MAX_BARS)))


def fold_small(items: Sequence[Allocation], limit: int) -> list[Allocation]:
    if len(items) <= limit:
        return list(items)
    kept = list(items[: limit - 1])
    rest = items[limit - 1 :]
    other = Allocation(
        "other", sum((i.usd for i in rest), Decimal(0)), sum((i.share for i in rest), Decimal(0))
    )
    return [*kept, other]


class PicturePane(Vertical, QuietBorder):
    def compose(self) -> ComposeResult:
        yield QuietStatic(id="portfolio-total")
        yield Sparkline([], id="portfolio-sparkline")
        yield QuietStatic(id="allocation-title")
        yield AllocationBars(id="allocation-bars")

    def on_mount(self) -> None:
        self.show_title("Portfolio")

    def show(self, model: DashboardModel, by: AllocationBy, span: str = "this session") -> None:
        """`span` names what the history covers ("this session", "24 h", "7 d"...)."""
        total = model.total_usd()
        history = [value for _, value in model.history]
        first = history[0] if history else None
        change = fmt.change(first, history[-1] if history else None)
        has_balances = any(view.balances is not None for view in model.views.values())
        value = fmt.usd(total) if has_balances else "…"
        since = f"  {change} {span}" if change and len(history) > 1 else ""
        unpriced = model.unpriced_assets()
        self.query_one("#portfolio-total", QuietStatic).set_content(
            (value, since, tuple(unpriced)), lambda: _headline(value, since, unpriced)
        )
        # The sparkline needs two points to draw a line; repeat a lone point.
        points = [float(v) for v in history] or [0.0]
        if len(points) == 1:
            points = points * 2
        sparkline = self.query_one("#portfolio-sparkline", Sparkline)
        if sparkline.data != points:
            sparkline.data = points
        self.query_one("#allocation-title", QuietStatic).set_content(
            by, lambda: Content.styled(f"Allocation by {by.value} (b to switch)", "$text-muted")
        )
        self.query_one("#allocation-bars", AllocationBars).items = tuple(model.allocation(by))
        self.show_subtitle(f"{len(history)} point{'s' if len(history) != 1 else ''}")


def _headline(value: str, since: str, unpriced: list[str]) -> Content:
    headline = Content.assemble((value, "bold $accent"), (since, "$text-muted"))
    if unpriced:
        headline = Content.assemble(
            headline, ("\n+ unknown value of " + ", ".join(unpriced), "italic $text-muted")
        )
    return headline
