"""Harness of the end-to-end suite: runs the real `openai-emulator` binary and hands tests a base URL.

* The binary is $EMULATOR_BIN (scripts/test.sh sets it), else .build/release/openai-emulator of this checkout.
* Every server listens on a free 127.0.0.1 port; the harness waits for GET /health and always ends the
  process by its PID (SIGTERM, then SIGKILL after a bound). Children die with the test process.
* Servers started with the same flags and environment are shared by the whole session unless a test asks
  for a fresh one (which is stopped when the test ends).
* The tail of each server's output is attached to the report of every failing test that used it.
* A guard refuses every socket connection and name lookup that is not loopback.
"""

from __future__ import annotations

import ctypes
import ipaddress
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
sys.path.insert(0, str(HERE))

from support import make_client  # noqa: E402

HEALTH_TIMEOUT_S = 20.0
STOP_GRACE_S = 5.0
LOG_TAIL_LINES = 40

for _var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
    os.environ.pop(_var, None)
os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost"


# --------------------------------------------------------------------------- loopback-only guard
def _loopback(host) -> bool:
    if host in (None, "", "localhost", b"localhost"):
        return True
    if isinstance(host, bytes):
        host = host.decode()
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return False


_connect, _connect_ex, _getaddrinfo = socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo


def _checked(address):
    if isinstance(address, tuple) and not _loopback(address[0]):
        raise ConnectionRefusedError(f"e2e network guard: {address!r} is not loopback")


def _guarded_connect(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6):
        _checked(address)
    return _connect(self, address)


def _guarded_connect_ex(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6):
        _checked(address)
    return _connect_ex(self, address)


def _guarded_getaddrinfo(host, *args, **kwargs):
    if not _loopback(host):
        raise socket.gaierror(socket.EAI_NONAME, f"e2e network guard: no lookup of {host!r}")
    return _getaddrinfo(host, *args, **kwargs)


socket.socket.connect = _guarded_connect
socket.socket.connect_ex = _guarded_connect_ex
socket.getaddrinfo = _guarded_getaddrinfo


# --------------------------------------------------------------------------- processes
def binary() -> str:
    return os.environ.get("EMULATOR_BIN") or str(REPO / ".build" / "release" / "openai-emulator")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


try:
    _prctl = ctypes.CDLL("libc.so.6", use_errno=True).prctl
except OSError:  # not Linux
    _prctl = None


def _die_with_parent():
    if _prctl is not None:
        _prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def server_env(extra: dict[str, str] | None) -> dict[str, str]:
    """The test process's environment without EMULATOR_* settings, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("EMULATOR_")}
    env.update(extra or {})
    return env


class Emulator:
    """One openai-emulator process, its port and its output."""

    def __init__(self, flags=(), env=None, *, port: int | None = None, add_address: bool = True):
        self.flags = tuple(flags)
        self.env = dict(env or {})
        self.port = free_port() if port is None else port
        self.log = tempfile.NamedTemporaryFile(prefix="openai-emulator-e2e-", suffix=".log", delete=False)
        argv = [binary(), *self.flags]
        if add_address:
            argv += ["--host", "127.0.0.1", "--port", str(self.port)]
        self.argv = argv
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=self.log, stderr=subprocess.STDOUT,
                                     env=server_env(env), start_new_session=True, preexec_fn=_die_with_parent)
        self.pid = self.proc.pid

    base = property(lambda self: f"http://127.0.0.1:{self.port}")
    v1 = property(lambda self: f"http://127.0.0.1:{self.port}/v1")

    def alive(self) -> bool:
        return self.proc.poll() is None

    def output(self) -> str:
        self.log.flush()
        try:
            return Path(self.log.name).read_bytes().decode("utf-8", "replace")
        except OSError as e:
            return f"(output unreadable: {e})"

    def tail(self, lines: int = LOG_TAIL_LINES) -> str:
        return "\n".join(self.output().splitlines()[-lines:])

    def wait_for_output(self, predicate, timeout: float = 10.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self.output()
            if predicate(text):
                return text
            if not self.alive():
                break
            time.sleep(0.02)
        return self.output()

    def wait_healthy(self, timeout: float = HEALTH_TIMEOUT_S) -> None:
        import httpx

        deadline, last = time.monotonic() + timeout, "no answer"
        while time.monotonic() < deadline:
            if not self.alive():
                raise RuntimeError(f"openai-emulator exited with {self.proc.returncode} before /health answered "
                                   f"({' '.join(self.argv)})\n{self.tail()}")
            try:
                r = httpx.get(self.base + "/health", timeout=1.0)
                if r.status_code == 200:
                    return
                last = f"status {r.status_code}"
            except httpx.HTTPError as e:
                last = repr(e)
            time.sleep(0.03)
        raise RuntimeError(f"no 200 from /health within {timeout:.0f}s ({last}); {' '.join(self.argv)}\n{self.tail()}")

    def signal(self, sig: int) -> None:
        if self.alive():
            os.kill(self.pid, sig)

    def wait(self, timeout: float) -> int:
        return self.proc.wait(timeout=timeout)

    def stop(self, grace: float = STOP_GRACE_S) -> int | None:
        if self.alive():
            try:
                os.kill(self.pid, signal.SIGTERM)
                self.proc.wait(timeout=grace)
            except ProcessLookupError:
                pass
            except subprocess.TimeoutExpired:
                os.kill(self.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        return self.proc.returncode

    def close(self) -> None:
        self.stop()
        self.log.close()
        if not os.environ.get("EMULATOR_KEEP_LOGS"):
            Path(self.log.name).unlink(missing_ok=True)


class Pool:
    """Session-wide servers keyed by (flags, env), plus every process started, for cleanup."""

    def __init__(self):
        self.shared: dict[tuple, Emulator] = {}
        self.everything: list[Emulator] = []
        self.lock = threading.Lock()

    def launch(self, flags=(), env=None, **kwargs) -> Emulator:
        """Starts a process without waiting for it (CLI tests read its output themselves)."""
        emu = Emulator(flags, env, **kwargs)
        with self.lock:
            self.everything.append(emu)
        return emu

    def start(self, flags=(), env=None) -> Emulator:
        last = None
        for _ in range(3):  # the free port can be taken by someone else before the server binds it
            emu = self.launch(flags, env)
            try:
                emu.wait_healthy()
                return emu
            except RuntimeError as e:
                last = e
                emu.stop()
                if "in use" not in emu.output().lower():
                    break
        raise last

    def shared_server(self, flags=(), env=None) -> Emulator:
        key = (tuple(flags), tuple(sorted((env or {}).items())))
        emu = self.shared.get(key)
        if emu is None or not emu.alive():
            emu = self.shared[key] = self.start(flags, env)
        return emu

    def close(self) -> None:
        for emu in self.everything:
            if emu.alive():
                try:
                    os.kill(emu.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        for emu in self.everything:
            emu.close()


def pytest_configure(config):
    config.addinivalue_line("markers", "core: the core server (HTTP, chat completions, streaming, errors, CLI)")
    config.addinivalue_line("markers", "timeout(seconds): pytest-timeout's per-test bound")


@pytest.fixture(scope="session")
def pool():
    p = Pool()
    yield p
    p.close()


@pytest.fixture
def start_server(request, pool):
    """start_server(*flags, env=None, fresh=False) -> Emulator, healthy and listening on 127.0.0.1.

    Without `fresh`, the session shares one server per flag set and environment; a fresh server belongs
    to the calling test and is stopped after it.
    """
    owned: list[Emulator] = []
    used = request.node.__dict__.setdefault("_emulators", [])

    def start(*flags: str, env: dict[str, str] | None = None, fresh: bool = False) -> Emulator:
        if fresh:
            emu = pool.start(flags, env)
            owned.append(emu)
        else:
            emu = pool.shared_server(flags, env)
        used.append(emu)
        return emu

    yield start
    for emu in owned:
        emu.stop()


@pytest.fixture
def launch(request, pool):
    """launch(*flags, env=None, port=None, add_address=True) -> Emulator, not waited for (CLI tests)."""
    owned: list[Emulator] = []
    used = request.node.__dict__.setdefault("_emulators", [])

    def start(*flags: str, env=None, **kwargs) -> Emulator:
        emu = pool.launch(flags, env, **kwargs)
        owned.append(emu)
        used.append(emu)
        return emu

    yield start
    for emu in owned:
        emu.stop()


@pytest.fixture
def server(start_server) -> Emulator:
    """The shared server with default flags."""
    return start_server()


@pytest.fixture
def client(server):
    """The official SDK client for `server`: strict response validation, no retries."""
    c = make_client(server)
    yield c
    c.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if not report.failed:
        return
    seen = set()
    for emu in item.__dict__.get("_emulators", []):
        if id(emu) in seen:
            continue
        seen.add(id(emu))
        state = "running" if emu.alive() else f"exited with {emu.proc.returncode}"
        report.sections.append((f"openai-emulator {' '.join(emu.flags) or '(default flags)'} "
                                f"[pid {emu.pid}, {state}]", emu.tail()))
