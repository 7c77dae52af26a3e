"""Freqtrade's `config.json`: the `exchange` block, read as Freqtrade reads it (JSON with
comments and trailing commas).

Strict JSON is parsed first (C, milliseconds for the largest source); only a file that is
not strict JSON is parsed with json5, which is pure Python and slow (measured up to ~70 us
a byte on a loaded 2-core machine for `[1,1,1,...]`, its worst shape found), so only up
to `MAX_JSON5_BYTES`: a few seconds at most, whatever the file holds.

`name`, `key`, `secret`, `password`, `uid`; an alternate host from `ccxt_config` (or
`ccxt_async_config`): `urls.api` or `hostname`, kept as the account's endpoint when all its
URLs share one scheme and host.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tui.keys_io.sources import (
    Candidate,
    Skipped,
    SourceError,
    SourceRead,
    ccxt_exchange_ids,
    read_text,
    secrets_of,
)

FIELDS = {"key": "apiKey", "secret": "secret", "password": "password", "uid": "uid"}
CLEANUP = (
    'set "key", "secret", "password" and "uid" in its "exchange" block to "" and start '
    "Freqtrade with `keydeck exec ACCOUNT --as freqtrade -- freqtrade trade ...`"
)


MAX_JSON5_BYTES = 64 * 1024
"""Largest config read with comments and trailing commas (Freqtrade's full example is 7 KB;
json5 takes up to ~5 s on 64 KB of hostile text on a loaded machine)."""


def parse_config(path: Path) -> Any:
    """The config as Freqtrade would parse it, or a SourceError naming the line."""
    text = read_text(path, "Freqtrade config")
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        strict_error = error
    except ValueError:  # a number of more than 4300 digits
        raise SourceError(f"{path} is not valid JSON: a number is far too long.") from None
    if len(text.encode("utf-8")) > MAX_JSON5_BYTES:
        raise SourceError(
            f"{path} is not strict JSON ({strict_error.msg} at line {strict_error.lineno}, "
            f"column {strict_error.colno}), and at over {MAX_JSON5_BYTES // 1024} KB it is too "
            "large for Keydeck to read with comments and trailing commas: fix that line, or "
            "remove the file's comments and trailing commas (Freqtrade reads it either way)."
        )
    import json5

    try:
        return json5.loads(text)
    except ValueError as error:
        raise SourceError(f"{path} is not valid JSON (with comments): {_short(error)}") from None


def _short(error: Exception) -> str:
    """Where the parse failed, without json5's quote of the character (it may be a
    secret's)."""
    text = str(error)
    line = re.search(r":(\d+) ", text)
    column = re.search(r"column (\d+)", text)
    if line and column:
        return f"unexpected text at line {line.group(1)}, column {column.group(1)}"
    if "Empty" in text or "EOF" in text or "end of" in text.lower():
        return "the file ends too early"
    return "it cannot be parsed"


def read_freqtrade(path: Path) -> SourceRead:
    config = parse_config(path)
    result = SourceRead(source="freqtrade", path=path, plain_text=True, cleanup_hint=CLEANUP)
    exchange = config.get("exchange") if isinstance(config, dict) else None
    if not isinstance(exchange, dict):
        raise SourceError(f'{path} has no "exchange" block: is it a Freqtrade config?')
    origin = f"{path.name}: exchange"
    name = exchange.get("name")
    if not isinstance(name, str) or not name:
        raise SourceError(f'{path}: the "exchange" block has no "name".')
    exchange_id = name.lower()
    if exchange_id not in ccxt_exchange_ids():
        result.skipped.append(Skipped(origin, f"{name!r} is not an exchange ccxt knows"))
        return result
    plain: dict[str, str] = {}
    for field, credential in FIELDS.items():
        value = exchange.get(field)
        if value is None or value == "":
            continue
        if not isinstance(value, str):
            raise SourceError(f'{path}: "exchange"."{field}" must be a string.')
        plain[credential] = value
    if "apiKey" not in plain:
        result.skipped.append(Skipped(origin, "holds no API key (a dry-run config?)"))
        return result
    endpoint, notes = _endpoint(exchange, exchange_id)
    sandbox = any(
        isinstance(c, dict) and c.get("sandbox") is True
        for c in (exchange.get("ccxt_config"), exchange.get("ccxt_async_config"))
    )
    result.candidates.append(
        Candidate(
            exchange=exchange_id,
            credentials=secrets_of(plain),
            origin=origin,
            sandbox=sandbox,
            endpoint=endpoint,
            notes=notes,
        )
    )
    return result


def _endpoint(exchange: dict[str, Any], exchange_id: str) -> tuple[str | None, tuple[str, ...]]:
    urls: list[str] = []
    for key in ("ccxt_config", "ccxt_async_config"):
        config = exchange.get(key)
        if not isinstance(config, dict):
            continue
        api = config.get("urls", {}).get("api") if isinstance(config.get("urls"), dict) else None
        urls.extend(_http_urls(api))
        hostname = config.get("hostname")
        if isinstance(hostname, str) and hostname:
            urls.extend(_urls_with_hostname(exchange_id, hostname))
    if not urls:
        return None, ()
    origins = {(p.scheme, p.netloc) for p in map(urlsplit, urls)}
    if len(origins) != 1:
        return None, ("ccxt_config points at several hosts: not kept (use --endpoint)",)
    scheme, netloc = origins.pop()
    return f"{scheme}://{netloc}", ("endpoint from ccxt_config",)


def _http_urls(tree: Any) -> Iterator[str]:
    if isinstance(tree, str) and tree.startswith(("http://", "https://")):
        yield tree
    elif isinstance(tree, dict):
        for value in tree.values():
            yield from _http_urls(value)
    elif isinstance(tree, list):
        for value in tree:
            yield from _http_urls(value)


def _urls_with_hostname(exchange_id: str, hostname: str) -> list[str]:
    """The exchange's API URLs with ccxt's `{hostname}` placeholder filled in."""
    import ccxt

    api = getattr(ccxt, exchange_id)().describe().get("urls", {}).get("api")
    return [u.replace("{hostname}", hostname) for u in _http_urls(api) if "{hostname}" in u]
