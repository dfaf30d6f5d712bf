"""Starts an openai-emulator process on a free loopback port and talks to its /_emulator/ API."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from typing import Any, Iterable, Mapping, Optional, Sequence, Union

import httpx

Rule = Mapping[str, Any]


class EmulatorError(RuntimeError):
    """The emulator could not be started, or an admin call failed."""


def find_binary() -> str:
    """$OPENAI_EMULATOR_BIN, else `openai-emulator` on PATH."""
    path = os.environ.get("OPENAI_EMULATOR_BIN") or shutil.which("openai-emulator")
    if not path:
        raise EmulatorError("openai-emulator not found: set OPENAI_EMULATOR_BIN or put it on PATH")
    if not os.access(path, os.X_OK):
        raise EmulatorError(f"openai-emulator at {path} is not executable")
    return path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class EmulatorServer:
    """One emulator process.

    >>> with EmulatorServer(["--response-mode", "echo"]) as emu:
    ...     emu.add_fixture({"respond": {"text": "hi"}})
    """

    def __init__(self, args: Sequence[str] = (), *, binary: Optional[str] = None, scope: Optional[str] = None,
                 admin_key: Optional[str] = None, startup_timeout: float = 20.0, env: Optional[Mapping[str, str]] = None):
        self.binary = binary or find_binary()
        self.args = list(args)
        self.scope = scope
        self.admin_key = admin_key
        self.startup_timeout = startup_timeout
        self.env = dict(env) if env is not None else None
        self.port = 0
        self.process: Optional[subprocess.Popen] = None
        self._log = None
        self._http: Optional[httpx.Client] = None

    # ------------------------------------------------------------------ lifecycle
    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def openai_base_url(self) -> str:
        """The base URL for OpenAI SDKs (ends in /v1)."""
        return self.base_url + "/v1"

    def start(self) -> "EmulatorServer":
        if self.process is not None:
            return self
        last_error = "no attempt"
        for _ in range(3):  # the free port may be taken before the server binds it
            self.port = _free_port()
            self._log = tempfile.NamedTemporaryFile(prefix="openai-emulator-", suffix=".log", delete=False)
            argv = [self.binary, *self.args, "--host", "127.0.0.1", "--port", str(self.port), "--drain-delay", "0"]
            if self.admin_key and "--admin-key" not in self.args:
                argv += ["--admin-key", self.admin_key]
            env = {k: v for k, v in (self.env if self.env is not None else os.environ).items()}
            self.process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT,
                                            env=env, start_new_session=True)
            try:
                self._wait_healthy()
                headers = {}
                if self.admin_key:
                    headers["X-Admin-Key"] = self.admin_key
                self._http = httpx.Client(base_url=self.base_url, headers=headers, timeout=30.0, trust_env=False)
                return self
            except EmulatorError as e:
                last_error = str(e)
                self.stop()
                if "in use" not in last_error.lower():
                    break
        raise EmulatorError(last_error)

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        with httpx.Client(timeout=1.0, trust_env=False) as c:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise EmulatorError(f"openai-emulator exited with {self.process.returncode}: {self.output()[-2000:]}")
                try:
                    if c.get(self.base_url + "/health").status_code == 200:
                        return
                except httpx.HTTPError:
                    pass
                time.sleep(0.03)
        raise EmulatorError(f"openai-emulator did not answer /health within {self.startup_timeout}s: {self.output()[-2000:]}")

    def output(self) -> str:
        """What the server printed so far."""
        if self._log is None:
            return ""
        self._log.flush()
        try:
            with open(self._log.name, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def stop(self, grace: float = 5.0) -> None:
        if self._http is not None:
            self._http.close()
            self._http = None
        p, self.process = self.process, None
        if p is not None and p.poll() is None:
            try:
                p.send_signal(signal.SIGTERM)
                p.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(timeout=10)
            except ProcessLookupError:
                pass
        if self._log is not None:
            self._log.close()
            try:
                os.unlink(self._log.name)
            except OSError:
                pass
            self._log = None

    def __enter__(self) -> "EmulatorServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # ------------------------------------------------------------------ admin API
    def _call(self, method: str, path: str, *, scope: Optional[str] = None, ok: Iterable[int] = (200, 201),
              **kwargs) -> httpx.Response:
        if self._http is None:
            raise EmulatorError("the emulator is not running")
        headers = dict(kwargs.pop("headers", None) or {})
        scope = scope if scope is not None else self.scope
        if scope is not None:
            headers["X-Emulator-Scope"] = scope
        r = self._http.request(method, path, headers=headers, **kwargs)
        if r.status_code not in tuple(ok):
            raise EmulatorError(f"{method} {path}: {r.status_code} {r.text}")
        return r

    def add_fixture(self, rule: Union[Rule, Sequence[Rule]], scope: Optional[str] = None) -> list:
        """Adds one rule or a list of rules; returns them as stored (with their ids)."""
        return self._call("POST", "/_emulator/fixtures", json=rule if isinstance(rule, Mapping) else list(rule),
                          scope=scope).json()["data"]

    def fixtures(self, scope: Optional[str] = None) -> list:
        return self._call("GET", "/_emulator/fixtures", scope=scope).json()["data"]

    def clear_fixtures(self, scope: Optional[str] = None) -> None:
        self._call("DELETE", "/_emulator/fixtures", scope=scope)

    @staticmethod
    def _params(filters: Mapping[str, Any]) -> dict:
        return {k: v for k, v in filters.items() if v is not None}

    def requests(self, scope: Optional[str] = None, **filters) -> list:
        """Journal entries, oldest first; filters: path, method, model, rule, since, q, status, limit."""
        return self._call("GET", "/_emulator/requests", params=self._params(filters), scope=scope).json()["data"]

    def clear_requests(self, scope: Optional[str] = None) -> None:
        self._call("DELETE", "/_emulator/requests", scope=scope)

    def wait_for(self, count: int = 1, timeout_ms: int = 5000, scope: Optional[str] = None, **filters) -> list:
        """Waits until `count` requests that pass the filters have finished; AssertionError on timeout."""
        params = self._params(filters)
        params.update(count=count, timeout_ms=timeout_ms)
        r = self._call("GET", "/_emulator/requests/wait", params=params, scope=scope, ok=(200, 408),
                       timeout=timeout_ms / 1000 + 10)
        if r.status_code == 408:
            raise AssertionError(r.json()["error"]["message"])
        return r.json()["data"]

    def verify(self, match: Optional[Rule] = None, *, exactly: Optional[int] = None, at_least: Optional[int] = None,
               at_most: Optional[int] = None, scope: Optional[str] = None) -> list:
        """Asserts how many recorded requests match; returns them. AssertionError with the server's diff on a miss."""
        given = {k: v for k, v in (("exactly", exactly), ("at_least", at_least), ("at_most", at_most)) if v is not None}
        if len(given) > 1:
            raise ValueError("give one of exactly, at_least, at_most")
        body = {"match": dict(match or {}), "count": given or {"at_least": 1}}
        r = self._call("POST", "/_emulator/verify", json=body, scope=scope, ok=(200, 409))
        if r.status_code == 409:
            raise AssertionError(r.json()["diff"])
        return r.json()["requests"]

    def delete_scope(self, name: str) -> None:
        self._call("DELETE", f"/_emulator/scopes/{name}")

    def reset(self) -> None:
        """Back to the start state: no runtime fixtures, an empty journal, the start settings."""
        self._call("POST", "/_emulator/reset")

    def config(self, **patch) -> dict:
        """Without arguments, the load settings; with some, PATCHes them and returns the result."""
        if not patch:
            return self._call("GET", "/_emulator/config").json()
        return self._call("PATCH", "/_emulator/config", json=patch).json()

    def metrics(self) -> str:
        """The Prometheus text of GET /metrics."""
        return self._call("GET", "/metrics").text
