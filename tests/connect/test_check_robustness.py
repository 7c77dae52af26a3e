"""`keydeck check` never prints a traceback: bad password bytes, closed pipes, ctrl+c at many
instants, unexpected errors and a full disk each end in one line (or none) and a defined
exit code. Subprocesses against the loopback simulator (in a thread) and real files."""

from __future__ import annotations

import contextlib
import io
import logging
import os
import resource
import signal
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

from tui.base.logs import setup_logging, stop_logging
from tui.commands.passwords import read_password
from tui.sim import Simulator
from tui.sim.thread import SimulatorThread
from tui.vault import Account, KdfParams, PasswordNotUtf8, Vault

PASSWORD = "check-robustness-pässword-7"
NOT_UTF8 = b"p\xe4ssword-latin-1"  # "pässword" in Latin-1: not UTF-8
WAIT_S = 60.0  # upper bound for a subprocess to reach a point; never an assertion on time

posix_only = pytest.mark.skipif(os.name != "posix", reason="signals and pipes as on POSIX")


@pytest.fixture(scope="module")
def sim() -> Iterator[SimulatorThread]:
    with SimulatorThread.start(Simulator()) as running:
        yield running


def simulated(sim: SimulatorThread, exchange: str, label: str = "main") -> Account:
    account = sim.simulator.account(exchange, label)
    return Account(
        exchange=exchange,
        label=label,
        credentials=dict(account.credentials),
        endpoint=sim.endpoint(exchange),
    )


def make_config(root: Path, accounts: Iterable[Account] = ()) -> Path:
    config = root / "config"
    config.mkdir(mode=0o700, parents=True)
    with Vault.create(config / "keys.kdk", PASSWORD, kdf=KdfParams.insecure_fast()) as vault:
        for account in accounts:
            vault.add(account)
        vault.save()
    return config


def environment(config: Path, password: str | bytes | None = PASSWORD) -> dict[str, str | bytes]:
    env: dict[str, str | bytes] = {
        k: v for k, v in os.environ.items() if not k.startswith("KEYDECK_")
    }
    env["KEYDECK_CONFIG_DIR"] = str(config)
    if password is not None:
        env["KEYDECK_PASSWORD"] = password
    return env


def keydeck(*args: str) -> list[str]:
    return [sys.executable, "-m", "tui", *args]


def assert_quiet(stderr: bytes) -> None:
    text = stderr.decode(errors="replace")
    for noise in ("Traceback", "Exception ignored", "Logging error", "Unclosed"):
        assert noise not in text, text
    assert PASSWORD not in text


# --- password bytes that are not UTF-8 -----------------------------------------------------


@posix_only
@pytest.mark.parametrize("locale", ["C.UTF-8", "C"])
def test_password_bytes_not_utf8_exit_3_with_one_line(tmp_path: Path, locale: str) -> None:
    config = make_config(tmp_path)
    runs = [
        subprocess.run(
            keydeck("check"),
            env={**environment(config, NOT_UTF8), "LC_ALL": locale},
            capture_output=True,
            timeout=WAIT_S,
        ),
        subprocess.run(
            keydeck("check", "--password-stdin"),
            env={**environment(config, None), "LC_ALL": locale},
            input=NOT_UTF8 + b"\n",
            capture_output=True,
            timeout=WAIT_S,
        ),
    ]
    for run in runs:
        assert run.returncode == 3, run.stderr
        assert_quiet(run.stderr)
        lines = run.stderr.decode().splitlines()
        assert len(lines) == 1 and "not valid UTF-8" in lines[0]


@posix_only
def test_a_utf8_password_opens_under_an_ascii_locale(tmp_path: Path) -> None:
    """Read as bytes, so the locale never changes what the password is."""
    config = make_config(tmp_path)
    ascii_locale = {"LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"}
    for args, env, given in (
        (("check",), environment(config), None),
        (("check", "--password-stdin"), environment(config, None), PASSWORD.encode() + b"\n"),
    ):
        run = subprocess.run(
            keydeck(*args),
            env={**env, **ascii_locale},
            input=given,
            capture_output=True,
            timeout=WAIT_S,
        )
        assert run.returncode == 0, run.stderr
        assert run.stderr == b""


def test_not_utf8_is_a_vault_error_in_process(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    stdin = io.TextIOWrapper(io.BytesIO(NOT_UTF8 + b"\n"), encoding="utf-8")
    with pytest.raises(PasswordNotUtf8):
        read_password(True, stdin)
    surrogate = NOT_UTF8.decode("utf-8", "surrogateescape")  # what os.environ would hold
    with pytest.raises(PasswordNotUtf8) as caught:
        Vault.open(config / "keys.kdk", surrogate)
    assert surrogate not in str(caught.value)


# --- a reader that went away ---------------------------------------------------------------


@posix_only
def test_a_closed_stdout_ends_quietly_with_the_computed_code(
    tmp_path: Path, sim: SimulatorThread
) -> None:
    """`keydeck check | head -0`: the reader closed before anything was written."""
    healthy = make_config(tmp_path / "ok")
    critical = make_config(tmp_path / "crit", [simulated(sim, "bybit", "risky")])
    cases = [
        (healthy, ("check", "--json"), 0),
        (healthy, ("check",), 0),
        (critical, ("check",), 1),  # the finding still reaches a monitor through the code
        (critical, ("check", "--json"), 1),
        (healthy, ("locate",), 0),
        (healthy, ("--help",), 0),
    ]
    for config, args, expected in cases:
        reader, writer = os.pipe()
        os.close(reader)
        try:
            run = subprocess.run(
                keydeck(*args),
                env=environment(config),
                stdout=writer,
                stderr=subprocess.PIPE,
                timeout=WAIT_S,
            )
        finally:
            os.close(writer)
        assert run.returncode == expected, (args, run.stderr)
        assert run.stderr == b"", (args, run.stderr)


@posix_only
def test_head_1_of_a_real_shell_pipeline(tmp_path: Path, sim: SimulatorThread) -> None:
    config = make_config(tmp_path, [simulated(sim, "binance"), simulated(sim, "okx")])
    command = " ".join(keydeck("check", "--json")) + " | head -1; echo status=${PIPESTATUS[0]}"
    run = subprocess.run(
        ["bash", "-c", command],
        env=environment(config),
        capture_output=True,
        timeout=WAIT_S,
    )
    assert run.stdout.decode().splitlines() == ["{", "status=0"]
    assert run.stderr == b""


# --- ctrl+c ----------------------------------------------------------------------------------


def wait_for(condition: object, what: str) -> None:
    deadline = time.monotonic() + WAIT_S
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.01)


CORE_LIMIT = 1024  # set for the child, so that "core dumps off" is the check's own doing
CORE_LIMITED = ("sh", "-c", f'ulimit -c {CORE_LIMIT} 2>/dev/null; exec "$@"', "sh")


def started(config: Path, *args: str, stdin: int | None = subprocess.PIPE) -> subprocess.Popen:
    """`keydeck check` waiting for its password on stdin, past its imports and log setup."""
    process = subprocess.Popen(
        [*CORE_LIMITED, *keydeck("check", "--password-stdin", *args)],
        env=environment(config, None),
        stdin=stdin,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    wait_for(lambda: (config / "logs" / "keydeck.log").exists(), "the log file")
    return process


def answer_password(process: subprocess.Popen) -> float:
    assert process.stdin is not None
    process.stdin.write(PASSWORD.encode() + b"\n")
    process.stdin.flush()
    return time.monotonic()


def interrupted(process: subprocess.Popen) -> tuple[int, bytes, bytes]:
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=WAIT_S)
    return process.returncode, out, err


@posix_only
def test_ctrl_c_while_reading_the_password_is_130_and_quiet(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    process = started(config)
    limits = Path(f"/proc/{process.pid}/limits")
    hard = resource.getrlimit(resource.RLIMIT_CORE)[1]
    if limits.exists() and (hard == resource.RLIM_INFINITY or hard >= CORE_LIMIT):
        # It started allowed core files of CORE_LIMIT bytes; before reading anything secret
        # the check turned them off.
        line = next(x for x in limits.read_text().splitlines() if x.startswith("Max core"))
        assert line.split()[4:6] == ["0", "0"], line
    code, out, err = interrupted(process)
    assert (code, out, err) == (130, b"", b"")


# Loaded by the child before Keydeck: the first time `dataclasses` builds a method of a class in
# MODULE from source text, that text starts by sending the process a ctrl+c. So the interrupt
# lands, every time, where it landed now and then under load: inside an `exec` of text, during
# an import that the command makes after its log setup.
CTRL_C_INSIDE_EXEC = """
import builtins, os, signal
from pathlib import Path

_exec = builtins.exec

def exec(source, globals=None, locals=None, /, **kwargs):
    if isinstance(source, str) and (globals or {}).get("__name__") == MODULE:
        builtins.exec = _exec
        Path(MARKER).touch()
        source = "import os, signal\\nos.kill(os.getpid(), signal.SIGINT)\\n" + source
    return _exec(source, globals, locals, **kwargs)

builtins.exec = exec
"""


@posix_only
def test_ctrl_c_inside_a_dataclass_being_built_is_130_not_killed_by_sigint(
    tmp_path: Path,
) -> None:
    """CPython marks a KeyboardInterrupt that leaves an `exec` of text as unhandled, though
    `main` caught it, and at exit re-raises SIGINT: a parent waiting on the child saw -2
    instead of 130, depending on the instant (`process.forget_caught_interrupt`)."""
    config = make_config(tmp_path)
    site, marker = tmp_path / "site", tmp_path / "interrupted-inside-exec"
    site.mkdir()
    module = "tui.commands.check_report"
    (site / "sitecustomize.py").write_text(
        f"MODULE, MARKER = {module!r}, {str(marker)!r}\n{CTRL_C_INSIDE_EXEC}"
    )
    run = subprocess.run(
        keydeck("check", "--password-stdin"),
        env={**environment(config, None), "PYTHONPATH": str(site)},
        input=PASSWORD.encode() + b"\n",
        capture_output=True,
        timeout=WAIT_S,
    )
    assert marker.exists(), f"{module} built no dataclass method from text: pick another module"
    assert (run.returncode, run.stdout, run.stderr) == (130, b"", b"")


@posix_only
def test_ctrl_c_while_an_exchange_hangs_is_130_and_quiet(tmp_path: Path) -> None:
    """A loopback server that accepts and never answers: the check is inside the network."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        account = Account(
            exchange="binance",
            label="hangs",
            credentials={"apiKey": "hang-key-5f1c", "secret": "hang-secret-0d9e"},
            endpoint=f"http://127.0.0.1:{port}",
        )
        config = make_config(tmp_path, [account])
        process = started(config)
        answer_password(process)
        server.settimeout(WAIT_S)
        connection, _ = server.accept()
        with connection:
            code, out, err = interrupted(process)
    assert (code, out, err) == (130, b"", b"")
    log = (config / "logs" / "keydeck.log").read_text()
    assert "interrupted" in log and "hang-secret-0d9e" not in log


@posix_only
@pytest.mark.slow
def test_ctrl_c_at_instants_across_a_whole_run(tmp_path: Path, sim: SimulatorThread) -> None:
    """From password to exit, ctrl+c lands in reading, the KDF, ccxt's import, the requests,
    the output or the exit: every run ends 130 (or with its own code if it had already
    answered) and says nothing on stderr. The instants are spread over one uninterrupted
    run's length, measured first on this machine."""
    accounts = [simulated(sim, "binance"), simulated(sim, "okx"), simulated(sim, "bybit", "risky")]
    whole = started(make_config(tmp_path / "whole", accounts))
    began = answer_password(whole)
    whole.communicate(timeout=WAIT_S)
    length = time.monotonic() - began
    assert whole.returncode == 1  # bybit/risky has a critical finding

    codes = []
    for step in range(14):
        delay = length * step / 12  # the last two land after it would have answered
        process = started(make_config(tmp_path / f"run-{step}", accounts))
        answer_password(process)
        time.sleep(delay)  # where it lands varies; what must hold does not
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=WAIT_S)
        codes.append(process.returncode)
        assert process.returncode in (130, 1), (delay, process.returncode, err)
        assert err == b"", (delay, err)
        if process.returncode == 1:  # it had answered before the signal: the whole answer
            assert b"Total $" in out
    assert 130 in codes, codes


# --- unexpected errors and a full disk -----------------------------------------------------


@posix_only
def test_an_unexpected_error_is_one_line_exit_3_and_a_scrubbed_log(
    tmp_path: Path, sim: SimulatorThread
) -> None:
    """stdout closed outright (`keydeck check --json >&-`): Python has no sys.stdout at all."""
    account = simulated(sim, "binance")
    config = make_config(tmp_path, [account])
    run = subprocess.run(
        ["sh", "-c", 'exec "$@" >&-', "sh", *keydeck("check", "--json")],
        env=environment(config),
        stderr=subprocess.PIPE,
        timeout=WAIT_S,
    )
    assert run.returncode == 3
    assert_quiet(run.stderr)
    (line,) = run.stderr.decode().splitlines()
    assert "unexpected error" in line and "details in the log" in line
    log = (config / "logs" / "keydeck.log").read_text()
    assert "keydeck check failed" in log and "Traceback" in log
    for secret in (PASSWORD, *account.ccxt_config().values()):
        if secret != account.ccxt_config()["apiKey"]:
            assert secret not in log


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (ENOSPC on write)")
def test_a_full_disk_never_puts_logging_tracebacks_on_stderr(
    tmp_path: Path, sim: SimulatorThread
) -> None:
    config = make_config(tmp_path, [simulated(sim, "binance"), simulated(sim, "kucoin")])
    logs = config / "logs"
    logs.mkdir(mode=0o700)
    (logs / "keydeck.log").symlink_to("/dev/full")
    mode = os.stat("/dev/full").st_mode
    run = subprocess.run(
        keydeck("check"), env=environment(config), capture_output=True, timeout=WAIT_S
    )
    assert run.returncode == 0, run.stderr
    assert run.stderr == b""
    assert b"Total $" in run.stdout
    assert os.stat("/dev/full").st_mode == mode  # the log is made private only if a plain file


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (ENOSPC on write)")
def test_the_log_handler_drops_what_it_cannot_write(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    log_file = tmp_path / "logs" / "keydeck.log"
    log_file.parent.mkdir(mode=0o700)
    log_file.symlink_to("/dev/full")
    handler = setup_logging(log_file)
    logger = logging.getLogger("tui.test-full-disk")
    try:
        for index in range(30):
            logger.warning("record %d", index)
        logger.error("with a traceback", exc_info=ValueError("boom"))
    finally:
        stop_logging(handler)
    assert handler.dropped >= 30
    captured = capfd.readouterr()
    assert captured.err == "" and captured.out == ""
    assert stat.S_ISCHR(os.stat(log_file).st_mode)
