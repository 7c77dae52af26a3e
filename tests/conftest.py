"""Guards for every test."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def recursion_limit_unchanged() -> Iterator[None]:
    """A library that raises the recursion limit (py_ecc does, on import) turns a deeply
    nested JSON answer from a RecursionError into a crash of the whole process."""
    before = sys.getrecursionlimit()
    yield
    after = sys.getrecursionlimit()
    if after != before:
        sys.setrecursionlimit(before)
        pytest.fail(f"the recursion limit moved from {before} to {after}")
