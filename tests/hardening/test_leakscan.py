"""The scan helper finds secrets in every form the leak test relies on, and names none."""

from __future__ import annotations

import html
import json
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.hardening.leakscan import scan_files, scan_outputs, scan_text

SECRET = "s3cr3t-Value/with+signs=and spaces"
PEM = (
    "-----BEGIN EC PRIVATE KEY-----\n"
    "MHcCAQEEIBkq3tCpk2nn3mOFvS0WyQ1uKkxv3sJ7dV3b5r0tqjNYoAoGCCqGSM49\n"
    "AwEHoUQDQgAEw2m0k6Xy9p0YQe8Kk0f3n7p1Wq2c3d4e5f6g7h8i9j0k1l2m3n4o\n"
    "-----END EC PRIVATE KEY-----\n"
)


def _svg_of(text: str) -> str:
    """Roughly how a Textual screenshot splits a line into styled spans."""
    spans = [text[i : i + 5] for i in range(0, len(text), 5)]
    body = "".join(
        f'<text class="r{i}" x="{i * 12}" y="20">{html.escape(s).replace(" ", "&#160;")}</text>\n'
        for i, s in enumerate(spans)
    )
    return f"<svg>{body}</svg>"


@pytest.mark.parametrize(
    ("text", "form"),
    [
        (f"log line {SECRET} end", "plain"),
        (f"truncated {SECRET[:20]}…", "prefix"),
        (json.dumps({"secret": SECRET}), "plain"),
        (f"GET /api?key={quote(SECRET, safe='')}", "url"),
        (_svg_of(f"Secret: {SECRET}"), "markup-stripped"),
    ],
)
def test_finds_a_secret_in_each_form(text: str, form: str) -> None:
    hits = scan_text(text, [SECRET], "sample")
    assert [h.form for h in hits] == [form]
    assert SECRET not in str(hits[0])


def test_finds_pem_keys_whole_escaped_or_by_line() -> None:
    assert scan_text(json.dumps({"k": PEM}), [PEM], "json")
    assert scan_text("line: " + PEM.splitlines()[2], [PEM], "one line")
    assert not scan_text("-----BEGIN EC PRIVATE KEY-----", [PEM], "marker only")


def test_no_false_hits_and_files(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "clean.log").write_text("nothing to see, s3cr3t-V... masked")
    (tmp_path / "a" / "dirty.bin").write_bytes(b"\x01\x02" + SECRET.encode() + b"\xff")
    hits = scan_files([tmp_path], [SECRET])
    assert [Path(h.where).name for h in hits] == ["dirty.bin"]
    assert scan_outputs({"stdout": "ok", "stderr": SECRET}, ["other-secret", SECRET])[0].where == (
        "stderr"
    )


def test_refuses_secrets_too_short_to_mean_anything() -> None:
    with pytest.raises(ValueError, match="too short"):
        scan_text("abc", ["abc"], "x")


def test_partial_needles_shared_with_public_values_are_skipped() -> None:
    secret = "demo-binance-main-secret-0c68012345abcdef"
    api_key = "demo-binance-main-key"
    shown = f"API key: {api_key}"
    assert scan_text(shown, [secret], "form")  # the prefix alone would match...
    assert not scan_text(shown, [secret], "form", public=[api_key])  # ...but is public
    assert scan_text(f"{shown} {secret}", [secret], "form", public=[api_key])
