"""pytest plugin: the `emulator` fixture (one server per test) and `emulator_session` (one per session,
reset before each test that uses `emulator_session`).

Options: `--emulator-arg=ARG` (repeatable) passes arguments to the server; a test can also ask for its
own with `@pytest.mark.emulator_args("--response-mode", "echo")`.
"""

from __future__ import annotations

import pytest

from .server import EmulatorServer


def pytest_addoption(parser):
    group = parser.getgroup("openai-emulator")
    group.addoption("--emulator-arg", action="append", default=[], dest="emulator_args",
                    help="argument passed to openai-emulator (repeatable)")


def pytest_configure(config):
    config.addinivalue_line("markers", "emulator_args(*args): extra openai-emulator arguments for this test's server")


def _args(request) -> list:
    args = list(request.config.getoption("emulator_args") or [])
    marker = request.node.get_closest_marker("emulator_args")
    if marker is not None:
        args += [str(a) for a in marker.args]
    return args


@pytest.fixture
def emulator(request):
    """A fresh openai-emulator for this test, stopped at its end."""
    server = EmulatorServer(_args(request)).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def emulator_session(request):
    """One openai-emulator for the whole session (call .reset() or use scopes between tests)."""
    server = EmulatorServer(list(request.config.getoption("emulator_args") or [])).start()
    try:
        yield server
    finally:
        server.stop()
