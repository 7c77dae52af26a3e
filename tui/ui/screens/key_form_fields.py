"""The key form's fields: the widget for each credential, and reading the form (each
field's value and check, and the Account the form makes).

The form's fields are `#label`, `#cred-<name>` (one per credential), `#endpoint` and
`#testnet`, each with a `#error-<name>` line under it. What counts as a fault is decided in
tui/ui/screens/key_form.py (no Textual); this module reads the widgets and shows the faults.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.widgets import Collapsible, Input, Switch

from tui.ui.screens.key_form import clean_value, credential_fault, label_fault
from tui.ui.widgets.field_error import FieldError
from tui.ui.widgets.secret_input import KeyInput, PemArea

if TYPE_CHECKING:
    from textual.dom import DOMNode
    from textual.widget import Widget

    from tui.connect.catalog import CredentialField, ExchangeInfo
    from tui.vault.account import Account

SAFE_KEY_ADVICE = (
    "Grant Read and Trade only, never Withdraw, and restrict the key to your IP address."
)


def field_widget(field: CredentialField) -> Widget:
    """The input for one credential: `#cred-<name>` (a PEM area for multi-line keys)."""
    widget_id = f"cred-{field.name}"
    if field.multiline:
        return PemArea(id=widget_id, classes="pem")
    return KeyInput(secret=field.secret, id=widget_id)


def hint_text(info: ExchangeInfo) -> Text:
    """Where to create the key, and how to make it safe."""
    text = Text()
    where = info.api_keys_help or info.website
    if where:
        text.append("Create the key at ")
        text.append(where, style="bold")
        text.append(".\n")
    text.append(SAFE_KEY_ADVICE)
    if not info.reads_permissions:
        text.append(
            f"\n{info.name} does not report a key's permissions: check them on its website.",
            style="dim",
        )
    return text


class FormFields:
    """The key form's fields inside `form` (the screen), for the exchange `info`."""

    def __init__(self, form: DOMNode, info: ExchangeInfo) -> None:
        self.form = form
        self.info = info

    @property
    def ids(self) -> set[str]:
        """The ids of the fields that are checked."""
        return {"label", "endpoint"} | {f"cred-{field.name}" for field in self.info.credentials}

    def value_of(self, field: CredentialField) -> str:
        widget = self.form.query_one(f"#cred-{field.name}")
        raw = widget.text if isinstance(widget, PemArea) else widget.value  # type: ignore[attr-defined]
        return clean_value(raw, multiline=field.multiline)

    def set_error(self, name: str, message: str | None) -> None:
        self.form.query_one(f"#error-{name}", FieldError).show(message)

    def check_label(self) -> tuple[str, str | None]:
        label = self.form.query_one("#label", Input).value.strip()
        fault = label_fault(label)
        self.set_error("label", fault)
        return label, fault

    def check_credential(self, field: CredentialField) -> tuple[str, str | None]:
        value = self.value_of(field)
        fault = credential_fault(
            field.name, field.label, value, secret=field.secret, multiline=field.multiline
        )
        self.set_error(field.name, fault)
        return value, fault

    def check_endpoint(self) -> tuple[str | None, str | None]:
        from tui.connect.endpoint import EndpointError, normalize_endpoint

        text = self.form.query_one("#endpoint", Input).value.strip()
        fault: str | None = None
        endpoint: str | None = None
        if text:
            try:
                endpoint = normalize_endpoint(text)
            except EndpointError as error:
                fault = f"Endpoint: {error}"
        self.set_error("endpoint", fault)
        return endpoint, fault

    def check(self, widget_id: str) -> None:
        """Check one field again (it changed after it was touched), so an error goes away as
        soon as it is fixed, and a new one shows as soon as it is made."""
        if widget_id == "label":
            self.check_label()
        elif widget_id == "endpoint":
            self.check_endpoint()
        else:
            for field in self.info.credentials:
                if widget_id == f"cred-{field.name}":
                    self.check_credential(field)

    def read(self) -> Account | None:
        """The Account the form describes, or None with every fault shown and the first
        faulty field focused."""
        from tui.vault.account import Account

        first_bad: str | None = None
        label, fault = self.check_label()
        if fault:
            first_bad = "#label"
        credentials: dict[str, str] = {}
        for field in self.info.credentials:
            value, fault = self.check_credential(field)
            if fault and first_bad is None:
                first_bad = f"#cred-{field.name}"
            credentials[field.name] = value
        endpoint, fault = self.check_endpoint()
        if fault:
            self.form.query_one("#advanced", Collapsible).collapsed = False
            first_bad = first_bad or "#endpoint"
        if first_bad is not None:
            self.form.query_one(first_bad).focus()
            return None
        sandbox = self.info.has_testnet and self.form.query_one("#testnet", Switch).value
        return Account(
            exchange=self.info.id,
            label=label,
            credentials=credentials,
            sandbox=sandbox,
            endpoint=endpoint,
        )
