"""Streaming on the wire: SSE framing, chunk contents, pacing (--itl-ms, --ttft-ms) measured per frame."""

from __future__ import annotations

import json
import statistics
import time

import httpx
import pytest
from openai.types.chat import ChatCompletion, ChatCompletionChunk

from support import (CHAT, CHAT_ID, DEFAULT_TEXT, MODEL, USER_HI, RawConnection, chunks_of, content_of, raw_request,
                     request_bytes, sse_data, sse_frames, timed_data_frames)

pytestmark = pytest.mark.core

TEN_TOKENS = "one two three four five six seven eight nine ten"


def stream_raw(emu, body, **kw):
    r = raw_request(emu.port, "POST", "/v1/chat/completions", dict(body, stream=True), **kw)
    assert r.status == 200, r.body[:300]
    return r


def test_stream_headers(server):
    r = stream_raw(server, CHAT)
    assert r.header("content-type").startswith("text/event-stream")
    assert "no-cache" in r.header("cache-control")
    assert r.chunked and "content-length" not in r.headers
    assert r.header("x-request-id") and r.header("access-control-allow-origin") == "*"


def test_stream_wire_format(server):
    r = stream_raw(server, CHAT)
    raw = r.body.decode()
    assert raw.startswith("data: {") and raw.endswith("data: [DONE]\n\n")
    frames = sse_frames(raw)
    assert all(f.startswith("data: ") and "\n" not in f for f in frames), "every frame is exactly one data: line"
    chunks = chunks_of(sse_data(raw))
    for c in chunks:
        ChatCompletionChunk.model_validate(c)
        assert c["object"] == "chat.completion.chunk"
        assert "usage" not in c or c["usage"] is None
        assert len(c["choices"]) == 1 and c["choices"][0]["index"] == 0
    assert len({(c["id"], c["created"], c["model"], c["system_fingerprint"]) for c in chunks}) == 1
    assert CHAT_ID.match(chunks[0]["id"]) and chunks[0]["model"] == MODEL
    first = chunks[0]["choices"][0]
    assert first["delta"].get("role") == "assistant" and first["delta"].get("content") == ""
    assert first["finish_reason"] is None
    last = chunks[-1]["choices"][0]
    assert last["delta"] == {} and last["finish_reason"] == "stop"
    middle = chunks[1:-1]
    assert middle and all(set(c["choices"][0]["delta"]) == {"content"} for c in middle), "only content deltas"
    assert all(c["choices"][0]["delta"]["content"] for c in middle), "no empty content chunks"
    assert all(c["choices"][0]["finish_reason"] is None for c in middle)
    assert content_of(chunks) == DEFAULT_TEXT


def test_stream_include_usage_wire_format(server):
    r = stream_raw(server, dict(CHAT, stream_options={"include_usage": True}))
    chunks = chunks_of(sse_data(r.body))
    *rest, final = chunks
    assert final["choices"] == [] and isinstance(final["usage"], dict)
    ChatCompletionChunk.model_validate(final)
    assert all("usage" in c and c["usage"] is None for c in rest), "usage: null on every other chunk"
    assert rest[-1]["choices"][0]["finish_reason"] == "stop"
    assert final["id"] == rest[0]["id"]
    plain = httpx.post(server.v1 + "/chat/completions", json=CHAT, timeout=10).json()
    ChatCompletion.model_validate(plain)
    assert final["usage"] == plain["usage"], "the usage chunk carries the same usage object as the plain answer"


def test_include_usage_false_sends_no_usage_chunk(server):
    r = stream_raw(server, dict(CHAT, stream_options={"include_usage": False}))
    chunks = chunks_of(sse_data(r.body))
    assert all(c["choices"] for c in chunks)
    assert all(c.get("usage") is None for c in chunks)


@pytest.mark.parametrize("text", [TEN_TOKENS, "日本語のテキスト🚀🎉 mixed with English, and \"quotes\"\n\\ok"])
def test_stream_content_and_usage_equal_the_non_stream_answer(start_server, text):
    emu = start_server("--response-text", text)
    messages = [{"role": "system", "content": "Be brief."}, *USER_HI]
    plain = ChatCompletion.model_validate(httpx.post(
        emu.v1 + "/chat/completions", json={"model": MODEL, "messages": messages}, timeout=10).json())
    r = stream_raw(emu, {"model": MODEL, "messages": messages, "stream_options": {"include_usage": True}})
    chunks = chunks_of(sse_data(r.body))
    assert content_of(chunks) == plain.choices[0].message.content == text
    content_chunks = [c for c in chunks if c["choices"] and c["choices"][0]["delta"].get("content")]
    if text.isascii():
        assert len(content_chunks) == plain.usage.completion_tokens, "one chunk per token"
    else:
        # A token boundary inside a character (emoji, some CJK) is not a chunk boundary: a chunk never
        # carries half a character, so it may span several tokens.
        assert 0 < len(content_chunks) <= plain.usage.completion_tokens
        assert all(c["choices"][0]["delta"]["content"].encode("utf-8") for c in content_chunks)
    assert chunks[-1]["usage"]["prompt_tokens"] == plain.usage.prompt_tokens
    assert chunks[-1]["usage"]["completion_tokens"] == plain.usage.completion_tokens


# --------------------------------------------------------------------------- pacing
def content_arrivals(emu, body=None, *, timeout=30.0):
    with RawConnection(emu.port, timeout=timeout) as c:
        t0 = time.monotonic()
        c.send(request_bytes("POST", "/v1/chat/completions", dict(body or CHAT, stream=True)))
        r = c.read_response()
    assert r.status == 200
    frames = timed_data_frames(r)
    assert frames[-1][1] == "[DONE]"
    arrivals = [at - t0 for at, d in frames[:-1] if json.loads(d)["choices"]
                and json.loads(d)["choices"][0]["delta"].get("content")]
    return arrivals, frames, t0


@pytest.mark.timeout(60)
def test_inter_token_latency_spreads_the_frames(start_server):
    emu = start_server("--itl-ms", "50", "--response-text", TEN_TOKENS)
    arrivals, frames, _ = content_arrivals(emu)
    assert len(arrivals) == 10, f"{len(arrivals)} content frames for a 10-token answer"
    spread = arrivals[-1] - arrivals[0]
    assert 0.40 <= spread <= 0.70, f"content frames spread over {spread * 1000:.0f} ms, expected about 450 ms"
    gaps = [b - a for a, b in zip(arrivals, arrivals[1:])]
    median = statistics.median(gaps)
    assert 0.040 <= median <= 0.065, f"median gap {median * 1000:.1f} ms, expected about 50 ms"
    assert max(gaps) < 0.25, f"a gap of {max(gaps) * 1000:.0f} ms"
    assert arrivals[0] < 0.25, "the first token is not delayed without --ttft-ms"


@pytest.mark.timeout(60)
def test_frames_arrive_incrementally_not_at_once(start_server):
    emu = start_server("--itl-ms", "50", "--response-text", TEN_TOKENS)
    arrivals, frames, t0 = content_arrivals(emu)
    distinct = {round(a, 3) for a in arrivals}
    assert len(distinct) >= 8, "content frames arrived together instead of one by one"
    role_at = frames[0][0] - t0
    assert role_at < arrivals[-1] - 0.3, "the role chunk is sent before the paced tokens"


@pytest.mark.timeout(60)
def test_time_to_first_token(start_server):
    emu = start_server("--ttft-ms", "400", "--response-text", TEN_TOKENS)
    arrivals, frames, t0 = content_arrivals(emu)
    assert 0.38 <= arrivals[0] <= 1.5, f"first content after {arrivals[0] * 1000:.0f} ms, expected about 400 ms"
    assert arrivals[-1] - arrivals[0] < 0.3, "without --itl-ms the other tokens follow at once"


@pytest.mark.timeout(60)
def test_ttft_and_itl_together(start_server):
    emu = start_server("--ttft-ms", "200", "--itl-ms", "30", "--response-text", TEN_TOKENS)
    arrivals, _, _ = content_arrivals(emu)
    assert 0.18 <= arrivals[0] <= 1.0, arrivals[0]
    total = arrivals[-1]
    assert 0.18 + 9 * 0.03 * 0.8 <= total <= 2.0, f"last token after {total * 1000:.0f} ms"


@pytest.mark.timeout(60)
def test_non_stream_answer_waits_for_the_simulated_generation(start_server):
    emu = start_server("--ttft-ms", "300", "--itl-ms", "20", "--response-text", TEN_TOKENS)
    t0 = time.monotonic()
    r = httpx.post(emu.v1 + "/chat/completions", json=CHAT, timeout=10)
    took = time.monotonic() - t0
    assert r.status_code == 200 and r.json()["choices"][0]["message"]["content"] == TEN_TOKENS
    assert 0.3 <= took <= 2.5, f"answered after {took * 1000:.0f} ms, expected about 480 ms"
    assert int(r.headers["openai-processing-ms"]) >= 250


@pytest.mark.timeout(60)
def test_paced_streams_run_side_by_side(start_server):
    """Twenty paced streams at once take about as long as one: the pacer does not serialise them."""
    import concurrent.futures

    emu = start_server("--itl-ms", "50", "--response-text", TEN_TOKENS)

    def one(_):
        t0 = time.monotonic()
        with httpx.stream("POST", emu.v1 + "/chat/completions", json=dict(CHAT, stream=True), timeout=30) as r:
            body = r.read()
        return time.monotonic() - t0, body

    with concurrent.futures.ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(one, range(20)))
    for took, body in results:
        assert content_of(chunks_of(sse_data(body))) == TEN_TOKENS
    # One stream takes about 0.45 s; served one after another, twenty would take about 9 s. The bound is
    # loose because two cores also run twenty client threads.
    slowest = max(took for took, _ in results)
    assert slowest < 6.0, f"the slowest of 20 parallel streams took {slowest:.2f} s"
