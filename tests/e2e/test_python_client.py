"""The Python helper package clients/python (openai-emulator-testing), installed in the test
environment: its pytest plugin's `emulator` fixture starts the binary and scripts it."""

from __future__ import annotations

import os
import threading
import time

import pytest
from openai import OpenAI

import conftest

# the plugin finds the binary through OPENAI_EMULATOR_BIN; the suite's binary is the one under test
os.environ["OPENAI_EMULATOR_BIN"] = conftest.binary()

from openai_emulator_testing import EmulatorServer  # noqa: E402

pytestmark = pytest.mark.timeout(60)


def sdk(emulator, **headers):
    return OpenAI(base_url=emulator.openai_base_url, api_key="sk-test-key-123456", max_retries=0,
                  default_headers=headers or None)


def test_plugin_is_registered(pytestconfig):
    assert pytestconfig.pluginmanager.has_plugin("openai_emulator")


def test_fixture_scripts_and_verifies(emulator):
    assert emulator.base_url.startswith("http://127.0.0.1:") and emulator.openai_base_url.endswith("/v1")
    added = emulator.add_fixture({"name": "weather", "match": {"last_user": "weather"}, "respond": {"text": "Sunny."}})
    assert added[0]["name"] == "weather"
    c = sdk(emulator)
    r = c.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "weather in Oslo?"}])
    assert r.choices[0].message.content == "Sunny."
    entries = emulator.requests(path="/v1/chat/completions")
    assert len(entries) == 1 and entries[0]["matched_rule"] == "weather"
    assert "sk-test-key-123456" not in str(entries[0]["headers"])
    assert len(emulator.verify({"endpoint": "chat", "last_user": "weather"}, exactly=1)) == 1
    with pytest.raises(AssertionError) as e:
        emulator.verify({"last_user": "Bergen"}, at_least=1)
    assert "expected at least 1" in str(e.value) and "Oslo" in str(e.value)


def test_wait_for_background_requests(emulator):
    c = sdk(emulator)

    def job():
        time.sleep(0.3)
        c.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "async"}])

    t = threading.Thread(target=job, daemon=True)
    t.start()
    got = emulator.wait_for(1, timeout_ms=5000, q="async")
    t.join(5)
    assert got[0]["status"] == 200
    with pytest.raises(AssertionError, match="Timed out"):
        emulator.wait_for(5, timeout_ms=200)


def test_scopes_reset_and_config(emulator):
    emulator.add_fixture([{"respond": {"text": "scope A"}}], scope="A")
    a = sdk(emulator, **{"X-Emulator-Scope": "A"})
    b = sdk(emulator, **{"X-Emulator-Scope": "B"})
    ask = lambda c: c.chat.completions.create(model="m", messages=[{"role": "user", "content": "x"}]).choices[0].message.content  # noqa: E731
    assert ask(a) == "scope A" and ask(b) != "scope A"
    assert len(emulator.requests(scope="A")) == 1 and len(emulator.requests(scope="B")) == 1
    assert emulator.config(faults={"rates": {"503": 1}})["faults"]["rates"] == {"503": 1}
    with pytest.raises(Exception) as e:
        ask(b)
    assert getattr(e.value, "status_code", None) == 503
    emulator.reset()
    assert emulator.config()["faults"]["rates"] == {}
    assert emulator.requests(scope="A") == [] and ask(a) != "scope A"


@pytest.mark.emulator_args("--response-mode", "echo")
def test_marker_passes_server_arguments(emulator):
    r = sdk(emulator).chat.completions.create(model="m", messages=[{"role": "user", "content": "echo me"}])
    assert r.choices[0].message.content == "echo me"


def test_server_class_as_a_context_manager():
    with EmulatorServer(["--response-text", "ctx"]) as emu:
        port = emu.port
        r = sdk(emu).chat.completions.create(model="m", messages=[{"role": "user", "content": "x"}])
        assert r.choices[0].message.content == "ctx"
        proc = emu.process
    assert proc.poll() is not None, f"the server on port {port} should be stopped"
