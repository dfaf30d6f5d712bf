"""Legacy POST /v1/completions through the official SDK: shapes, caps, echo, n and prompts, logprobs,
streaming, and the bad-input rows with the real status and envelope."""

from __future__ import annotations

import re

import httpx
import openai
import pytest
from openai import OpenAI

from support import DEFAULT_TEXT, FINGERPRINT, assert_error

MODEL = "gpt-3.5-turbo-instruct"
CMPL_ID = re.compile(r"^cmpl-[A-Za-z0-9]{29}$")


def test_completion_shape(client):
    r = client.completions.create(model=MODEL, prompt="Say this is a test")
    assert CMPL_ID.match(r.id)
    assert r.object == "text_completion" and r.model == MODEL
    assert FINGERPRINT.match(r.system_fingerprint)
    assert len(r.choices) == 1
    c = r.choices[0]
    assert c.text == DEFAULT_TEXT and c.index == 0 and c.finish_reason == "stop" and c.logprobs is None
    assert r.usage.prompt_tokens > 0 and r.usage.completion_tokens > 0
    assert r.usage.total_tokens == r.usage.prompt_tokens + r.usage.completion_tokens


def test_max_tokens_caps(client):
    r = client.completions.create(model=MODEL, prompt="hi", max_tokens=2)
    assert r.choices[0].finish_reason == "length"
    assert r.usage.completion_tokens == 2
    assert DEFAULT_TEXT.startswith(r.choices[0].text) and r.choices[0].text != DEFAULT_TEXT


def test_echo_and_suffix(client):
    r = client.completions.create(model=MODEL, prompt="Once upon a time", echo=True)
    assert r.choices[0].text == "Once upon a time" + DEFAULT_TEXT
    s = client.completions.create(model=MODEL, prompt="def f():", suffix="    return 1")
    assert s.choices[0].text == DEFAULT_TEXT


def test_prompts_and_n(client):
    r = client.completions.create(model=MODEL, prompt=["one", "two"], n=2)
    assert [c.index for c in r.choices] == [0, 1, 2, 3]
    t = client.completions.create(model=MODEL, prompt=[[1, 2, 3], [4, 5]])
    assert len(t.choices) == 2 and t.usage.prompt_tokens == 5
    b = client.completions.create(model=MODEL, prompt="hi", n=1, best_of=3)
    single = client.completions.create(model=MODEL, prompt="hi")
    assert len(b.choices) == 1 and b.usage.completion_tokens == 3 * single.usage.completion_tokens


def test_logprobs_legacy_shape(server, client):
    r = client.completions.create(model=MODEL, prompt="Hello", logprobs=2, max_tokens=3)
    lp = r.choices[0].logprobs
    assert len(lp.tokens) == len(lp.token_logprobs) == len(lp.top_logprobs) == len(lp.text_offset) == 3
    assert "".join(lp.tokens) == r.choices[0].text
    assert all(v <= 0 for v in lp.token_logprobs)
    assert all(len(t) == 2 for t in lp.top_logprobs)
    assert lp.text_offset[0] == len("Hello") and lp.text_offset == sorted(lp.text_offset)
    e = loose(server).completions.create(model=MODEL, prompt="Hello", logprobs=1, max_tokens=1, echo=True)
    elp = e.choices[0].logprobs
    assert elp.token_logprobs[0] is None and elp.text_offset[0] == 0
    assert "".join(elp.tokens) == e.choices[0].text


def loose(server) -> OpenAI:
    """Stream chunks carry `finish_reason: null` and echoed logprobs a leading null, as the real API sends
    them; the SDK's types do not admit those, so these answers cannot be validated strictly."""
    return OpenAI(base_url=server.v1, api_key="x", max_retries=0, timeout=30.0, _strict_response_validation=False)


def test_stream(server):
    chunks = list(loose(server).completions.create(model=MODEL, prompt="hi", stream=True))
    assert len(chunks) > 2
    assert len({c.id for c in chunks}) == 1 and CMPL_ID.match(chunks[0].id)
    assert all(c.object == "text_completion" and c.model == MODEL for c in chunks)
    assert "".join(c.choices[0].text for c in chunks) == DEFAULT_TEXT
    assert all(c.choices[0].finish_reason is None for c in chunks[:-1])
    assert chunks[-1].choices[0].finish_reason == "stop"


def test_stream_with_usage_and_n(server):
    chunks = list(loose(server).completions.create(model=MODEL, prompt="hi", stream=True, n=2, max_tokens=3,
                                            stream_options={"include_usage": True}))
    usage = chunks[-1]
    assert usage.choices == [] and usage.usage.completion_tokens == 6
    texts = {0: "", 1: ""}
    for c in chunks[:-1]:
        texts[c.choices[0].index] += c.choices[0].text
    assert texts[0] == texts[1] and DEFAULT_TEXT.startswith(texts[0])


def test_stream_with_echo_and_n(server):
    chunks = list(loose(server).completions.create(model=MODEL, prompt="Once upon a time", stream=True, echo=True,
                                            n=2, max_tokens=4))
    texts = {0: "", 1: ""}
    for c in chunks:
        texts[c.choices[0].index] += c.choices[0].text
    assert [c.choices[0].text for c in chunks[:2]] == ["Once upon a time"] * 2  # the echoes come first
    assert texts[0] == texts[1] and texts[0].startswith("Once upon a time")
    assert DEFAULT_TEXT.startswith(texts[0][len("Once upon a time"):]) and len(texts[0]) > len("Once upon a time")
    assert [c.choices[0].finish_reason for c in chunks[-2:]] == ["length", "length"]


def test_stream_wire_format(server):
    with httpx.stream("POST", server.v1 + "/completions", json={"model": MODEL, "prompt": "hi", "stream": True},
                      timeout=10) as r:
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
        body = r.read().decode()
    frames = body.split("\n\n")
    assert frames[-1] == "" and frames[-2] == "data: [DONE]"
    assert all(f.startswith("data: {") for f in frames[:-2])


BAD_ROWS = [
    ({"model": MODEL}, "prompt", ["prompt"]),
    ({"prompt": "x"}, "model", ["model"]),
    ({"model": MODEL, "prompt": 5}, "prompt", ["prompt"]),
    ({"model": MODEL, "prompt": []}, "prompt", ["empty array"]),
    ({"model": MODEL, "prompt": "x", "n": 0}, "n", ["n"]),
    ({"model": MODEL, "prompt": "x", "n": 3, "best_of": 2}, "best_of", ["best_of"]),
    ({"model": MODEL, "prompt": "x", "logprobs": 6}, "logprobs", ["logprobs"]),
    ({"model": MODEL, "prompt": "x", "max_tokens": -1}, "max_tokens", ["max_tokens"]),
    ({"model": MODEL, "prompt": "x", "temperature": 2.5}, "temperature", ["temperature"]),
    ({"model": MODEL, "prompt": "x", "stop": ["a", "b", "c", "d", "e"]}, "stop", ["stop"]),
    ({"model": MODEL, "prompt": "x", "stream_options": {"include_usage": True}}, "stream_options", ["stream"]),
]


@pytest.mark.parametrize("body,param,words", BAD_ROWS, ids=[str(i) for i in range(len(BAD_ROWS))])
def test_bad_input(server, body, param, words):
    r = httpx.post(server.v1 + "/completions", json=body, timeout=10)
    assert r.status_code == 400, r.text[:300]
    assert_error(r.json(), param=param, words=words)


def test_sdk_raises_bad_request(client):
    with pytest.raises(openai.BadRequestError) as e:
        client.completions.create(model=MODEL, prompt="x", n=2, best_of=1)
    assert e.value.status_code == 400
