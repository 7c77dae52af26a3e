"""F1: what Keydeck does, the keys of the screen under the help, and how keys are kept safe.

The key tables are built from the bindings Textual has active on that screen (its own, its
focused widget's and the app's), so the help can never drift from what the keys do.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.keys import format_key
from textual.screen import ModalScreen, Screen
from textual.widgets import Markdown, Static

INTRO = """\
## Keydeck

Connect your exchange API keys, check that they work, and see what each key is allowed to do.
Keys are kept in one encrypted keyfile, opened with your master password.
"""

PROSE = """\
### Safe keys

Grant **Read** and **Trade** only, **never Withdraw**, and restrict each key to your IP
address at the exchange. Keydeck checks every key and warns when it can withdraw.

### The keyfile

Everything you enter is encrypted with a key derived from your master password. There is no
recovery: if you forget the password, revoke the keys at each exchange, start a new keyfile
and add new keys. Keydeck locks itself after a while without input.

### Settings

Theme (ctrl+p, then "theme"), idle lock (`idle_lock_minutes`, 0 turns it off) and refresh
interval live in {settings}. No secret is ever written there.
"""

# Keys no binding describes (typing into a filter box), named by the screen that has them.
HELP_NOTES_ATTRIBUTE = "HELP_NOTES"

_KEY_NAMES = {"esc": "Esc", "⏎": "Enter", "del": "Delete", "pgdn": "PgDn", "pgup": "PgUp"}


@dataclass(frozen=True)
class KeyRow:
    keys: str
    does: str


@dataclass(frozen=True)
class ScreenKeys:
    """The keys of one screen: its own (and its focused widget's), and the app's."""

    this_screen: tuple[KeyRow, ...]
    everywhere: tuple[KeyRow, ...]


def key_name(binding: Binding) -> str:
    """How a user would write the key: ctrl+l, F1, Esc, /, ↑."""
    if binding.key_display:
        return binding.key_display
    modifiers, key = binding.parse_key()
    shown = format_key(key)
    shown = _KEY_NAMES.get(shown, shown)
    if len(shown) in (2, 3) and shown[0] == "f" and shown[1:].isdigit():
        shown = shown.upper()
    return "+".join([*modifiers, shown])


def keys_of(screen: Screen[object]) -> ScreenKeys:
    """The documented bindings of `screen`, grouped, one row per action.

    This screen: the screen's own bindings (even where a focused text field takes the key
    first and hands it on, as Enter in a filter box does) and those of its focused widgets.
    Everywhere: the app's. A binding is documented when it has a description and is ours
    (it has an id) or the app's (quit, palette); Textual's own widget keys (cursor moves in
    a text field) do what they do everywhere and are left out.
    """
    active = list(screen.active_bindings.values())
    rows: dict[bool, dict[tuple[str, str], list[str]]] = {True: {}, False: {}}

    def add(binding: Binding, *, everywhere: bool, enabled: bool) -> None:
        if not binding.description or binding.system:
            return
        if binding.id is None and not everywhere:
            return
        does = binding.tooltip or binding.description
        if not enabled:
            does += " (not available here now)"
        names = rows[everywhere].setdefault((binding.action, does), [])
        name = key_name(binding)
        if name not in names:
            names.append(name)

    state = {(a.binding.key, a.binding.action): a.enabled for a in active}
    for binding in _declared_bindings(screen):
        enabled = state.get((binding.key, binding.action), True)
        if screen.check_action(binding.action, ()) is False:
            continue
        add(binding, everywhere=False, enabled=enabled)
    for item in active:
        if item.node is not screen:
            add(item.binding, everywhere=isinstance(item.node, App), enabled=item.enabled)
    notes = tuple(KeyRow(keys, does) for keys, does in getattr(screen, HELP_NOTES_ATTRIBUTE, ()))
    return ScreenKeys(this_screen=notes + _rows(rows[False]), everywhere=_rows(rows[True]))


def _declared_bindings(screen: Screen[object]) -> list[Binding]:
    """The bindings the screen's classes declare, base classes first."""
    declared: list[BindingType] = []
    for cls in reversed(type(screen).__mro__):
        declared.extend(cls.__dict__.get("BINDINGS", ()))
    return list(Binding.make_bindings(declared))


def _rows(grouped: dict[tuple[str, str], list[str]]) -> tuple[KeyRow, ...]:
    return tuple(KeyRow(" / ".join(names), does) for (_, does), names in grouped.items())


def key_table(rows: Sequence[KeyRow]) -> Table:
    """Two plain columns (rich Text: no markup is read from a description)."""
    table = Table(box=None, show_header=False, padding=(0, 2, 0, 0), expand=False)
    table.add_column("Key", style="bold", no_wrap=True, min_width=8)
    table.add_column("Does", overflow="fold")
    for row in rows:
        table.add_row(Text(row.keys), Text(row.does))
    return table


def sections(keys: ScreenKeys) -> Iterable[tuple[str, Sequence[KeyRow]]]:
    everywhere = (*keys.everywhere, KeyRow("Esc", "close this help"))
    return (("Keys on this screen", keys.this_screen), ("Keys everywhere", everywhere))


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="help_close"),
        Binding("f1", "close", "Close", show=False, id="help_close_f1"),
    ]

    def __init__(self, keys: ScreenKeys, settings_path: Path | None = None) -> None:
        super().__init__()
        self.keys = keys
        self.settings_path = settings_path

    def compose(self) -> ComposeResult:
        where = f"`{self.settings_path}`" if self.settings_path else "the settings file"
        with Vertical(classes="dialog help-dialog"):
            yield Static("Help", classes="dialog-title")
            with VerticalScroll():
                yield Markdown(INTRO, id="help-intro")
                for title, rows in sections(self.keys):
                    if rows:
                        yield Static(Text(title, style="bold"), classes="help-keys-title")
                        yield Static(key_table(rows), classes="help-keys")
                yield Markdown(PROSE.format(settings=where), id="help-prose")

    def action_close(self) -> None:
        self.dismiss(None)
