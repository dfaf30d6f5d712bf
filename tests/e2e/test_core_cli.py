"""The command line and the process: start-up line, --port 0, logs, --help, bad flags, environment
variables, and graceful shutdown on SIGTERM/SIGINT with streams in flight."""

from __future__ import annotations

import json
import re
import signal
import socket
import subprocess
import threading
import time

import httpx
import pytest

from conftest import binary, server_env
from support import CHAT, MODEL, RawConnection, chunks_of, content_of, request_bytes, sse_data

pytestmark = pytest.mark.core

LISTENING = re.compile(r"openai-emulator (\S+) listening on http://127\.0\.0\.1:(\d+) \(threads: (\d+)\)")

ALL_FLAGS = ["--host", "--port", "--threads", "--max-connections", "--connection-timeout", "--max-body-bytes",
             "--connection-memory-limit", "--api-key", "--response-text", "--ttft-ms", "--itl-ms",
             "--shutdown-grace", "--log-level", "--log-format", "--verbose", "--help"]


def run(*args, env=None, timeout=20) -> subprocess.CompletedProcess:
    return subprocess.run([binary(), *args], capture_output=True, text=True, timeout=timeout, env=server_env(env),
                          stdin=subprocess.DEVNULL)


def test_port_0_picks_a_port_and_prints_it(launch):
    emu = launch("--host", "127.0.0.1", "--port", "0", "--threads", "3", add_address=False)
    out = emu.wait_for_output(LISTENING.search)
    m = LISTENING.search(out)
    assert m, f"no start-up line in: {out!r}"
    port = int(m.group(2))
    assert port > 0 and m.group(3) == "3"
    assert re.match(r"^\d+\.\d+\.\d+", m.group(1)), m.group(1)
    assert httpx.get(f"http://127.0.0.1:{port}/health", timeout=10).json() == {"status": "ok"}


def test_start_up_line_names_the_given_port(start_server):
    emu = start_server(fresh=True)
    out = emu.wait_for_output(LISTENING.search)
    assert int(LISTENING.search(out).group(2)) == emu.port


def test_one_access_log_line_per_request(start_server):
    emu = start_server(fresh=True)
    rid = httpx.get(emu.base + "/v1/no-such-thing", timeout=10).headers["x-request-id"]
    out = emu.wait_for_output(lambda t: rid in t, timeout=5)
    lines = [line for line in out.splitlines() if rid in line]
    assert len(lines) == 1, lines
    for word in ("GET", "/v1/no-such-thing", "404"):
        assert word in lines[0], lines[0]


def test_log_format_json_gives_json_lines(start_server):
    emu = start_server("--log-format", "json", fresh=True)
    rid = httpx.post(emu.v1 + "/chat/completions", json=CHAT, timeout=10).headers["x-request-id"]
    out = emu.wait_for_output(lambda t: rid in t, timeout=5)
    lines = [line for line in out.splitlines() if line.strip()]
    assert len(lines) >= 2
    records = []
    for line in lines:
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            pytest.fail(f"not a JSON line: {line!r}")
    assert all(isinstance(r, dict) for r in records)
    start = records[0]
    assert start.get("port") == emu.port, start
    access = [r for r in records if rid in json.dumps(r)]
    assert len(access) == 1, access
    text = json.dumps(access[0])
    assert "POST" in text and "/v1/chat/completions" in text and "200" in text


def test_verbose_logs_request_and_answer_bodies(start_server):
    emu = start_server("--verbose", fresh=True)
    httpx.post(emu.v1 + "/chat/completions", json={"model": "verbose-marker-model", "messages": CHAT["messages"]},
               timeout=10)
    out = emu.wait_for_output(lambda t: t.count("verbose-marker-model") >= 2, timeout=5)
    assert out.count("verbose-marker-model") >= 2, "the request and the answer body are both logged"


def test_help_lists_every_flag_and_the_environment():
    r = run("--help")
    assert r.returncode == 0, r.stderr
    text = r.stdout + r.stderr
    for flag in ALL_FLAGS:
        assert flag in text, f"--help does not mention {flag}"
    assert "EMULATOR_" in text


def test_version_flag():
    r = run("--version")
    assert r.returncode == 0
    assert re.match(r"^\d+\.\d+\.\d+", r.stdout.strip()), r.stdout


@pytest.mark.parametrize("args,words", [
    (["--port", "70000"], ["port"]),
    (["--port", "abc"], ["port"]),
    (["--threads", "0"], ["threads"]),
    (["--max-connections", "0"], ["max-connections"]),
    (["--max-body-bytes", "0"], ["max-body-bytes"]),
    (["--connection-timeout", "-1"], ["connection-timeout"]),
    (["--ttft-ms", "-5"], ["ttft-ms"]),
    (["--itl-ms", "fast"], ["itl-ms"]),
    (["--shutdown-grace", "-1"], ["shutdown-grace"]),
    (["--log-level", "loud"], ["log-level"]),
    (["--log-format", "xml"], ["log-format"]),
    (["--no-such-flag"], ["no-such-flag"]),
], ids=lambda v: " ".join(v) if isinstance(v, list) and v and v[0].startswith("-") else None)
def test_invalid_flag_values_exit_non_zero_with_a_message(args, words):
    r = run("--host", "127.0.0.1", *args)
    assert r.returncode != 0, f"{args} was accepted"
    text = r.stderr + r.stdout
    for w in words:
        assert w in text, f"the message should name {w}: {text!r}"
    assert "listening" not in text


def test_invalid_environment_value_exits_non_zero():
    r = run("--host", "127.0.0.1", env={"EMULATOR_PORT": "not-a-port"})
    assert r.returncode != 0
    assert "port" in (r.stderr + r.stdout)


def test_environment_variables_set_flags_and_flags_win(launch):
    emu = launch("--host", "127.0.0.1", "--port", "0", add_address=False,
                 env={"EMULATOR_PORT": "1", "EMULATOR_THREADS": "2", "EMULATOR_ITL_MS": "7"})
    m = LISTENING.search(emu.wait_for_output(LISTENING.search))
    assert m and int(m.group(2)) != 1, "--port wins over EMULATOR_PORT"
    assert m.group(3) == "2", "EMULATOR_THREADS is read"


def test_port_in_use_exits_non_zero_with_a_message():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        port = s.getsockname()[1]
        r = run("--host", "127.0.0.1", "--port", str(port))
    assert r.returncode != 0
    assert str(port) in (r.stdout + r.stderr)


# --------------------------------------------------------------------------- signals and graceful shutdown
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_signal_stops_an_idle_server_with_status_0(start_server, sig):
    # --drain-delay 0: SIGTERM would otherwise keep serving (with /ready at 503) for the default 5 s.
    emu = start_server("--drain-delay", "0", fresh=True)
    assert httpx.post(emu.v1 + "/chat/completions", json=CHAT, timeout=10).status_code == 200
    t0 = time.monotonic()
    emu.signal(sig)
    assert emu.wait(timeout=10) == 0
    assert time.monotonic() - t0 < 3, "an idle server stops at once"


def read_stream_in_background(emu, body):
    """Starts a stream and reads it on a thread; returns (thread, result dict, head-arrived event)."""
    result: dict = {}
    ready = threading.Event()

    def reader():
        try:
            with RawConnection(emu.port, timeout=30) as c:
                c.send(request_bytes("POST", "/v1/chat/completions", dict(body, stream=True)))
                head = c.read_response(head_only=True)
                result["status"] = head.status
                ready.set()
                # the rest of the chunked body, decoded by hand since the head is consumed
                raw = c.read_until_closed(deadline_s=30)
                result["raw"] = raw
        except Exception as e:  # noqa: BLE001 - reported by the test
            result["error"] = repr(e)
            ready.set()

    t = threading.Thread(target=reader, daemon=True)
    t.start()
    return t, result, ready


def dechunk(raw: bytes) -> tuple[bytes, bool]:
    """Decodes a chunked body; returns (body, complete) where complete means the 0-size chunk arrived."""
    body, rest = b"", raw
    while b"\r\n" in rest:
        size_line, _, rest = rest.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            return body, True
        body, rest = body + rest[:size], rest[size + 2:]
    return body, False


@pytest.mark.timeout(60)
def test_sigterm_lets_an_open_paced_stream_finish_then_exits_0(start_server):
    words = " ".join(f"w{i}" for i in range(30))
    emu = start_server("--itl-ms", "50", "--response-text", words, "--shutdown-grace", "10", "--drain-delay", "0",
                       fresh=True)
    t, result, ready = read_stream_in_background(emu, CHAT)
    assert ready.wait(10) and result.get("status") == 200, result
    time.sleep(0.3)
    t0 = time.monotonic()
    emu.signal(signal.SIGTERM)
    # new connections are refused while draining
    time.sleep(0.2)
    with pytest.raises((httpx.HTTPError, OSError)):
        httpx.get(emu.base + "/health", timeout=2)
    assert emu.wait(timeout=15) == 0
    took = time.monotonic() - t0
    t.join(10)
    assert "error" not in result, result
    body, complete = dechunk(result["raw"])
    assert complete, "the stream was cut instead of finishing"
    chunks = chunks_of(sse_data(body[body.index(b"data: "):]))
    assert content_of(chunks) == words, "every token arrived"
    assert took < 5, f"exit took {took:.1f} s although the stream needed about 1.5 s"


@pytest.mark.timeout(60)
def test_sigterm_with_a_short_grace_cuts_a_long_stream_and_exits_0_quickly(start_server):
    words = " ".join(["long"] * 400)
    emu = start_server("--itl-ms", "100", "--response-text", words, "--shutdown-grace", "0.5", "--drain-delay", "0",
                       fresh=True)
    t, result, ready = read_stream_in_background(emu, CHAT)
    assert ready.wait(10) and result.get("status") == 200, result
    time.sleep(0.3)
    t0 = time.monotonic()
    emu.signal(signal.SIGTERM)
    assert emu.wait(timeout=10) == 0
    took = time.monotonic() - t0
    assert took < 3.0, f"exit took {took:.1f} s with --shutdown-grace 0.5"
    t.join(10)
    assert not t.is_alive(), "the client's connection was closed"
    _, complete = dechunk(result.get("raw", b""))
    assert not complete, "a 40 s stream cannot have completed"


@pytest.mark.timeout(60)
def test_sigterm_with_a_delayed_non_stream_answer_in_flight(start_server):
    emu = start_server("--ttft-ms", "800", "--shutdown-grace", "5", fresh=True)
    out: dict = {}

    def call():
        try:
            out["r"] = httpx.post(emu.v1 + "/chat/completions", json=CHAT, timeout=20)
        except httpx.HTTPError as e:
            out["e"] = e

    t = threading.Thread(target=call, daemon=True)
    t.start()
    time.sleep(0.3)
    emu.signal(signal.SIGTERM)
    assert emu.wait(timeout=15) == 0
    t.join(10)
    assert "r" in out and out["r"].status_code == 200, out
    assert out["r"].json()["model"] == MODEL


def test_sigterm_drains_for_the_drain_delay_while_still_serving(start_server):
    emu = start_server("--drain-delay", "1.5", fresh=True)
    t0 = time.monotonic()
    emu.signal(signal.SIGTERM)
    time.sleep(0.3)
    assert httpx.get(emu.base + "/ready", timeout=5).status_code == 503, "not ready while draining"
    assert httpx.post(emu.v1 + "/chat/completions", json=CHAT, timeout=5).status_code == 200, "still serving"
    assert emu.wait(timeout=15) == 0
    assert time.monotonic() - t0 >= 1.4, "the drain delay is honoured"
