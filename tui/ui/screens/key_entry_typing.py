"""What the key form does with what the user typed: check it, keep it, split it.

- Each field is checked when it is left filled, and on every change after that.

- Esc (or Cancel) on a form holding a typed key asks before the key is thrown away.
- A paste of `key<Tab>secret` (what a password manager's copy of several fields gives, and
  what its auto-type means) fills this field and the next ones: a burst of typed keys loses
  its Tab in the terminal's input handling, a paste does not.
- A label longer than the limit says so while it is typed (it used to stop silently).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import events, on
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Button, Input, TextArea

from tui.ui.screens.dialogs import ConfirmScreen
from tui.ui.screens.key_form import MAX_LABEL_CHARS, label_fault
from tui.ui.widgets.field_error import FieldError
from tui.ui.widgets.secret_input import KeyInput

if TYPE_CHECKING:
    from tui.connect.catalog import ExchangeInfo
    from tui.ui.screens.key_form_fields import FormFields

AUTO_TYPE_NOTE = (
    "paste",
    "key<Tab>secret from a password manager fills the fields in turn "
    "(its auto-type loses the Tab: paste instead)",
)


class KeepsTypedKeys(Screen[None]):
    """Mixin for the key form (its fields are `#label` and `#cred-<name>`)."""

    HELP_NOTES: ClassVar[tuple[tuple[str, str], ...]] = (AUTO_TYPE_NOTE,)
    info: ExchangeInfo
    form_fields: FormFields
    _touched: set[str]

    # ---- checking each field as it is typed -----------------------------------------------

    def _field_id(self, widget: Widget) -> str | None:
        return widget.id if widget.id in self.form_fields.ids else None

    @on(Input.Changed)
    @on(TextArea.Changed)
    def _field_changed(self, event: Input.Changed | TextArea.Changed) -> None:
        widget_id = self._field_id(event.control)
        if widget_id is not None and widget_id in self._touched:
            self.form_fields.check(widget_id)

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        """Leaving a filled field touches it: it is checked now and on every change."""
        widget_id = self._field_id(event.widget)
        if widget_id is None or widget_id in self._touched:
            return
        value = getattr(event.widget, "value", "")
        if value.strip():
            self._touched.add(widget_id)
            self.form_fields.check(widget_id)

    # ---- leaving, pasting ----------------------------------------------------------------

    def typed_something(self) -> bool:
        """A credential holds text: leaving would lose what the user typed or pasted."""
        for field in self.info.credentials:
            widget = self.query_one(f"#cred-{field.name}")
            text = widget.text if isinstance(widget, TextArea) else getattr(widget, "value", "")
            if text.strip():
                return True
        return False

    def action_cancel(self) -> None:
        if not self.typed_something():
            self.dismiss(None)
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(
            ConfirmScreen(
                "Discard the key you entered?",
                f"What you typed for {self.info.name} is not saved. Leave the form and discard it?",
                confirm="Discard",
                cancel="Keep editing",
                danger=True,
            ),
            answered,
        )

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self, event: Button.Pressed) -> None:
        event.stop()  # the Cancel button did nothing before: it does what Esc does
        self.action_cancel()

    @on(KeyInput.TabbedPaste)
    def _split_paste(self, event: KeyInput.TabbedPaste) -> None:
        """Fill the pasted field and the credential fields after it, one value each."""
        event.stop()
        names = [f"cred-{field.name}" for field in self.info.credentials]
        start = names.index(event.input.id) if event.input.id in names else len(names)
        targets = [self.query_one(f"#{name}") for name in names[start:]]
        filled = []
        for widget, value in zip(targets, event.parts, strict=False):
            if isinstance(widget, TextArea):
                break  # a PEM key is never one tab-separated field
            if isinstance(widget, Input):
                widget.value = value
                filled.append(widget)
        left = len(event.parts) - len(filled)
        if filled:
            after = targets[len(filled)] if len(filled) < len(targets) else filled[-1]
            after.focus()
        if left:
            self.notify(
                f"The paste held {len(event.parts)} values separated by Tab; "
                f"{len(filled)} went into the fields, {left} left out.",
                title="Paste",
                severity="warning",
            )

    @on(Input.Changed, "#label")
    def _label_too_long(self, event: Input.Changed) -> None:
        """Say at once that a label is over the limit (the first check is at save)."""
        label = event.value.strip()
        if len(label) > MAX_LABEL_CHARS:
            self._touched.add("label")  # checked on every change from now: the error goes
            self.query_one("#error-label", FieldError).show(label_fault(label))
