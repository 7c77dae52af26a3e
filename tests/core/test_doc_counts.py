"""Every count that appears in more than one doc, checked against the registries it counts.

Issue 23: docs/check-json.md named 8 permission-reading exchanges where the README said 21,
and docs/simulator.md said sixteen simulated exchanges where there were 18. The numbers come
from the registries (exchanges are added in parallel), never from constants here. A sentence
that is reworded so its pattern no longer matches fails the test: update the pattern with it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

WORDS = {
    word: number
    for number, word in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
            "twenty",
        ]
    )
}


def permission_readers() -> int:
    from tui.connect.exchanges import EXCHANGES, reads_permissions

    return sum(1 for exchange_id in EXCHANGES if reads_permissions(exchange_id))


def simulated_exchanges() -> int:
    from tui.sim.exchanges import load_all

    return len(load_all())


def _number(text: str) -> int:
    return int(text) if text.isdigit() else WORDS[text.lower()]


def _listed(text: str) -> int:
    """How many names a prose list holds: "A, B, C and D" -> 4."""
    return len(re.split(r",\s*|\s+and\s+", " ".join(text.split())))


# (doc, pattern with one group, how the group is counted, what it must equal)
CLAIMS: list[tuple[str, str, Callable[[str], int], Callable[[], int]]] = [
    ("README.md", r"key permissions of the (\d+) that report them", _number, permission_readers),
    ("docs/permissions.md", r"reads key rights on (\d+) of them", _number, permission_readers),
    (
        "docs/check-json.md",
        r"Permissions are read on the (\d+) exchanges",
        _number,
        permission_readers,
    ),
    ("docs/simulator.md", r"real wire protocols of (\w+) exchanges", _number, simulated_exchanges),
    (
        "README.md",
        r"starts Keydeck's loopback simulator of ([^:]+):",
        _listed,
        simulated_exchanges,
    ),
]


@pytest.mark.parametrize(("doc", "pattern", "count", "truth"), CLAIMS)
def test_every_count_in_the_docs_matches_its_registry(
    doc: str, pattern: str, count: Callable[[str], int], truth: Callable[[], int]
) -> None:
    text = " ".join((ROOT / doc).read_text(encoding="utf-8").split())
    found = re.search(pattern, text)
    assert found is not None, f"{doc}: the sentence matching {pattern!r} is gone; update both"
    assert count(found.group(1)) == truth(), (doc, found.group(0)[:120], truth())


def test_each_shared_count_is_checked_in_every_doc_that_states_it() -> None:
    """(The README names exchanges, the 21 are ccxt ids: its name list is not a count.)"""
    readers = [claim for claim in CLAIMS if claim[3] is permission_readers]
    simulated = [claim for claim in CLAIMS if claim[3] is simulated_exchanges]
    assert len({doc for doc, *_ in readers}) >= 3 and len({doc for doc, *_ in simulated}) >= 2
