"""Search files and captured output for secrets, in the forms they could leak in.

A hit names the secret by its position in the list and the place it was found, never the
secret itself, so a failing test does not print what it protects.

Besides the plain text, each source is also searched after undoing the encodings a secret
could pass through on its way out: HTML/SVG escaping and markup (screenshots split text into
styled spans), JSON string escaping, and URL encoding. Long secrets are also searched by
their first 16 characters, which catches a truncated log line ("...secret[:120]").
"""

from __future__ import annotations

import html
import json
import os
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote

PREFIX_CHARS = 16
MIN_SECRET_CHARS = 6
_TAG = re.compile(r"<[^>]*>")
_SVG_TEXT_GAP = re.compile(r">\s*<")


@dataclass(frozen=True)
class Hit:
    secret_index: int
    where: str
    form: str
    """Which variant matched: "plain", "prefix", "markup-stripped", "json", "url"."""

    def __str__(self) -> str:
        return f"secret #{self.secret_index} ({self.form}) in {self.where}"


def _needles(secret: str) -> list[tuple[str, str]]:
    needles = [("plain", secret)]
    if len(secret) >= 2 * PREFIX_CHARS and "\n" not in secret:
        needles.append(("prefix", secret[:PREFIX_CHARS]))
    escaped = json.dumps(secret)[1:-1]
    if escaped != secret:
        needles.append(("json", escaped))
    quoted = quote(secret, safe="")
    if quoted != secret:
        needles.append(("url", quoted))
    # Multi-line secrets (PEM keys): every long line is a secret on its own.
    for line in secret.splitlines():
        line = line.strip()
        if len(line) >= PREFIX_CHARS and not line.startswith("-----"):
            needles.append(("line", line))
    return needles


def _views(text: str) -> Iterator[tuple[str, str]]:
    """The text itself and decoded forms of it."""
    yield "", text
    if "<" in text and ">" in text:
        stripped = html.unescape(_TAG.sub("", _SVG_TEXT_GAP.sub("><", text)))
        yield "markup-stripped", stripped.replace("\xa0", " ")
    if "%" in text:
        yield "url-decoded", unquote(text)
    if "\\" in text:
        decoded = _json_unescaped(text)
        if decoded is not None:
            yield "json-decoded", decoded


def _escape_quotes(text: str) -> str:
    return re.sub(r'(?<!\\)"', r"\"", text)


def _json_unescaped(text: str) -> str | None:
    """`text` with JSON string escapes undone, or None if it is not a valid JSON string body."""
    try:
        return str(json.loads(f'"{_escape_quotes(text)}"', strict=False))
    except ValueError:
        return None


def scan_text(
    text: str, secrets: Sequence[str], where: str, public: Sequence[str] = ()
) -> list[Hit]:
    """Hits of `secrets` in `text`. A partial needle (a prefix, one line) that also occurs in
    one of the `public` values (say, an API key shown on purpose) is not searched for."""
    hits: list[Hit] = []
    for index, secret in enumerate(secrets):
        if len(secret) < MIN_SECRET_CHARS:
            raise ValueError(f"secret #{index} is too short to search for reliably")
        needles = [
            (form, needle)
            for form, needle in _needles(secret)
            if form in ("plain", "json", "url") or not any(needle in p for p in public)
        ]
        found = False
        for view_name, view in _views(text):
            for form, needle in needles:
                if needle in view:
                    hits.append(Hit(index, where, view_name or form))
                    found = True
                    break
            if found:
                break
    return hits


def scan_files(
    paths: Iterable[Path], secrets: Sequence[str], public: Sequence[str] = ()
) -> list[Hit]:
    """Every regular file under `paths` (recursively), read as UTF-8 with errors replaced.

    Binary files are searched too: a secret written raw into one still shows as its bytes.
    """
    hits: list[Hit] = []
    for file in _files(paths):
        data = file.read_bytes()
        text = data.decode("utf-8", errors="replace")
        hits += scan_text(text, secrets, str(file), public)
        if b"\x00" in data[:4096]:  # UTF-16 text, e.g. from a Windows tool
            wide = data.decode("utf-16-le", errors="replace")
            hits += scan_text(wide, secrets, f"{file} (utf-16)", public)
    return hits


def scan_outputs(
    outputs: Mapping[str, str], secrets: Sequence[str], public: Sequence[str] = ()
) -> list[Hit]:
    hits: list[Hit] = []
    for name, text in outputs.items():
        hits += scan_text(text, secrets, name, public)
    return hits


def _files(paths: Iterable[Path]) -> Iterator[Path]:
    for path in paths:
        if path.is_file() and not path.is_symlink():
            yield path
        elif path.is_dir():
            for folder, _, names in os.walk(path):
                for name in sorted(names):
                    candidate = Path(folder) / name
                    if candidate.is_file() and not candidate.is_symlink():
                        yield candidate


def listed_files(paths: Iterable[Path]) -> list[Path]:
    """What `scan_files` reads (for asserting that a scan covered something)."""
    return list(_files(paths))
