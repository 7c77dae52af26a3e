"""Hummingbot's encrypted connector configs: `conf/connectors/<connector>.yml`.

Each secure value is the hex encoding of an Ethereum v3 keyfile JSON (PBKDF2-HMAC-SHA256,
AES-128-CTR, keccak MAC) encrypted with the Hummingbot password; `conf/.password_verification`
holds the word "HummingBot" encrypted the same way. eth-keyfile decrypts them. Field names
come from each connector's config map in Hummingbot's source (docs/keys-in-and-out.md has
the table).
"""

from __future__ import annotations

import binascii
import json
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tui.keys_io.bounded import interruptible_map
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
# A file could ask for any work factor; these bound the time and memory one value may take
# (Hummingbot writes PBKDF2 with 1,000,000 rounds and dklen 32; eth-keyfile's scrypt default
# is n=2^18, r=8, p=1: 256 MiB).
MAX_PBKDF2_ROUNDS = 5_000_000
MAX_SCRYPT_N = 1 << 18
MAX_SCRYPT_R = 8
MAX_SCRYPT_P = 1
DKLEN_RANGE = (32, 64)  # the MAC uses bytes 16..32 of the derived key
MAX_VALUE_CHARS = 64 * 1024  # a secure value is a few hundred hex characters


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


class _WrongPassword(Exception):
    pass


def _import_eth_keyfile() -> Any:
    """eth-keyfile, imported without its side effect: its dependency py_ecc raises the
    recursion limit to 100,000 on import, after which a deeply nested JSON answer crashes
    the whole process (a C stack overflow) instead of raising RecursionError."""
    limit = sys.getrecursionlimit()
    try:
        import eth_keyfile
    finally:
        sys.setrecursionlimit(limit)
    return eth_keyfile


def decrypt_value(hex_text: str, password: str) -> str:
    """One secure value: hex -> v3 keyfile JSON -> plain text. `_WrongPassword` on a MAC
    mismatch, ValueError when the value is not such a keyfile."""
    eth_keyfile = _import_eth_keyfile()
    from eth_keyfile.keyfile import normalize_keys

    if len(hex_text) > MAX_VALUE_CHARS:
        raise ValueError("not an encrypted Hummingbot value (far too long)")
    try:
        raw = json.loads(binascii.unhexlify(hex_text.strip()).decode("utf-8"))
        # eth-keyfile lower-cases every key before it reads one ("C" -> "c", "Crypto" ->
        # "crypto", the last one winning): check exactly what it will use.
        document = normalize_keys(raw) if isinstance(raw, dict) else None
    except (binascii.Error, UnicodeDecodeError, ValueError, RecursionError):
        raise ValueError("not an encrypted Hummingbot value") from None
    if not isinstance(document, dict) or document.get("version") != 3:
        raise ValueError("not a version 3 keyfile value")
    _check_work_factor(document)
    try:
        plain = eth_keyfile.decode_keyfile_json(document, password.encode("utf-8"))
    except Exception as error:
        if "MAC mismatch" in str(error):
            raise _WrongPassword from None
        raise ValueError("damaged encrypted value") from None
    try:
        return bytes(plain).decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError("the decrypted value is not text") from None


def _check_work_factor(document: dict[str, Any]) -> None:
    """The KDF parameters of a key-normalised v3 document, bounded in time and memory."""
    crypto = document.get("crypto")
    if not isinstance(crypto, dict) or not isinstance(crypto.get("kdfparams"), dict):
        raise ValueError("damaged encrypted value")
    params = crypto["kdfparams"]
    kdf = crypto.get("kdf")
    if kdf == "pbkdf2":
        bounds = {"c": (1, MAX_PBKDF2_ROUNDS)}
        if params.get("prf") != "hmac-sha256":
            raise ValueError("unsupported key-derivation function")
    elif kdf == "scrypt":
        bounds = {"n": (2, MAX_SCRYPT_N), "r": (1, MAX_SCRYPT_R), "p": (1, MAX_SCRYPT_P)}
    else:
        raise ValueError("unsupported key-derivation function")
    for name, (low, high) in {**bounds, "dklen": DKLEN_RANGE}.items():
        value = params.get(name)
        if type(value) is not int or not low <= value <= high:
            raise ValueError("unreasonable key-derivation parameters")


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
        data = yaml.load(read_text(path, "connector file"), Loader=NoAliasLoader)  # noqa: S506
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


def read_hummingbot(path: Path, source_password: PasswordReader) -> SourceRead:
    """Every connector under `path`; a wrong password raises before anything is returned."""
    connectors, verification = _locate(path)
    files = _connector_files(connectors)
    result = SourceRead(source="hummingbot", path=path)
    password = source_password("Hummingbot password")
    if verification is not None:
        _check_password(verification, password)
    jobs: list[tuple[Path, str, ConnectorMap, dict[str, Any]]] = []
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
        jobs.append((file, origin, mapping, data))
    # PBKDF2 runs a million rounds per value in C without the GIL: decrypt in parallel.
    workers = max(1, min(8, os.cpu_count() or 1))
    outcomes = interruptible_map(lambda job: _connector(job, password), jobs, workers)
    for outcome in outcomes:
        if isinstance(outcome, Candidate):
            result.candidates.append(outcome)
        else:
            result.skipped.append(outcome)
    if verification is None and any(s.reason == _OTHER_PASSWORD for s in result.skipped):
        raise SourceError(_wrong_password_text())
    return result


_OTHER_PASSWORD = "encrypted with another password"  # noqa: S105 - a reason, not a password


def _wrong_password_text() -> str:
    return (
        "Wrong Hummingbot password: it does not decrypt this Hummingbot configuration. "
        "Nothing was imported."
    )


def _check_password(verification: Path, password: str) -> None:
    text = read_text(verification, VERIFICATION_FILE)
    try:
        word = interruptible_map(lambda value: decrypt_value(value, password), [text], 1)[0]
    except _WrongPassword:
        raise SourceError(_wrong_password_text()) from None
    except ValueError as error:
        raise SourceError(f"{verification} is damaged ({error}).") from None
    if word != VERIFICATION_WORD:
        raise SourceError(_wrong_password_text())


def _connector(
    job: tuple[Path, str, ConnectorMap, dict[str, Any]], password: str
) -> Candidate | Skipped:
    _file, origin, mapping, data = job
    plain: dict[str, str] = {}
    for field_name, credential in mapping.fields.items():
        value = data.get(field_name)
        if value is None or value == "":
            continue
        if not isinstance(value, str):  # a secure value is hex text, never a list or table
            return Skipped(origin, f"{field_name}: not an encrypted Hummingbot value")
        try:
            plain[credential] = decrypt_value(value, password)
        except _WrongPassword:
            return Skipped(origin, _OTHER_PASSWORD)
        except ValueError as error:
            return Skipped(origin, f"{field_name}: {error}")
    if "apiKey" not in plain:
        return Skipped(origin, "holds no API key")
    exchange = mapping.exchange
    notes: tuple[str, ...] = ()
    if mapping.hosts:
        sub_domain = str(data.get(OKX_SUB_DOMAIN) or "www")
        exchange = mapping.hosts.get(sub_domain, "")
        if not exchange:
            return Skipped(origin, f"unknown {OKX_SUB_DOMAIN} {sub_domain!r}")
        notes = (f"host from {OKX_SUB_DOMAIN}: {sub_domain}",)
    return Candidate(
        exchange=exchange,
        credentials=secrets_of(plain),
        origin=origin,
        sandbox=mapping.sandbox,
        notes=notes,
    )
