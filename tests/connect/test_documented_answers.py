"""Every permission-reading module against the exchanges' documented answers (not the
simulator's): each fixture reads as its source says, and no damaged answer ever reads "no"."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.connect.documented_answers import (
    KINDS,
    RIGHTS,
    UNKNOWN_FINDINGS,
    Answer,
    codes,
    load_all,
    read,
    rights,
)
from tui.connect.exchanges import EXCHANGES, reads_permissions

ANSWERS = load_all()
READING = sorted({m.alias_for or m.id for i, m in EXCHANGES.items() if reads_permissions(i)})


# Hyperliquid has no read-only key: an API wallet (agent) always trades, never withdraws.
NO_READ_ONLY_KEYS = {"hyperliquid"}


def test_every_permission_reading_exchange_has_documented_answers() -> None:
    for exchange in READING:
        mine = [a for a in ANSWERS if a.exchange == exchange]
        assert any(a.expect.get("withdraw") is True for a in mine), exchange
        read_only = [
            a
            for a in mine
            if a.expect.get("withdraw") is False
            and (a.expect.get("trade") is False or exchange in NO_READ_ONLY_KEYS)
        ]
        assert read_only, f"{exchange}: no read-only answer"
    assert {a.exchange for a in ANSWERS} <= set(EXCHANGES)


@pytest.mark.parametrize("answer", ANSWERS, ids=lambda a: a.id)
def test_documented_answer_reads_as_its_source_says(answer: Answer) -> None:
    assert answer.source and answer.kind in KINDS and answer.what
    p = read(answer.exchange, answer.answer)
    assert not p.unreadable, "a documented answer must pass the module's shape check"
    got = rights(p)
    for right in RIGHTS:
        if right in answer.expect:
            assert got[right] == answer.expect[right], right
    found = codes(answer.exchange, p)
    assert set(answer.expect.get("findings", ())) <= set(found)
    if p.withdraw is None:
        assert "withdraw_unknown" in found
    if p.withdraw is True:
        assert "withdraw_enabled" in found


# --- damaged answers: a field removed, renamed or of another type -----------------------

OTHER_TYPES: tuple[Any, ...] = (None, "?", [], {})


def _paths(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every dict key, at any depth (also inside lists): the fields of the answer."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield (*path, key)
            yield from _paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*path, index))


def _mutated(answer: Any, path: tuple[Any, ...], how: str, new: Any = None) -> Any:
    damaged = copy.deepcopy(answer)
    parent = damaged
    for step in path[:-1]:
        parent = parent[step]
    key = path[-1]
    if how == "remove":
        del parent[key]
    elif how == "rename":
        parent[f"{key}_renamed"] = parent.pop(key)
    else:
        parent[key] = new
    return damaged


def _value(answer: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        answer = answer[step]
    return answer


def _mutations(answer: Any) -> Iterator[tuple[str, tuple[Any, ...], Any]]:
    for path in _paths(answer):
        yield "remove", path, None
        yield "rename", path, None
        current = _value(answer, path)
        for other in OTHER_TYPES:
            if type(other) is not type(current):  # another type, not another value
                yield "retype", path, other


def _never_no(answer: Answer, damaged: Any) -> str | None:
    """None when every right is the documented one or unknown with its finding."""
    documented = rights(read(answer.exchange, answer.answer))
    p = read(answer.exchange, damaged)
    got = rights(p)
    for right in RIGHTS:
        if got[right] not in (documented[right], None):
            return f"{right}: {documented[right]} became {got[right]}"
    if p.withdraw is None and not UNKNOWN_FINDINGS & set(codes(answer.exchange, p)):
        return "withdrawals unknown without a finding"
    return None


@pytest.mark.parametrize("exchange", sorted({a.exchange for a in ANSWERS}))
def test_a_damaged_field_is_never_read_as_no(exchange: str) -> None:
    failures = []
    for answer in (a for a in ANSWERS if a.exchange == exchange):
        for how, path, other in _mutations(answer.answer):
            damaged = _mutated(answer.answer, path, how, other)
            problem = _never_no(answer, damaged)
            if problem:
                failures.append(f"{answer.name} {how} {path} -> {other!r}: {problem}")
    assert not failures, "\n".join(failures[:40])


def _overlap(a: tuple[Any, ...], b: tuple[Any, ...]) -> bool:
    return a[: len(b)] == b or b[: len(a)] == a


@st.composite
def _damaged(draw: st.DrawFn) -> tuple[Answer, Any]:
    answer = draw(st.sampled_from(ANSWERS))
    damaged = copy.deepcopy(answer.answer)
    done: list[tuple[Any, ...]] = []  # each field damaged once (no retyping it back)
    for _ in range(draw(st.integers(1, 3))):
        paths = [
            p
            for p in _paths(damaged)
            if not any(p[: len(d)] == d or d[: len(p)] == p for d in done)
        ]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        how = draw(st.sampled_from(("remove", "rename", "retype")))
        current = _value(damaged, path)
        others = [o for o in OTHER_TYPES if type(o) is not type(current)]
        damaged = _mutated(damaged, path, how, draw(st.sampled_from(others)))
        done.append(path)
    return answer, damaged


@settings(max_examples=300, deadline=None)
@given(_damaged())
def test_several_damaged_fields_are_never_read_as_no(case: tuple[Answer, Any]) -> None:
    answer, damaged = case
    assert _never_no(answer, damaged) is None
