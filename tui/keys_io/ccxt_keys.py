"""ccxt's `keys.json` convention: `{"<ccxt id>": {"apiKey": ..., "secret": ..., ...}}`.

Only ccxt's credential names are taken; other settings in an entry (options, verbose...)
are ignored.
"""

from __future__ import annotations

import json
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
from tui.vault import CREDENTIAL_NAMES

CLEANUP = "delete those entries from it and give the keys to scripts with `keydeck exec`"


def read_ccxt_keys(path: Path) -> SourceRead:
    text = read_text(path, "ccxt keys file")
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise SourceError(
            f"{path} is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}."
        ) from None
    except ValueError:  # a number of more than 4300 digits
        raise SourceError(f"{path} is not valid JSON: a number is far too long.") from None
    if not isinstance(document, dict):
        raise SourceError(f'{path} must hold one object: {{"<exchange id>": {{"apiKey": ...}}}}.')
    result = SourceRead(source="ccxt", path=path, plain_text=True, cleanup_hint=CLEANUP)
    exchanges = ccxt_exchange_ids()
    for exchange_id, entry in document.items():
        origin = f"{path.name}: {exchange_id}"
        if exchange_id not in exchanges:
            result.skipped.append(Skipped(origin, f"{exchange_id!r} is not a ccxt exchange id"))
            continue
        if not isinstance(entry, dict):
            result.skipped.append(Skipped(origin, "not an object of credentials"))
            continue
        plain = {
            name: value
            for name, value in entry.items()
            if name in CREDENTIAL_NAMES and isinstance(value, str)
        }
        wrong = [n for n in CREDENTIAL_NAMES if n in entry and not isinstance(entry[n], str)]
        if wrong:
            result.skipped.append(Skipped(origin, f"{', '.join(wrong)} must be text"))
            continue
        if not any(plain.values()):
            result.skipped.append(Skipped(origin, "holds no credentials"))
            continue
        result.candidates.append(
            Candidate(exchange=exchange_id, credentials=secrets_of(plain), origin=origin)
        )
    return result
