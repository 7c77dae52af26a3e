"""Hummingbot's encrypted connector configs: `conf/connectors/<connector>.yml`.

Each secure value is the hex encoding of an Ethereum v3 keyfile JSON (PBKDF2-HMAC-SHA256,
AES-128-CTR, keccak MAC) encrypted with the Hummingbot password; `conf/.password_verification`
holds the word "HummingBot" encrypted the same way. eth-keyfile decrypts them. Field names
come from each connector's config map in Hummingbot's source (docs/keys-in-and-out.md has
the table).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tui.keys_io.bounded import interruptible_map
from tui.keys_io.eth_values import (
    WrongPassword,
    decrypt_document,
    derivation_cost,
    derivation_memory,
    parse_value,
)
from tui.keys_io.sources import (
    Candidate,
    PasswordReader,
    Skipped,
    SourceError,
    SourceRead,
    read_text,
    secrets_of,
)

VERIFICATION_FILE = ".password_verification"
VERIFICATION_WORD = "HummingBot"
# One import's total work, whatever the directory holds (docs/keys-in-and-out.md): YAML is
# parsed in pure Python (up to ~10 us a byte), each value costs a key derivation.
MAX_CONNECTOR_FILES = 64
MAX_CONNECTOR_FILE_BYTES = 64 * 1024  # Hummingbot's are 2-5 KB
MAX_CONNECTOR_BYTES = 256 * 1024  # all connector files together: under 3 s of YAML
MAX_DERIVATION_ROUNDS = 16_000_000
"""All values together, in PBKDF2 rounds: 16 values at Hummingbot's 1,000,000 (measured: 24
million took 6.3 s of CPU in all, so this is about 4 s on one core, less on several)."""
MAX_DERIVATION_MEMORY = 320 * 1024 * 1024  # derivations running at once (scrypt: 256 MiB)
PARTS_HINT = (
    "Nothing was imported. Import in parts: copy some connector files (and "
    f"{VERIFICATION_FILE}) into another directory and import each directory in turn."
)


@dataclass(frozen=True)
class ConnectorMap:
    """How one Hummingbot connector's fields become a ccxt account."""

    exchange: str
    fields: Mapping[str, str]
    """Hummingbot field name -> ccxt credential name."""
    sandbox: bool = False
    hosts: Mapping[str, str] = field(default_factory=dict)
    """For OKX: sub-domain value -> ccxt id of that host."""


def _keys(
    prefix: str, second: str = "api_secret", extra: Mapping[str, str] | None = None
) -> dict[str, str]:
    """`<prefix>_api_key` and `<prefix>_<second>` (the secret) plus `extra`, to ccxt names."""
    return {f"{prefix}_api_key": "apiKey", f"{prefix}_{second}": "secret", **(extra or {})}


def _passphrase(prefix: str) -> dict[str, str]:
    return _keys(prefix, "secret_key", {f"{prefix}_passphrase": "password"})


OKX_SUB_DOMAIN = "okx_registration_sub_domain"
# Hummingbot's sub-domains (www, app for US users, my for EEA users) are the hosts
# www.okx.com, us.okx.com and eea.okx.com: ccxt's okx, okxus and myokx.
OKX_HOSTS = {"www": "okx", "app": "okxus", "my": "myokx"}

CONNECTORS: dict[str, ConnectorMap] = {
    "binance": ConnectorMap("binance", _keys("binance")),
    "binance_perpetual": ConnectorMap("binanceusdm", _keys("binance_perpetual")),
    "binance_perpetual_testnet": ConnectorMap(
        "binanceusdm", _keys("binance_perpetual_testnet"), sandbox=True
    ),
    "okx": ConnectorMap("okx", _passphrase("okx"), hosts=OKX_HOSTS),
    "okx_perpetual": ConnectorMap("okx", _passphrase("okx_perpetual")),
    "kucoin": ConnectorMap("kucoin", _passphrase("kucoin")),
    "kucoin_hft": ConnectorMap("kucoin", _passphrase("kucoin_hft")),
    "kucoin_perpetual": ConnectorMap("kucoinfutures", _passphrase("kucoin_perpetual")),
    "gate_io": ConnectorMap("gate", _keys("gate_io", "secret_key")),
    "gate_io_perpetual": ConnectorMap(
        "gate", _keys("gate_io_perpetual", "secret_key", {"gate_io_perpetual_user_id": "uid"})
    ),
    "bybit": ConnectorMap("bybit", _keys("bybit")),
    "bybit_testnet": ConnectorMap("bybit", _keys("bybit_testnet"), sandbox=True),
    "bybit_perpetual": ConnectorMap("bybit", _keys("bybit_perpetual", "secret_key")),
    "bybit_perpetual_testnet": ConnectorMap(
        "bybit", _keys("bybit_perpetual_testnet", "secret_key"), sandbox=True
    ),
    "kraken": ConnectorMap("kraken", _keys("kraken", "secret_key")),
    "coinbase_advanced_trade": ConnectorMap("coinbase", _keys("coinbase_advanced_trade")),
    "htx": ConnectorMap("htx", _keys("htx", "secret_key")),
    "mexc": ConnectorMap("mexc", _keys("mexc")),
    "bitget": ConnectorMap("bitget", _passphrase("bitget")),
    "bitget_perpetual": ConnectorMap("bitget", _passphrase("bitget_perpetual")),
    "bing_x": ConnectorMap("bingx", _keys("bingx")),
    "gemini": ConnectorMap("gemini", _keys("gemini")),
    "bitstamp": ConnectorMap("bitstamp", _keys("bitstamp")),
    "bitrue": ConnectorMap("bitrue", _keys("bitrue")),
    "btc_markets": ConnectorMap("btcmarkets", _keys("btc_markets")),
    "backpack": ConnectorMap("backpack", _keys("backpack")),
    "backpack_perpetual": ConnectorMap("backpack", _keys("backpack")),
}

_WALLET_WORDS = ("private_key", "wallet", "mnemonic", "secret_phrase", "seed")
# Connectors signed by a wallet whose fields carry no wallet word (Hyperliquid's "api_key" is
# the wallet address, its "api_secret" the wallet's private key).
_WALLET_CONNECTORS = ("hyperliquid", "dydx", "injective", "xrpl", "vertex", "dexalot", "derive")


def _locate(path: Path) -> tuple[Path, Path | None]:
    """(connectors directory, .password_verification or None) for a conf or connectors dir."""
    if not path.exists():
        raise SourceError(f"No Hummingbot directory at {path}.")
    if not path.is_dir():
        raise SourceError(
            f"{path} is a file; give Hummingbot's conf directory (holding connectors/ and "
            f"{VERIFICATION_FILE}) or its connectors directory."
        )
    if not os.access(path, os.R_OK | os.X_OK):
        raise SourceError(f"The source could not be read: {path}: permission denied.")
    if (path / "connectors").is_dir():
        connectors, conf = path / "connectors", path
    else:
        connectors, conf = path, path.parent
    verification = conf / VERIFICATION_FILE
    return connectors, verification if verification.is_file() else None


def _connector_files(connectors: Path) -> list[Path]:
    files = sorted(
        p
        for p in connectors.iterdir()
        if p.is_file() and p.suffix in (".yml", ".yaml") and not p.name.startswith(("_", "."))
    )
    if not files:
        raise SourceError(
            f"No connector files (*.yml) in {connectors}: is this Hummingbot's conf directory?"
        )
    if len(files) > MAX_CONNECTOR_FILES:
        raise SourceError(
            f"{connectors} holds {len(files)} connector files; Keydeck reads at most "
            f"{MAX_CONNECTOR_FILES} in one import (Hummingbot writes one per connector you "
            f"configured). {PARTS_HINT}"
        )
    if sum(p.stat().st_size for p in files) > MAX_CONNECTOR_BYTES:
        raise SourceError(
            f"The connector files in {connectors} are larger than "
            f"{MAX_CONNECTOR_BYTES // 1024} KB together (Hummingbot's are a few KB each): is "
            f"this Hummingbot's conf directory? {PARTS_HINT}"
        )
    return files


def _load_yaml(path: Path) -> dict[str, Any] | str:
    """The connector file's mapping, or why it cannot be used."""
    import yaml

    class NoAliasLoader(yaml.SafeLoader):
        """Hummingbot writes no anchors or aliases; an alias chain ("billion laughs") grows
        without bound once turned into text, so none is accepted."""

        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.check_event(yaml.AliasEvent):
                mark = self.peek_event().start_mark
                raise yaml.composer.ComposerError(None, None, "an alias", mark)
            return super().compose_node(parent, index)

    try:
        text = read_text(path, "connector file", limit=MAX_CONNECTOR_FILE_BYTES)
        data = yaml.load(text, Loader=NoAliasLoader)  # noqa: S506
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        return f"not valid YAML{where}"
    except SourceError as error:
        return str(error)
    if not isinstance(data, dict) or not isinstance(data.get("connector"), str):
        return "not a Hummingbot connector file (no 'connector:' line)"
    return data


def _unmapped_reason(name: str, data: Mapping[str, Any]) -> str:
    wallet_named = name.startswith(_WALLET_CONNECTORS)
    if wallet_named or any(word in key for key in data for word in _WALLET_WORDS):
        return f"'{name}' is a wallet-based connector (private key or wallet), not an API key"
    return f"Keydeck has no ccxt mapping for Hummingbot's '{name}' connector"


Job = tuple[str, ConnectorMap, dict[str, Any], dict[str, dict[str, Any]]]
"""(origin, mapping, the file's data, ccxt credential -> parsed secure value)."""


def read_hummingbot(path: Path, source_password: PasswordReader) -> SourceRead:
    """Every connector under `path`; a wrong password raises before anything is returned.

    Every file is read and every value parsed before the password is asked: a directory
    whose values together ask for more than `MAX_DERIVATION_ROUNDS` is refused before any
    derivation starts."""
    connectors, verification = _locate(path)
    files = _connector_files(connectors)
    result = SourceRead(source="hummingbot", path=path)
    verifier = _verification_document(verification) if verification is not None else None
    jobs: list[Job] = []
    for file in files:
        origin = f"{connectors.name}/{file.name}"
        data = _load_yaml(file)
        if isinstance(data, str):
            result.skipped.append(Skipped(origin, data))
            continue
        name = data["connector"]
        mapping = CONNECTORS.get(name)
        if mapping is None:
            result.skipped.append(Skipped(origin, _unmapped_reason(name, data)))
            continue
        job = _prepare(origin, mapping, data)
        if isinstance(job, Skipped):
            result.skipped.append(job)
        else:
            jobs.append(job)
    documents = [d for job in jobs for d in job[3].values()] + ([verifier] if verifier else [])
    _check_budget(path, documents)
    password = source_password("Hummingbot password")
    if verification is not None and verifier is not None:
        _check_password(verification, verifier, password)
    # PBKDF2 runs a million rounds per value in C without the GIL: decrypt in parallel, as
    # many at once as the memory bound allows (one at a time for eth-keyfile's scrypt).
    memory = max((derivation_memory(d) for d in documents), default=0)
    workers = max(1, min(8, os.cpu_count() or 1, MAX_DERIVATION_MEMORY // max(memory, 1)))
    outcomes = interruptible_map(lambda job: _connector(job, password), jobs, workers)
    for outcome in outcomes:
        if isinstance(outcome, Candidate):
            result.candidates.append(outcome)
        else:
            result.skipped.append(outcome)
    if verification is None and any(s.reason == _OTHER_PASSWORD for s in result.skipped):
        raise SourceError(_wrong_password_text())
    return result


def _check_budget(path: Path, documents: list[dict[str, Any]]) -> None:
    rounds = sum(derivation_cost(d) for d in documents)
    if rounds > MAX_DERIVATION_ROUNDS:
        raise SourceError(
            f"Decrypting {path} would take too long: its {len(documents)} encrypted values ask "
            f"for {rounds / 1e6:,.0f} million key-derivation rounds, and Keydeck does at most "
            f"{MAX_DERIVATION_ROUNDS / 1e6:,.0f} million in one import (about "
            f"{MAX_DERIVATION_ROUNDS // 1_000_000} values as Hummingbot encrypts them). "
            f"{PARTS_HINT}"
        )


_OTHER_PASSWORD = "encrypted with another password"  # noqa: S105 - a reason, not a password


def _wrong_password_text() -> str:
    return (
        "Wrong Hummingbot password: it does not decrypt this Hummingbot configuration. "
        "Nothing was imported."
    )


def _verification_document(verification: Path) -> dict[str, Any]:
    try:
        return parse_value(read_text(verification, VERIFICATION_FILE))
    except ValueError as error:
        raise SourceError(f"{verification} is damaged ({error}).") from None


def _check_password(verification: Path, document: dict[str, Any], password: str) -> None:
    try:
        word = interruptible_map(lambda d: decrypt_document(d, password), [document], 1)[0]
    except WrongPassword:
        raise SourceError(_wrong_password_text()) from None
    except ValueError as error:
        raise SourceError(f"{verification} is damaged ({error}).") from None
    if word != VERIFICATION_WORD:
        raise SourceError(_wrong_password_text())


def _prepare(origin: str, mapping: ConnectorMap, data: dict[str, Any]) -> Job | Skipped:
    """The connector's secure values parsed (no derivation yet), or why it is skipped."""
    documents: dict[str, dict[str, Any]] = {}
    for field_name, credential in mapping.fields.items():
        value = data.get(field_name)
        if value is None or value == "":
            continue
        if not isinstance(value, str):  # a secure value is hex text, never a list or table
            return Skipped(origin, f"{field_name}: not an encrypted Hummingbot value")
        try:
            documents[credential] = parse_value(value)
        except ValueError as error:
            return Skipped(origin, f"{field_name}: {error}")
    if "apiKey" not in documents:
        return Skipped(origin, "holds no API key")
    if mapping.hosts:
        sub_domain = str(data.get(OKX_SUB_DOMAIN) or "www")
        if sub_domain not in mapping.hosts:
            return Skipped(origin, f"unknown {OKX_SUB_DOMAIN} {sub_domain!r}")
    return origin, mapping, data, documents


def _connector(job: Job, password: str) -> Candidate | Skipped:
    origin, mapping, data, documents = job
    plain: dict[str, str] = {}
    for credential, document in documents.items():
        field_name = next(f for f, c in mapping.fields.items() if c == credential)
        try:
            plain[credential] = decrypt_document(document, password)
        except WrongPassword:
            return Skipped(origin, _OTHER_PASSWORD)
        except ValueError as error:
            return Skipped(origin, f"{field_name}: {error}")
    exchange = mapping.exchange
    notes: tuple[str, ...] = ()
    if mapping.hosts:
        sub_domain = str(data.get(OKX_SUB_DOMAIN) or "www")
        exchange = mapping.hosts[sub_domain]
        notes = (f"host from {OKX_SUB_DOMAIN}: {sub_domain}",)
    return Candidate(
        exchange=exchange,
        credentials=secrets_of(plain),
        origin=origin,
        sandbox=mapping.sandbox,
        notes=notes,
    )
