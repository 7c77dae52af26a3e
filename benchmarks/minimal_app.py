"""The reference for time-to-first-frame: the smallest Textual app that shows one line."""

from textual.app import App, ComposeResult
from textual.widgets import Static


class MinimalApp(App[None]):
    def compose(self) -> ComposeResult:
        yield Static("BENCH-READY")


if __name__ == "__main__":
    MinimalApp().run()
