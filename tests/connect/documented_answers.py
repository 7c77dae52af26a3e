"""The exchanges' documented answers under tests/fixtures/exchange_answers/<ccxt id>/.

Each JSON file quotes an answer from an exchange's docs or official SDK: `_source` (URL or
repository path), `_kind` (how sure: example, sdk-test, schema-derived, inferred), `_what`,
`_expect` (the rights it must read as: true/false, or null for unknown) and `answer`, the
payload the module's normalizer receives (the HTTP answer, plus what `fetch_raw` adds).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tui.connect.exchanges import normalize_permissions, permission_shape
from tui.connect.findings import evaluate
from tui.connect.models import Finding, Permissions
from tui.connect.shapes import has_shape

ROOT = Path(__file__).resolve().parents[1] / "fixtures" / "exchange_answers"
KINDS = ("example", "sdk-test", "schema-derived", "inferred")
RIGHTS = ("withdraw", "transfer", "trade")
UNKNOWN_FINDINGS = {"withdraw_unknown", "permissions_unreadable", "permissions_not_reported"}


@dataclass(frozen=True)
class Answer:
    exchange: str
    name: str
    source: str
    kind: str
    what: str
    expect: dict[str, Any]
    answer: Any

    @property
    def id(self) -> str:
        return f"{self.exchange}/{self.name}"


def load_all() -> list[Answer]:
    found = []
    for path in sorted(ROOT.glob("*/*.json")):
        if path.name.startswith("error_"):
            continue  # quoted error texts (tests/connect/test_seen_ip.py), not answers
        doc = json.loads(path.read_text(encoding="utf-8"))
        found.append(
            Answer(
                exchange=path.parent.name,
                name=path.stem,
                source=doc["_source"],
                kind=doc["_kind"],
                what=doc["_what"],
                expect=doc["_expect"],
                answer=doc["answer"],
            )
        )
    return found


def read(exchange: str, answer: Any) -> Permissions:
    """What Keydeck makes of an answer, as the connector does: the shape check, then the
    module's normalizer (tui.connect.service.Connector.permissions)."""
    if not has_shape(answer, permission_shape(exchange)):
        return Permissions.could_not_read()
    return normalize_permissions(exchange, answer if isinstance(answer, dict) else {"data": answer})


def rights(p: Permissions) -> dict[str, bool | None]:
    return {"withdraw": p.withdraw, "transfer": p.internal_transfer, "trade": p.can_trade}


def codes(exchange: str, p: Permissions) -> list[str]:
    found: list[Finding] = evaluate(exchange, p)
    return [f.code for f in found]


def documented_answer(exchange: str, name: str) -> Any:
    """The quoted answer of `<exchange>/<name>.json` (`answer`, or `body` for an `error_*`
    file), after checking that it names its source."""
    doc = json.loads((ROOT / exchange / f"{name}.json").read_text(encoding="utf-8"))
    source = doc.get("_source") or doc.get("source")
    assert isinstance(source, str) and source.strip(), f"{exchange}/{name}: no source"
    return doc["body"] if name.startswith("error_") else doc["answer"]
