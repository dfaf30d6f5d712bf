"""Every fault kind through the official SDK (error classes, retries, broken streams), fault scripts
counted per key / per model / over all, fault rates, and the metrics that count them."""

from __future__ import annotations

import json
import time

import httpx
import openai
import pytest

from helpers_mock import api, chat, journal, metrics
from support import MODEL, assert_error, make_client

pytestmark = pytest.mark.timeout(90)

BASE = ("--response-mode", "lorem", "--output-tokens", "20", "--drain-delay", "0")
MSG = [{"role": "user", "content": "Say hello."}]


def fault(kind):
    return {"extra_headers": {"X-Emulator-Fault": kind}}


@pytest.fixture
def emu(start_server):
    e = start_server(*BASE)
    api(e, "PATCH", "/_emulator/config", json={"gateway_timeout_ms": 200})
    return e


@pytest.mark.parametrize("kind,cls,status", [
    ("429", openai.RateLimitError, 429),
    ("500", openai.InternalServerError, 500),
    ("502", openai.InternalServerError, 502),
    ("503", openai.InternalServerError, 503),
    ("504", openai.InternalServerError, 504),
])
def test_status_faults_raise_the_sdk_error_class(emu, kind, cls, status):
    c = make_client(emu)
    with pytest.raises(cls) as e:
        c.chat.completions.create(model=MODEL, messages=MSG, **fault(kind))
    assert e.value.status_code == status
    assert_error(e.value.response.json(), type_=..., code=...)
    if status in (429, 503):
        assert int(e.value.response.headers["retry-after"]) >= 1
    if status == 429:
        assert e.value.response.headers["retry-after-ms"] == "1000"


def test_504_answers_after_the_gateway_delay(emu):
    t0 = time.monotonic()
    r = chat(emu, headers={"X-Emulator-Fault": "504"})
    assert r.status_code == 504 and time.monotonic() - t0 >= 0.19


def test_status_faults_on_every_endpoint(emu):
    h = {"X-Emulator-Fault": "500", "Authorization": "Bearer k"}
    for path, body in [("/v1/responses", {"model": MODEL, "input": "hi"}),
                       ("/v1/completions", {"model": "gpt-3.5-turbo-instruct", "prompt": "hi"}),
                       ("/v1/embeddings", {"model": "text-embedding-3-small", "input": "hi"})]:
        r = api(emu, "POST", path, json=body, headers=h)
        assert r.status_code == 500, (path, r.text)
        assert_error(r.json(), type_="server_error")
    r = api(emu, "POST", "/v1/messages", json={"model": "claude-3-5-haiku-latest", "max_tokens": 20, "messages": MSG},
            headers={"X-Emulator-Fault": "500", "x-api-key": "k", "anthropic-version": "2023-06-01"})
    assert r.status_code == 500 and r.json()["type"] == "error", r.text


def test_timeout_fault_makes_the_sdk_time_out(emu):
    c = make_client(emu, timeout=1.0)
    t0 = time.monotonic()
    with pytest.raises(openai.APITimeoutError):
        c.chat.completions.create(model=MODEL, messages=MSG, **fault("timeout"))
    assert 0.9 <= time.monotonic() - t0 <= 5


def test_reset_fault_is_a_connection_error(emu):
    c = make_client(emu)
    with pytest.raises(openai.APIConnectionError):
        c.chat.completions.create(model=MODEL, messages=MSG, **fault("reset"))


def consume(stream):
    text = ""
    for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            text += chunk.choices[0].delta.content
    return text


def test_disconnect_mid_stream_breaks_the_iteration(emu):
    c = make_client(emu)
    stream = c.chat.completions.create(model=MODEL, messages=MSG, stream=True, **fault("disconnect@3"))
    with pytest.raises((openai.APIError, httpx.HTTPError)):
        consume(stream)


def test_stall_mid_stream_times_out(emu):
    c = make_client(emu, timeout=1.0)
    t0 = time.monotonic()
    stream = c.chat.completions.create(model=MODEL, messages=MSG, stream=True, **fault("stall@2"))
    with pytest.raises((openai.APITimeoutError, httpx.ReadTimeout)):
        consume(stream)
    assert time.monotonic() - t0 < 5


def test_error_event_raises_api_error(emu):
    c = make_client(emu)
    stream = c.chat.completions.create(model=MODEL, messages=MSG, stream=True, **fault("error-event@2"))
    with pytest.raises(openai.APIError) as e:
        consume(stream)
    assert "server had an error" in str(e.value.message)


def test_malformed_frame_fails_to_parse(emu):
    c = make_client(emu)
    stream = c.chat.completions.create(model=MODEL, messages=MSG, stream=True, **fault("malformed@2"))
    with pytest.raises(ValueError):
        consume(stream)


def test_no_done_ends_the_stream_without_done(emu):
    with httpx.stream("POST", emu.v1 + "/chat/completions", json={"model": MODEL, "messages": MSG, "stream": True},
                      headers={"X-Emulator-Fault": "no-done"}, timeout=10) as r:
        data = [line[6:] for line in r.iter_lines() if line.startswith("data: ")]
    assert data and "[DONE]" not in data
    for d in data:
        json.loads(d)
    # the SDK ends quietly: the client must notice the missing [DONE] itself
    text = consume(make_client(emu).chat.completions.create(model=MODEL, messages=MSG, stream=True, **fault("no-done")))
    assert text


def test_mid_stream_faults_on_responses_and_messages(emu):
    c = make_client(emu)
    # the Responses API's error event ({"type": "error", "code", "message"}) reaches the SDK as an event
    types = [e.type for e in c.responses.create(model=MODEL, input="hi", stream=True, **fault("error-event@2"))]
    assert types[-1] == "error" and "response.completed" not in types, types
    import anthropic

    a = anthropic.Anthropic(base_url=emu.base, api_key="k", max_retries=0)
    with pytest.raises(anthropic.APIError):
        with a.messages.stream(model="claude-3-5-haiku-latest", max_tokens=20, messages=MSG,
                               extra_headers={"X-Emulator-Fault": "error-event@2"}) as s:
            for _ in s:
                pass


def test_invalid_fault_header_is_400(emu):
    r = chat(emu, headers={"X-Emulator-Fault": "explode"})
    assert r.status_code == 400
    assert_error(r.json(), param="X-Emulator-Fault")


# --------------------------------------------------------------------------- scripts and retries
def test_sdk_retries_through_first_2_500(start_server):
    emu = start_server("--fault-script", "first 2 500", *BASE, fresh=True)
    c = make_client(emu, max_retries=3, api_key="sk-retry")
    r = c.chat.completions.create(model=MODEL, messages=MSG)
    assert r.choices[0].message.content
    entries = journal(emu)
    assert [e["status"] for e in entries] == [500, 500, 200]
    # a second key has its own count
    c2 = make_client(emu, max_retries=0, api_key="sk-second")
    with pytest.raises(openai.InternalServerError):
        c2.chat.completions.create(model=MODEL, messages=MSG)
    assert metrics(emu).value("emulator_faults_total", kind="500") == 3


def test_sdk_retries_429_with_retry_after(start_server):
    emu = start_server("--fault-script", "first 2 429", *BASE, fresh=True)
    c = make_client(emu, max_retries=2)
    t0 = time.monotonic()
    c.chat.completions.create(model=MODEL, messages=MSG)
    elapsed = time.monotonic() - t0
    assert [e["status"] for e in journal(emu)] == [429, 429, 200]
    assert elapsed >= 1.8, f"the SDK should honour retry-after-ms 1000 twice, took {elapsed:.2f}s"


def test_sdk_gives_up_after_max_retries(start_server):
    emu = start_server("--fault-script", "first 5 503", *BASE, fresh=True)
    c = make_client(emu, max_retries=1)
    with pytest.raises(openai.InternalServerError):
        c.chat.completions.create(model=MODEL, messages=MSG)
    assert len(journal(emu)) == 2


def test_every_nth_request_per_all(start_server):
    emu = start_server("--fault-script", "every 3 500 per all", *BASE, fresh=True)
    codes = [chat(emu, headers={"Authorization": f"Bearer k{i % 2}"}).status_code for i in range(9)]
    assert codes == [200, 200, 500] * 3


def test_first_n_per_model(start_server):
    emu = start_server("--fault-script", "first 1 503 per model", *BASE, fresh=True)
    codes = [chat(emu, model=m, headers={"Authorization": f"Bearer {k}"}).status_code
             for m, k in [("m-a", "x"), ("m-a", "y"), ("m-b", "x"), ("m-b", "y")]]
    assert codes == [503, 200, 503, 200]


def test_script_limited_to_a_model_glob(start_server):
    emu = start_server("--fault-script", "first 2 500 model gpt-4o*", *BASE, fresh=True)
    assert chat(emu, model="o3-mini").status_code == 200
    assert [chat(emu, model="gpt-4o").status_code for _ in range(3)] == [500, 500, 200]


def test_time_window_script(start_server):
    t_start = time.monotonic()
    emu = start_server("--fault-script", "0s-2s 503 per all", *BASE, fresh=True)
    assert chat(emu).status_code == 503
    time.sleep(max(0.0, 2.6 - (time.monotonic() - t_start)))
    assert chat(emu).status_code == 200


def test_mid_stream_script_with_chunk_count(start_server):
    emu = start_server("--fault-script", "first 1 disconnect@4", *BASE, fresh=True)
    c = make_client(emu)
    with pytest.raises((openai.APIError, httpx.HTTPError)):
        consume(c.chat.completions.create(model=MODEL, messages=MSG, stream=True))
    assert consume(c.chat.completions.create(model=MODEL, messages=MSG, stream=True))


def test_fault_rate_draws_about_the_configured_share(start_server):
    emu = start_server("--fault-rate", "500=0.3,502=0.1", "--seed", "9", *BASE, fresh=True)
    codes = [chat(emu).status_code for _ in range(300)]
    share500, share502 = codes.count(500) / 300, codes.count(502) / 300
    assert 0.22 <= share500 <= 0.38 and 0.05 <= share502 <= 0.16, (share500, share502)
    assert set(codes) <= {200, 500, 502}
    m = metrics(emu)
    assert m.value("emulator_faults_total", kind="500") == codes.count(500)
    assert m.value("emulator_faults_total", kind="502") == codes.count(502)


def test_fault_metrics_by_kind_for_stream_faults(start_server):
    emu = start_server(*BASE, fresh=True)
    for kind in ("disconnect@2", "error-event@2", "no-done", "malformed@2"):
        with httpx.stream("POST", emu.v1 + "/chat/completions", json={"model": MODEL, "messages": MSG, "stream": True},
                          headers={"X-Emulator-Fault": kind}, timeout=10) as r:
            try:
                for _ in r.iter_bytes():
                    pass
            except httpx.HTTPError:
                pass
    m = metrics(emu)
    for kind in ("disconnect", "error-event", "no-done", "malformed"):
        assert m.value("emulator_faults_total", kind=kind) == 1, (kind, m.text)
