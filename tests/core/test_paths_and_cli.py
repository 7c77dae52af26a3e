"""Locations, `keydeck locate` and `python -m tui`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tui import cli
from tui.base.paths import CONFIG_DIR_ENV, Locations, ensure_private_dir
from tui.cli import run


def test_explicit_dir_beats_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CONFIG_DIR_ENV, str(tmp_path / "from-env"))
    locations = Locations.resolve(tmp_path / "explicit")
    assert locations.config_dir == tmp_path / "explicit"
    assert locations.keyfile.parent == tmp_path / "explicit"
    assert locations.log_file.is_relative_to(tmp_path / "explicit")
    assert locations.cache_dir.is_relative_to(tmp_path / "explicit")


def test_environment_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CONFIG_DIR_ENV, str(tmp_path))
    assert Locations.resolve().keyfile == tmp_path / "keys.kdk"


def test_default_is_platformdirs_without_app_author(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(CONFIG_DIR_ENV, raising=False)
    locations = Locations.resolve()
    assert locations.config_dir.name == "keydeck"
    assert "keydeck" in str(locations.log_dir)
    assert "keydeck" in str(locations.cache_dir)


def test_private_dir_is_0700_whatever_the_umask(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        made = ensure_private_dir(tmp_path / "a" / "b")
    finally:
        os.umask(old)
    assert made.stat().st_mode & 0o777 == 0o700


def test_locate_prints_every_path(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["locate", "--config-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    for word in ("keyfile", "settings", "log", "cache", "crashes"):
        assert word in out
    assert str(tmp_path / "keys.kdk") in out
    assert str(tmp_path / "state" / "crashes") in out


def test_locate_says_which_files_do_not_exist_yet(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    locations = Locations.resolve(tmp_path)
    locations.keyfile.write_bytes(b"x")
    assert run(["locate", "--config-dir", str(tmp_path)]) == 0
    lines = {line.split()[0]: line for line in capsys.readouterr().out.splitlines()}
    assert "not created yet" not in lines["keyfile"]
    assert lines["settings"].endswith(f"{locations.settings}  (not created yet)")
    assert lines["cache"].endswith("(not created yet)")


def test_locate_creates_nothing(tmp_path: Path) -> None:
    target = tmp_path / "nothing-here"
    assert run(["--config-dir", str(target), "locate"]) == 0
    assert not target.exists()


def test_python_dash_m_tui_locate_imports_neither_textual_nor_ccxt(tmp_path: Path) -> None:
    probe = (
        "import sys, runpy; sys.argv = ['tui', 'locate', '--config-dir', sys.argv[1]];\n"
        "try:\n    runpy.run_module('tui', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        "print('LOADED', sorted(m for m in ('textual', 'ccxt') if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe, str(tmp_path)], capture_output=True, text=True, check=True
    )
    assert "LOADED []" in result.stdout
    assert str(tmp_path / "keys.kdk") in result.stdout


def test_the_command_line_parser_loads_no_keyfile_code() -> None:
    """The app's path to its first frame builds the parser of every command: that must not
    load cryptography or the keyfile code (tui/vault's names load on first use), which the
    unlock screen does not need to draw (docs/benchmarks.md, issue 30: first frame)."""
    probe = (
        "import sys; from tui.cli import build_parser; build_parser(); "
        "import tui.vault; from tui.vault import VaultError; "
        "print('LOADED', sorted(m for m in ('cryptography', 'filelock', 'tui.vault.vault') "
        "if m in sys.modules)); from tui.vault import Vault; print('LATER', Vault.__module__)"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert "LOADED []" in result.stdout
    assert "LATER tui.vault.vault" in result.stdout


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["--demo"],
        ["--config-dir", "some dir"],
        ["--config-dir=some dir"],
        ["--config-dir="],
        ["--demo", "--config-dir", "a", "--config-dir", "b"],
        ["--config-dir", "a", "--demo", "--demo"],
    ],
)
def test_the_app_arguments_are_what_the_full_parser_reads(argv: list[str]) -> None:
    read = cli.app_arguments(argv)
    assert read is not None
    assert vars(read) == vars(cli.build_parser().parse_args(argv))


@pytest.mark.parametrize(
    "argv",
    [
        ["check"],
        ["--demo", "check"],
        ["--dem"],  # an abbreviation: the full parser's rules
        ["--config-dir"],
        ["--config-dir", "--demo"],
        ["--help"],
        ["--version"],
        ["--demo", "extra"],
    ],
)
def test_anything_else_is_left_to_the_full_parser(argv: list[str]) -> None:
    assert cli.app_arguments(argv) is None


def test_starting_the_app_loads_no_command_module() -> None:
    """`keydeck` reads its arguments without the commands' parsers (each command's module
    loads its own imports: ~25 ms of the first frame, docs/benchmarks.md)."""
    probe = (
        "import sys; from tui import cli; args = cli.app_arguments(sys.argv[1:]); "
        "print(args.demo, sorted(m for m in sys.modules if m.startswith('tui.commands')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe, "--demo"], capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["True", "[]"]
