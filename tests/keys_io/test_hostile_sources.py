"""Import parsers are bounded: hostile KDF parameters (also in the key case eth-keyfile
folds), YAML alias chains, FIFOs, devices, huge or deeply nested files and unreadable
directories give one clear "could not be read" (exit 1), never a hang or an unexpected
error; an endpoint from a source obeys the loopback rule."""

from __future__ import annotations

import binascii
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.keys_io.helpers import (
    HUMMINGBOT_PASSWORD,
    PASSWORD,
    HummingbotConf,
    import_keys,
    keyfile_accounts,
    make_keyfile,
)
from tui.base.paths import Locations
from tui.keys_io.hummingbot import decrypt_value
from tui.keys_io.sources import MAX_SOURCE_BYTES


def _value(document: dict[str, Any] | str) -> str:
    text = document if isinstance(document, str) else json.dumps(document)
    return binascii.hexlify(text.encode()).decode()


def _crypto(kdf: str = "pbkdf2", **params: Any) -> dict[str, Any]:
    base = (
        {"c": 1000, "dklen": 32, "prf": "hmac-sha256", "salt": "00" * 16}
        if kdf == "pbkdf2"
        else {"n": 1024, "r": 8, "p": 1, "dklen": 32, "salt": "00" * 16}
    )
    return {
        "cipher": "aes-128-ctr",
        "cipherparams": {"iv": "00" * 16},
        "ciphertext": "00" * 8,
        "kdf": kdf,
        "kdfparams": {**base, **params},
        "mac": "00" * 32,
    }


@pytest.mark.parametrize(
    "text",
    [
        # eth-keyfile lower-cases keys (the last one wins): "C" beside a checked "c".
        '{"version": 3, "crypto": '
        + json.dumps(_crypto()).replace('"c": 1000', '"c": 1000, "C": 2147483647')
        + "}",
        # A "Crypto" object after the checked "crypto".
        f'{{"version": 3, "crypto": {json.dumps(_crypto())}, '
        f'"Crypto": {json.dumps(_crypto(c=2147483647))}}}',
        json.dumps({"version": 3, "crypto": _crypto("scrypt", r=24)}),  # 3.2 GB
        json.dumps({"version": 3, "crypto": _crypto("scrypt", p=64)}),
        json.dumps({"version": 3, "crypto": _crypto("scrypt", n=1 << 22)}),
        json.dumps({"version": 3, "crypto": _crypto(dklen=1 << 30)}),  # 1.1 GB
        json.dumps({"version": 3, "crypto": _crypto(c=True)}),
        json.dumps({"version": 3, "crypto": _crypto(prf="hmac-sha512")}),
    ],
)
def test_hostile_kdf_parameters_are_refused_before_deriving(text: str) -> None:
    with pytest.raises(ValueError, match=r"unreasonable|unsupported"):
        decrypt_value(_value(text), "whatever")


@pytest.fixture
def conf(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> HummingbotConf:
    monkeypatch.setenv("KEYDECK_IMPORT_PASSWORD", HUMMINGBOT_PASSWORD)
    return HummingbotConf(tmp_path / "conf")


LAUGHS = "\n".join(
    ["connector: binance", 'a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    + [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 8)}]" for i in range(1, 12)]
    + ["binance_api_key: *a11", "binance_api_secret: *a11"]
)


def test_yaml_alias_chains_and_non_text_values_are_skipped(
    locations: Locations, conf: HummingbotConf
) -> None:
    make_keyfile(locations)
    (conf.root / "connectors" / "binance.yml").write_text(LAUGHS)
    (conf.root / "connectors" / "kraken.yml").write_text(
        "connector: kraken\nkraken_api_key: [1, 2]\nkraken_secret_key: {a: b}\n"
    )
    _code, out, err = import_keys(locations, "hummingbot", conf.root)
    assert "unexpected" not in err
    assert "binance.yml: not valid YAML" in out
    assert "kraken.yml: kraken_api_key: not an encrypted Hummingbot value" in out
    assert keyfile_accounts(locations) == []


def _freqtrade(tmp_path: Path, name: str, body: str) -> Path:
    path = tmp_path / name
    path.write_text(body)
    path.chmod(0o600)
    return path


@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "too-large", "deep", "huge-number"])
def test_a_source_that_is_not_a_small_regular_file(
    locations: Locations, tmp_path: Path, kind: str
) -> None:
    make_keyfile(locations)
    path = tmp_path / "source.json"
    if kind == "fifo":
        os.mkfifo(path)  # nobody ever writes: reading it would wait forever
    elif kind == "dev-zero":
        path.symlink_to("/dev/zero")
    elif kind == "too-large":
        path.write_text('{"binance": {"apiKey": "' + "k" * MAX_SOURCE_BYTES + '"}}')
    elif kind == "deep":
        path.write_text("[" * 200_000 + "]" * 200_000)
    else:
        path.write_text('{"binance": {"apiKey": ' + "9" * 100_000 + "}}")
    source = "ccxt" if kind in ("deep", "huge-number") else "freqtrade"
    code, out, err = import_keys(locations, source, path)
    assert code == 1, (out, err)
    assert "unexpected" not in err and err.strip()
    if kind in ("fifo", "dev-zero", "too-large"):
        assert "could not be read" in err
    assert keyfile_accounts(locations) == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every directory")
def test_an_unreadable_directory_is_said_so(locations: Locations, conf: HummingbotConf) -> None:
    make_keyfile(locations)
    (conf.root / "connectors").chmod(0)
    try:
        code, _out, err = import_keys(locations, "hummingbot", conf.root)
    finally:
        (conf.root / "connectors").chmod(0o700)
    assert code == 1 and "could not be read" in err


@pytest.mark.parametrize(
    "api",
    ["http://10.9.8.7/api", "http://localhost.:8400/api", "https://user:tok3n@kraken.example.net"],
)
def test_a_source_endpoint_obeys_the_loopback_rule(
    locations: Locations, tmp_path: Path, api: str
) -> None:
    make_keyfile(locations)
    config = {
        "exchange": {
            "name": "kraken",
            "key": "ft-key",
            "secret": "ft-secret-0909",
            "ccxt_config": {"urls": {"api": {"public": api, "private": api}}},
        }
    }
    path = _freqtrade(tmp_path, "config.json", json.dumps(config))
    _code, out, err = import_keys(locations, "freqtrade", path, verify=False)
    assert "its endpoint is refused" in out, (out, err)
    assert "tok3n" not in out + err
    assert keyfile_accounts(locations) == []


def test_ctrl_c_stops_a_derivation_at_once(tmp_path: Path) -> None:
    """Eight values at the highest work factor accepted: ctrl+c ends the import (130)
    without waiting for them."""
    conf = tmp_path / "conf"
    (conf / "connectors").mkdir(parents=True)
    slow = _value({"version": 3, "crypto": _crypto(c=5_000_000)})
    for index in range(8):
        (conf / "connectors" / f"binance{index}.yml").write_text(
            f"connector: binance\nbinance_api_key: {slow}\nbinance_api_secret: {slow}\n"
        )
    config = tmp_path / "config"
    env = {k: v for k, v in os.environ.items() if not k.startswith("KEYDECK_")}
    env |= {
        "KEYDECK_CONFIG_DIR": str(config),
        "KEYDECK_PASSWORD": PASSWORD,
        "KEYDECK_IMPORT_PASSWORD": HUMMINGBOT_PASSWORD,
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "tui", "import", "hummingbot", str(conf), "--no-verify"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        threads_started = Path(f"/proc/{process.pid}/task")
        deadline = time.monotonic() + 60
        while len(list(threads_started.iterdir())) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)  # waiting for the KDF threads, not measuring anything
        time.sleep(0.5)
        process.send_signal(signal.SIGINT)
        # 16 values x 5,000,000 rounds take a minute or more on two cores.
        _out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 130, err.decode()
    assert "Traceback" not in err.decode()
