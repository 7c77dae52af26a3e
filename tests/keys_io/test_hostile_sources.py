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
from tui.keys_io.dotenv_file import MAX_DOTENV_BYTES
from tui.keys_io.eth_values import decrypt_value
from tui.keys_io.freqtrade import MAX_JSON5_BYTES
from tui.keys_io.hummingbot import MAX_CONNECTOR_FILES, MAX_DERIVATION_ROUNDS
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
    """Three values at the highest work factor accepted (within the import's budget):
    ctrl+c ends the import (130) without waiting for them."""
    conf = tmp_path / "conf"
    (conf / "connectors").mkdir(parents=True)
    slow = _value({"version": 3, "crypto": _crypto(c=5_000_000)})
    for index in range(3):
        (conf / "connectors" / f"binance{index}.yml").write_text(
            f"connector: binance\nbinance_api_key: {slow}\n"
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
        # 3 values x 5,000,000 rounds take several seconds on two cores.
        _out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 130, err.decode()
    assert "Traceback" not in err.decode()


def test_a_large_strict_json_freqtrade_config_imports(locations: Locations, tmp_path: Path) -> None:
    """1.4 MB (a long pair list): parsed as strict JSON, not by json5 (which took ~20 s)."""
    make_keyfile(locations)
    config = {
        "exchange": {
            "name": "kraken",
            "key": "ft-big-key",
            "secret": "ft-big-secret-4411",
            "pair_whitelist": [f"COIN{index}/USDT" for index in range(47_000)],
        }
    }
    path = _freqtrade(tmp_path, "config.json", json.dumps(config, indent=4))
    assert 1_300_000 < path.stat().st_size < MAX_SOURCE_BYTES
    code, out, err = import_keys(locations, "freqtrade", path, verify=False)
    assert code == 0, (out, err)
    assert [a.credentials["apiKey"].reveal() for a in keyfile_accounts(locations)] == ["ft-big-key"]


def test_a_large_config_that_is_not_strict_json_is_refused_with_its_line(
    locations: Locations, tmp_path: Path
) -> None:
    """json5 reads only small files (its worst case on 64 KB is a few seconds)."""
    make_keyfile(locations)
    pairs = ",\n".join(f'"COIN{index}/USDT"' for index in range(MAX_JSON5_BYTES // 10))
    body = '{\n// my bot\n"exchange": {"name": "kraken", "key": "k", "pair_whitelist": [' + pairs
    path = _freqtrade(tmp_path, "config.json", body + "]}}")
    code, out, err = import_keys(locations, "freqtrade", path, verify=False)
    assert code == 1, (out, err)
    assert "not strict JSON" in err and "line 2, column 1" in err
    assert "comments and trailing commas" in err and "unexpected" not in err
    assert keyfile_accounts(locations) == []


def test_a_small_config_with_comments_still_imports(locations: Locations, tmp_path: Path) -> None:
    make_keyfile(locations)
    body = '{\n// my bot\n"exchange": {"name": "kraken", "key": "k1", "secret": "s1",},}'
    path = _freqtrade(tmp_path, "config.json", body)
    code, out, err = import_keys(locations, "freqtrade", path, verify=False)
    assert code == 0, (out, err)
    assert len(keyfile_accounts(locations)) == 1


def test_a_hummingbot_directory_asking_too_much_work_is_refused_before_deriving(
    locations: Locations, conf: HummingbotConf
) -> None:
    """Values within the per-value cap, but too many of them: refused before the password is
    asked or any derivation starts (each would take seconds)."""
    make_keyfile(locations)
    slow = _value({"version": 3, "crypto": _crypto(c=5_000_000)})
    files = MAX_DERIVATION_ROUNDS // (2 * 5_000_000) + 1
    for index in range(files):
        (conf.root / "connectors" / f"binance{index}.yml").write_text(
            f"connector: binance\nbinance_api_key: {slow}\nbinance_api_secret: {slow}\n"
        )
    code, out, err = import_keys(locations, "hummingbot", conf.root)
    assert code == 1, (out, err)
    assert "would take too long" in err and "Import in parts" in err
    assert "Nothing was imported" in err and "unexpected" not in err
    assert keyfile_accounts(locations) == []


@pytest.mark.parametrize("kind", ["many", "large"])
def test_a_hummingbot_directory_of_too_many_or_too_large_files_is_refused(
    locations: Locations, conf: HummingbotConf, kind: str
) -> None:
    make_keyfile(locations)
    connectors = conf.root / "connectors"
    if kind == "many":
        for index in range(MAX_CONNECTOR_FILES + 1):
            (connectors / f"c{index}.yml").write_text("connector: binance\n")
    else:
        for index in range(5):
            (connectors / f"c{index}.yml").write_text("connector: binance\n#" + "x" * 60_000)
    code, out, err = import_keys(locations, "hummingbot", conf.root)
    assert code == 1, (out, err)
    expected = "at most" if kind == "many" else "larger than 256 KB together"
    assert expected in err and "Import in parts" in err and "unexpected" not in err


def test_a_large_env_file_is_refused(locations: Locations, tmp_path: Path) -> None:
    """python-dotenv is pure Python: a .env file is read up to 256 KB."""
    make_keyfile(locations)
    path = _freqtrade(tmp_path, ".env", "BINANCE_API_KEY='" + "x\n" * MAX_DOTENV_BYTES)
    code, out, err = import_keys(locations, "env", path, verify=False)
    assert code == 1, (out, err)
    assert "could not be read" in err and "larger than 256 KB" in err
