"""Finding Debian's `prometheus` / `promtool` for the monitoring tests.

Without them a test skips and says how to install them, unless `KEYDECK_REQUIRE_PROMETHEUS=1`
(set by .ci/run, which installs them): then it fails, so CI never skips these tests.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

INSTALL = "apt-get install -y --no-install-recommends prometheus"
REQUIRE_ENV = "KEYDECK_REQUIRE_PROMETHEUS"


def binary(name: str) -> str:
    """The path of `prometheus` or `promtool`; skips (or fails in CI) when missing."""
    path = shutil.which(name)
    if path is not None:
        return path
    message = f"{name} is not installed (Debian/Ubuntu: {INSTALL})"
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{message}; {REQUIRE_ENV}=1 says it must be")
    pytest.skip(message)


def promtool(*args: str | Path, cwd: Path | None = None) -> str:
    """Run promtool; its output, or a failed test showing it."""
    result = subprocess.run(
        [binary("promtool"), *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=60,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"promtool {' '.join(map(str, args))}:\n{output}"
    return output
