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
from tui.ui.screens.key_form import MAX_LABEL_CHARS, clean_value, credential_fault, label_fault
from tui.ui.widgets.field_error import FieldError
from tui.ui.widgets.secret_input import KeyInput, PemArea

if TYPE_CHECKING:
    from tui.connect.catalog import CredentialField, ExchangeInfo

AUTO_TYPE_NOTE = (
    "paste",
    "key<Tab>secret from a password manager fills the fields in turn "
    "(its auto-type loses the Tab: paste instead)",
)


class KeepsTypedKeys(Screen[None]):
    """Mixin for the key form (its fields are `#label` and `#cred-<name>`)."""

    HELP_NOTES: ClassVar[tuple[tuple[str, str], ...]] = (AUTO_TYPE_NOTE,)
    info: ExchangeInfo
    _touched: set[str]

    # ---- checking each field as it is typed -----------------------------------------------

    def _value_of(self, field: CredentialField) -> str:
        widget = self.query_one(f"#cred-{field.name}")
        raw = widget.text if isinstance(widget, PemArea) else widget.value  # type: ignore[attr-defined]
        return clean_value(raw, multiline=field.multiline)

    def _set_error(self, name: str, message: str | None) -> None:
        self.query_one(f"#error-{name}", FieldError).show(message)

    def _check_label(self) -> tuple[str, str | None]:
        label = self.query_one("#label", Input).value.strip()
        fault = label_fault(label)
        self._set_error("label", fault)
        return label, fault

    def _check_credential(self, field: CredentialField) -> tuple[str, str | None]:
        value = self._value_of(field)
        fault = credential_fault(
            field.name, field.label, value, secret=field.secret, multiline=field.multiline
        )
        self._set_error(field.name, fault)
        return value, fault

    def _check_endpoint(self) -> tuple[str | None, str | None]:
        from tui.connect.endpoint import EndpointError, normalize_endpoint

        text = self.query_one("#endpoint", Input).value.strip()
        fault: str | None = None
        endpoint: str | None = None
        if text:
            try:
                endpoint = normalize_endpoint(text)
            except EndpointError as error:
                fault = f"Endpoint: {error}"
        self._set_error("endpoint", fault)
        return endpoint, fault

    def _check_field(self, widget_id: str) -> None:
        """Check one field again (it changed after it was touched), so an error goes away as
        soon as it is fixed, and a new one shows as soon as it is made."""
        if widget_id == "label":
            self._check_label()
        elif widget_id == "endpoint":
            self._check_endpoint()
        else:
            for field in self.info.credentials:
                if widget_id == f"cred-{field.name}":
                    self._check_credential(field)

    def _field_id(self, widget: Widget) -> str | None:
        return widget.id if widget.id in self._checked_ids() else None

    def _checked_ids(self) -> set[str]:
        return {"label", "endpoint"} | {f"cred-{field.name}" for field in self.info.credentials}

    @on(Input.Changed)
    @on(TextArea.Changed)
    def _field_changed(self, event: Input.Changed | TextArea.Changed) -> None:
        widget_id = self._field_id(event.control)
        if widget_id is not None and widget_id in self._touched:
            self._check_field(widget_id)

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        """Leaving a filled field touches it: it is checked now and on every change."""
        widget_id = self._field_id(event.widget)
        if widget_id is None or widget_id in self._touched:
            return
        value = getattr(event.widget, "value", "")
        if value.strip():
            self._touched.add(widget_id)
            self._check_field(widget_id)

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
