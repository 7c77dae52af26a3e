"""Every command through the shared preamble's failure paths, as a real subprocess.

Bad password bytes, an unreadable keyfile, a closed stdout and ctrl+c (SIGINT) while it
waits for its password: each ends in the documented exit code, never a traceback, never
the offending byte. While a command waits for its password, core dumps are already off
(/proc/<pid>/limits) and it is not dumpable: a process of the same user without
capabilities cannot read its /proc/<pid>/environ (checked against a dumpable `sleep`).
A root test runner drops its capabilities for these probes, so file modes apply to it."""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support.app import PASSWORD, make_keyfile
from tui.base.paths import Locations
from tui.vault import Account

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="/proc, signals and pipes as on Linux"
)

NOT_UTF8 = b"p\xe4ssword-latin-1"
WAIT_S = 60.0
_PR_CAPBSET_DROP = 24
_CAPABILITY_VERSION_3 = 0x20080522
ACCOUNT = Account(  # a closed loopback port: a check fails at once, never on the internet
    exchange="okx",
    label="main",
    credentials={"apiKey": "k-1", "secret": "s-1", "password": "p-1"},
    endpoint="http://127.0.0.1:9",
)

# Each command with arguments that reach its password read, and its "keyfile" exit code.
COMMANDS: dict[str, tuple[tuple[str, ...], int]] = {
    "check": (("check",), 3),
    "history": (("history",), 3),
    "backup": (("backup", "{tmp}/copy.kdk"), 3),
    "exec": (("exec", "okx", "--allow-withdraw", "--", "true"), 125),
    "rotate": (("rotate", "okx", "--drop-old"), 3),
    "watch": (("watch", "--interval", "60", "--no-history"), 3),
    "import": (("import", "env", "{tmp}/bot.env", "--no-verify"), 3),
}


@pytest.fixture
def shared() -> Iterator[Path]:
    """A directory another user can enter (the commands may run as `nobody` when root)."""
    root = Path(tempfile.mkdtemp(prefix="keydeck-commands-"))
    root.chmod(0o755)
    (root / "bot.env").write_text("GATE_API_KEY=cli-gate-key\nGATE_API_SECRET=gate-secret-77\n")
    (root / "bot.env").chmod(0o644)
    config = root / "config"
    make_keyfile(Locations.resolve(config), [ACCOUNT])
    try:
        yield root
    finally:
        subprocess.run(["rm", "-rf", str(root)], check=False)


def argv(name: str, root: Path) -> list[str]:
    words, _ = COMMANDS[name]
    return [sys.executable, "-m", "tui", *(w.replace("{tmp}", str(root)) for w in words)]


def environment(root: Path, password: bytes | str | None = PASSWORD) -> dict[str, str | bytes]:
    env: dict[str, str | bytes] = {
        k: v for k, v in os.environ.items() if not k.startswith("KEYDECK_")
    }
    env["KEYDECK_CONFIG_DIR"] = str(root / "config")
    if password is not None:
        env["KEYDECK_PASSWORD"] = password
    return env


def _drop_capabilities() -> None:
    """No capability from here on, across exec too (bounding set emptied): a root test
    runner then meets file modes and ptrace rules as any user does."""
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in range(64):
        libc.prctl(_PR_CAPBSET_DROP, capability, 0, 0, 0)
    header = (ctypes.c_uint32 * 2)(_CAPABILITY_VERSION_3, 0)
    if libc.capset(header, (ctypes.c_uint32 * 6)()) != 0:
        raise OSError(ctypes.get_errno(), "capset")


def without_capabilities() -> Callable[[], None] | None:
    return _drop_capabilities if os.geteuid() == 0 else None


def can_read_as_same_user(path: str) -> bool:
    """Whether a process of the same user, without capabilities, can read `path`: for
    /proc/<pid>/environ of a process without capabilities either, that is whether <pid> is
    dumpable (ptrace's access rule)."""
    child = os.fork()
    if child == 0:  # pragma: no cover - the forked observer
        code = 3
        try:
            _drop_capabilities()
            with open(path, "rb") as stream:
                stream.read(1)
            code = 0
        except PermissionError:
            code = 1
        finally:
            os._exit(code)
    _, status = os.waitpid(child, 0)
    code = os.waitstatus_to_exitcode(status)
    assert code in (0, 1), code
    return code == 0


def assert_clean(stderr: bytes) -> None:
    text = stderr.decode(errors="replace")
    for noise in ("Traceback", "Exception ignored", "Unclosed", "position", "0xe4", "\\xe4"):
        assert noise not in text, text


@pytest.mark.parametrize("name", list(COMMANDS))
def test_password_bytes_not_utf8(shared: Path, name: str) -> None:
    run = subprocess.run(
        argv(name, shared),
        env=environment(shared, NOT_UTF8),
        capture_output=True,
        timeout=WAIT_S,
        check=False,
    )
    assert run.returncode == COMMANDS[name][1], run.stderr
    assert_clean(run.stderr)
    assert b"not valid UTF-8" in run.stderr
    assert run.stdout == b""


@pytest.mark.parametrize("name", list(COMMANDS))
def test_unreadable_keyfile(shared: Path, name: str) -> None:
    (shared / "config" / "keys.kdk").chmod(0o000)
    run = subprocess.run(
        argv(name, shared),
        env=environment(shared),
        capture_output=True,
        timeout=WAIT_S,
        check=False,
        preexec_fn=without_capabilities(),  # root reads any file otherwise
    )
    if name == "import":  # it would write the keyfile: refused before the source is read
        assert run.returncode == 3, run.stderr
    else:
        assert run.returncode == COMMANDS[name][1], run.stderr
    assert_clean(run.stderr)
    assert b"keyfile" in run.stderr.lower()


@pytest.mark.parametrize(
    ("name", "code"),
    [("check", 2), ("history", 0), ("backup", 0), ("exec", 0), ("rotate", 0), ("import", 0)],
)
def test_closed_stdout_finishes_quietly(shared: Path, name: str, code: int) -> None:
    reader, writer = os.pipe()
    os.close(reader)
    try:
        run = subprocess.run(
            argv(name, shared),
            env=environment(shared),
            stdout=writer,
            stderr=subprocess.PIPE,
            timeout=WAIT_S,
            check=False,
        )
    finally:
        os.close(writer)
    assert run.returncode == code, run.stderr
    assert run.stderr == b"", run.stderr  # never "nothing was written"
    if name == "import":  # the keys were saved although nobody read the report
        from tests.keys_io.helpers import keyfile_accounts

        labels = {a.exchange for a in keyfile_accounts(Locations.resolve(shared / "config"))}
        assert labels == {"okx", "gate"}
    if name == "backup":
        assert (shared / "copy.kdk").is_file()


def _hardened(pid: int) -> bool:
    """Core files off and not dumpable: set by the preamble before any password is read."""
    limits = Path(f"/proc/{pid}/limits").read_text().splitlines()
    core = next(x for x in limits if x.startswith("Max core file size"))
    return core.split()[4:6] == ["0", "0"] and not can_read_as_same_user(f"/proc/{pid}/environ")


def _blocked(pid: int) -> bool:
    """Sleeping (in its read of the password), twice in a row."""
    for _ in range(2):
        if Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "S":
            return False
        time.sleep(0.05)
    return True


def test_the_dumpable_probe_sees_a_dumpable_process() -> None:
    with subprocess.Popen(["sleep", "30"], preexec_fn=without_capabilities()) as sleeper:
        try:
            assert can_read_as_same_user(f"/proc/{sleeper.pid}/environ")
            assert not _hardened(sleeper.pid)
        finally:
            sleeper.kill()


@pytest.mark.parametrize("name", list(COMMANDS))
def test_ctrl_c_at_the_password_read_with_core_dumps_off(shared: Path, name: str) -> None:
    words = argv(name, shared)
    cut = words.index("--") if "--" in words else len(words)
    words[cut:cut] = ["--password-stdin"]  # exec: an option before its `--`
    process = subprocess.Popen(
        ["sh", "-c", 'ulimit -c 1024 2>/dev/null; exec "$@"', "sh", *words],
        env=environment(shared, None),
        stdin=subprocess.PIPE,  # never written: the command waits for its password
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=without_capabilities(),  # so the probe compares like with like
    )
    try:
        deadline = time.monotonic() + WAIT_S
        while not (_hardened(process.pid) and _blocked(process.pid)):
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "core dumps never turned off"
            time.sleep(0.02)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=WAIT_S)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 130, err
    assert_clean(err)
    assert out == b""


@pytest.mark.parametrize("name", ["check", "history", "backup", "exec", "watch"])
def test_a_mistyped_config_dir_creates_nothing(shared: Path, name: str) -> None:
    """Commands that only read never create the config directory (nor a log in it)."""
    typo = shared / "confgi"
    env = environment(shared)
    env["KEYDECK_CONFIG_DIR"] = str(typo)
    run = subprocess.run(
        argv(name, shared), env=env, capture_output=True, timeout=WAIT_S, check=False
    )
    assert run.returncode == COMMANDS[name][1], run.stderr
    assert_clean(run.stderr)
    assert not typo.exists()


def _on_a_terminal() -> None:
    """The child's own session, with the pty on its stdin as controlling terminal."""
    import fcntl
    import termios

    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def test_ctrl_c_at_the_password_prompt_ends_its_line(shared: Path) -> None:
    """A real terminal: ctrl+c (the tty's SIGINT) at "Keydeck password: " leaves the cursor
    on a new line for the shell's prompt, exit 130, nothing else said."""
    import select

    master, slave = os.openpty()
    process = subprocess.Popen(
        argv("check", shared),
        env=environment(shared, None),
        stdin=slave,
        stdout=slave,
        stderr=slave,
        preexec_fn=_on_a_terminal,
        close_fds=True,
    )
    os.close(slave)
    output = bytearray()

    def read(until: Callable[[], bool]) -> None:
        deadline = time.monotonic() + WAIT_S
        while not until() and time.monotonic() < deadline:
            if select.select([master], [], [], 0.1)[0]:
                try:
                    chunk = os.read(master, 4096)
                except OSError:
                    return
                if not chunk:
                    return
                output.extend(chunk)

    try:
        read(lambda: b"Keydeck password: " in output)
        assert b"Keydeck password: " in output, bytes(output)
        os.write(master, b"\x03")  # ctrl+c, as the terminal sends it
        read(lambda: process.poll() is not None)
        process.wait(timeout=WAIT_S)
        read(lambda: not select.select([master], [], [], 0.2)[0])  # drain what is left
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(master)
    assert process.returncode == 130
    after = bytes(output).split(b"Keydeck password: ", 1)[1]
    assert after.replace(b"^C", b"") in (b"\r\n", b"\n"), after
