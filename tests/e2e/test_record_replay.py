"""Record and replay through the proxy: a second emulator is the upstream; the proxy forwards
requests unchanged (streams included), writes each exchange as a fixture, and a third instance
replays them with the same content and the observed stream timing."""

from __future__ import annotations

import json
import subprocess
import time

import httpx
import pytest
from openai.types.chat import ChatCompletion

from conftest import binary
from support import MODEL, make_client

UPSTREAM_TEXT = "one two three four five six seven eight"


def stream_times(base: str, body: dict) -> tuple[list[float], str]:
    """Arrival times (from the request) of each content delta, and the assembled text."""
    times, text = [], ""
    t0 = time.monotonic()
    with httpx.stream("POST", base + "/chat/completions", json=dict(body, stream=True), timeout=20) as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        for line in r.iter_lines():
            if line.startswith("data: {"):
                delta = json.loads(line[6:])["choices"][0]["delta"].get("content")
                if delta:
                    times.append(time.monotonic() - t0)
                    text += delta
    return times, text


@pytest.mark.timeout(90)
def test_proxy_records_and_replay_reproduces_content_and_timing(start_server, tmp_path):
    upstream = start_server("--response-text", UPSTREAM_TEXT, "--ttft-ms", "300", "--itl-ms", "60", fresh=True)
    record = tmp_path / "recorded.json"
    proxy = start_server("--proxy-to", upstream.base, "--record", str(record), fresh=True)
    body = {"model": MODEL, "messages": [{"role": "user", "content": "record me"}]}

    plain = make_client(proxy).chat.completions.create(**body)
    assert plain.choices[0].message.content == UPSTREAM_TEXT

    streamed_body = {"model": MODEL, "messages": [{"role": "user", "content": "stream me"}]}
    proxied_times, proxied_text = stream_times(proxy.v1, streamed_body)
    assert proxied_text == UPSTREAM_TEXT
    assert proxied_times[0] >= 0.25, f"the proxy forwards the upstream's time to first token: {proxied_times[0]:.3f}s"
    assert proxied_times[-1] - proxied_times[0] >= 0.6 * 0.060 * (len(proxied_times) - 1), "frames are passed through as they come"

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if record.exists() and len(json.loads(record.read_text()).get("fixtures", [])) == 2:
            break
        time.sleep(0.1)
    recorded = json.loads(record.read_text())["fixtures"]
    assert len(recorded) == 2
    assert {r["match"]["last_user"]["equals"] for r in recorded} == {"record me", "stream me"}

    replay = start_server("--replay", str(record), fresh=True)
    again = ChatCompletion.model_validate(httpx.post(replay.v1 + "/chat/completions", json=body, timeout=10).json())
    assert again.choices[0].message.content == UPSTREAM_TEXT
    assert again.id == plain.id, "a replay answers the recorded bytes"
    replay_times, replay_text = stream_times(replay.v1, streamed_body)
    assert replay_text == UPSTREAM_TEXT
    assert replay_times[0] >= 0.25, f"replay reproduces the time to first token: {replay_times[0]:.3f}s"
    assert abs((replay_times[-1] - replay_times[0]) - (proxied_times[-1] - proxied_times[0])) < 0.25


def test_proxy_reports_an_unreachable_upstream(start_server):
    proxy = start_server("--proxy-to", "http://127.0.0.1:9", fresh=True)
    r = httpx.post(proxy.v1 + "/chat/completions", json={"model": MODEL, "messages": [{"role": "user", "content": "x"}]},
                   timeout=20)
    assert r.status_code == 502
    assert r.json()["error"]["code"] == "upstream_error"
    assert httpx.get(proxy.base + "/health", timeout=5).status_code == 200


def upstream_journal(upstream) -> list[dict]:
    r = httpx.get(upstream.base + "/_emulator/requests", timeout=10)
    assert r.status_code == 200, r.text
    return r.json()["data"]


def test_proxy_forwards_methods_queries_headers_and_bodies_unchanged(start_server):
    upstream = start_server(fresh=True)
    proxy = start_server("--proxy-to", upstream.base + "/", fresh=True)

    models = httpx.get(proxy.v1 + "/models", params={"note": "a b&c=d/é"},
                       headers={"Authorization": "Bearer sk-forwarded", "X-Trace": "t-1"}, timeout=10)
    assert models.status_code == 200
    assert models.headers["content-type"].startswith("application/json")
    assert models.json() == httpx.get(upstream.v1 + "/models", timeout=10).json()
    seen = upstream_journal(upstream)
    assert seen[0]["method"] == "GET" and seen[0]["path"] == "/v1/models"
    assert seen[0]["query"] == {"note": "a b&c=d/é"}, "query values are re-encoded, not mangled"
    assert seen[0]["headers"]["authorization"].startswith("Bearer "), "the API key goes upstream"
    assert seen[0]["headers"]["x-trace"] == "t-1"

    # A body above 1 MiB goes in one request, without waiting for a 100 Continue.
    long_text = "word " * 260_000
    body = {"model": MODEL, "messages": [{"role": "user", "content": long_text}], "max_tokens": 5}
    r = httpx.post(proxy.v1 + "/chat/completions", json=body, timeout=30)
    assert r.status_code == 200, r.text
    assert r.json()["usage"]["prompt_tokens"] > 250_000
    last = upstream_journal(upstream)[-1]
    assert last["method"] == "POST" and last["path"] == "/v1/chat/completions"
    assert "expect" not in last["headers"]


def test_proxy_passes_upstream_errors_through_with_their_status_and_body(start_server):
    upstream = start_server(fresh=True)
    proxy = start_server("--proxy-to", upstream.base, fresh=True)
    bad = {"model": MODEL}
    direct = httpx.post(upstream.v1 + "/chat/completions", json=bad, timeout=10)
    proxied = httpx.post(proxy.v1 + "/chat/completions", json=bad, timeout=10)
    assert direct.status_code == proxied.status_code == 400
    assert proxied.json()["error"] == direct.json()["error"]
    assert proxied.json()["error"]["param"] == "messages"
    gone = httpx.delete(proxy.v1 + "/responses/resp_missing", timeout=10)
    assert gone.status_code == 404
    assert gone.json()["error"]["type"] == "invalid_request_error"
    assert upstream_journal(upstream)[-1]["method"] == "DELETE"


def test_libcurl_is_loaded_only_by_a_server_with_an_upstream(start_server):
    plain = start_server(fresh=True)
    upstream = start_server(fresh=True)
    proxy = start_server("--proxy-to", upstream.base, fresh=True)

    def loads_libcurl(server) -> bool:
        with open(f"/proc/{server.pid}/maps") as maps:
            return "libcurl" in maps.read()

    assert not loads_libcurl(plain), "a server without --proxy-to must not load libcurl and its libraries"
    assert loads_libcurl(proxy)


def test_proxy_to_must_be_an_http_url():
    done = subprocess.run([binary(), "--proxy-to", "ftp://example.com", "--port", "0"],
                          capture_output=True, text=True, timeout=20)
    assert done.returncode != 0
    assert "--proxy-to" in done.stderr + done.stdout
    assert "http" in done.stderr + done.stdout


def test_record_needs_proxy_to():
    done = subprocess.run([binary(), "--record", "/tmp/never-written.json", "--port", "0"],
                          capture_output=True, text=True, timeout=20)
    assert done.returncode != 0
    assert "--proxy-to" in done.stderr + done.stdout
