"""A `.env` file: `<EXCHANGE>_API_KEY`, `<EXCHANGE>_API_SECRET` and friends, parsed with
python-dotenv. The prefix is the ccxt id, case-insensitive (`BINANCE_API_KEY`, `okx_api_key`).

Variables of other programs (`DATABASE_URL`, `OPENAI_API_KEY`...) are left alone; a prefix
with an API key or secret that is not a ccxt exchange is listed as skipped.
"""

from __future__ import annotations

import io
from pathlib import Path

from tui.keys_io.sources import (
    Candidate,
    Skipped,
    SourceError,
    SourceRead,
    ccxt_exchange_ids,
    read_text,
    secrets_of,
)

# Suffix -> ccxt credential name. Longest suffixes are tried first.
SUFFIXES: dict[str, str] = {
    "_API_KEY": "apiKey",
    "_API_SECRET": "secret",
    "_SECRET_KEY": "secret",
    "_SECRET": "secret",
    "_API_PASSPHRASE": "password",
    "_PASSPHRASE": "password",
    "_API_PASSWORD": "password",
    "_PASSWORD": "password",
    "_API_UID": "uid",
    "_UID": "uid",
}
_ORDERED = sorted(SUFFIXES, key=len, reverse=True)
MAX_DOTENV_BYTES = 256 * 1024
"""python-dotenv parses in pure Python (an unterminated quote at 2 MB took 12 s): a .env file
is a few KB, and at this size the worst case stays a few seconds."""
CLEANUP = "delete those lines from it and run your bot with `keydeck exec ACCOUNT -- COMMAND`"


def split_name(name: str) -> tuple[str, str] | None:
    """`BINANCE_API_SECRET` -> ("binance", "secret"); None for other variables."""
    upper = name.upper()
    for suffix in _ORDERED:
        if upper.endswith(suffix) and len(upper) > len(suffix):
            return name[: -len(suffix)].lower(), SUFFIXES[suffix]
    return None


def parse(path: Path) -> dict[str, str | None]:
    """NAME -> value as python-dotenv reads them (no interpolation); a line it cannot parse
    is an error naming the line, never showing it (it may hold a secret)."""
    from dotenv.parser import parse_stream

    text = read_text(path, ".env file", limit=MAX_DOTENV_BYTES)
    values: dict[str, str | None] = {}
    bad: list[int] = []
    for binding in parse_stream(io.StringIO(text)):
        if binding.error:
            bad.append(binding.original.line)
        elif binding.key is not None:
            values[binding.key] = binding.value
    if bad and not values:
        raise SourceError(f"{path} holds no NAME=value lines: is it a .env file?")
    if bad:
        lines = ", ".join(map(str, bad[:5])) + (" ..." if len(bad) > 5 else "")
        raise SourceError(f"{path}: line {lines} is not NAME=value; fix it and import again.")
    return values


def read_dotenv(path: Path) -> SourceRead:
    values = parse(path)
    result = SourceRead(source="env", path=path, plain_text=True, cleanup_hint=CLEANUP)
    groups: dict[str, dict[str, str]] = {}
    names: dict[str, list[str]] = {}
    for name, value in values.items():
        parts = split_name(name)
        if parts is None:
            continue
        prefix, credential = parts
        if credential in groups.setdefault(prefix, {}):
            raise SourceError(f"{path}: two variables give {prefix.upper()}'s {credential}.")
        groups[prefix][credential] = value or ""
        names.setdefault(prefix, []).append(name)
    exchanges = ccxt_exchange_ids()
    for prefix, plain in groups.items():
        origin = f"{path.name}: {', '.join(names[prefix])}"
        if prefix not in exchanges:
            if "apiKey" in plain or "secret" in plain:
                reason = f"{prefix.upper()} is not an exchange ccxt knows"
                result.skipped.append(Skipped(origin, reason))
            continue
        if not plain.get("apiKey"):
            result.skipped.append(Skipped(origin, f"no {prefix.upper()}_API_KEY"))
            continue
        result.candidates.append(
            Candidate(exchange=prefix, credentials=secrets_of(plain), origin=origin)
        )
    return result
