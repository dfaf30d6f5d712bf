"""Chat completions and models through the official openai SDK, every answer validated by its pydantic types."""

from __future__ import annotations

import concurrent.futures
import statistics
import time

import httpx
import openai
import pytest
from openai.types import Model
from openai.types.chat import ChatCompletion, ChatCompletionChunk

from support import (CHAT, CHAT_ID, DEFAULT_TEXT, FINGERPRINT, MODEL, USER_HI, chat_prompt_tokens, count_tokens,
                     make_client)

pytestmark = pytest.mark.core


def test_completion_has_exactly_the_real_shape(client):
    raw = client.chat.completions.with_raw_response.create(model=MODEL, messages=USER_HI)
    assert raw.http_response.status_code == 200
    assert raw.http_response.headers["content-type"].startswith("application/json")
    body = raw.http_response.json()
    parsed = ChatCompletion.model_validate(body)
    assert raw.parse() == parsed
    assert CHAT_ID.match(body["id"]), body["id"]
    assert body["object"] == "chat.completion"
    assert isinstance(body["created"], int) and abs(body["created"] - time.time()) < 60
    assert body["model"] == MODEL
    assert FINGERPRINT.match(body["system_fingerprint"]), body["system_fingerprint"]
    [choice] = body["choices"]
    assert choice["index"] == 0 and choice["finish_reason"] == "stop"
    assert "logprobs" in choice and choice["logprobs"] is None
    message = choice["message"]
    assert message["role"] == "assistant" and message["content"] == DEFAULT_TEXT
    assert "refusal" in message and message["refusal"] is None
    assert "tool_calls" not in message and "function_call" not in message
    usage = body["usage"]
    assert usage["prompt_tokens"] > 0 and usage["completion_tokens"] > 0
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]
    assert usage["prompt_tokens_details"]["cached_tokens"] == 0
    assert usage["completion_tokens_details"]["reasoning_tokens"] == 0


def test_sdk_parses_the_completion(client):
    r = client.chat.completions.create(model=MODEL, messages=USER_HI)
    assert isinstance(r, ChatCompletion)
    assert r.choices[0].message.content == DEFAULT_TEXT
    assert r.usage is not None and r.usage.total_tokens == r.usage.prompt_tokens + r.usage.completion_tokens


@pytest.mark.parametrize("model", ["gpt-4o", "my-org/custom-model:v2", "ünïcode-模型", "a" * 200])
def test_the_requested_model_is_echoed(client, model):
    r = client.chat.completions.create(model=model, messages=USER_HI)
    assert r.model == model
    chunks = list(client.chat.completions.create(model=model, messages=USER_HI, stream=True))
    assert {c.model for c in chunks} == {model}


def test_system_fingerprint_is_stable_per_model(client):
    a = client.chat.completions.create(model="gpt-4o", messages=USER_HI).system_fingerprint
    b = client.chat.completions.create(model="gpt-4o", messages=USER_HI).system_fingerprint
    assert a == b and FINGERPRINT.match(a)


def test_response_text_flag_sets_the_answer_in_both_modes(start_server):
    text = 'Paris is the capital of France. Ça va? 東京 🚀 "quoted" back\\slash\nnew line\ttab'
    c = make_client(start_server("--response-text", text))
    assert c.chat.completions.create(model=MODEL, messages=USER_HI).choices[0].message.content == text
    chunks = list(c.chat.completions.create(model=MODEL, messages=USER_HI, stream=True))
    assert "".join(ch.choices[0].delta.content or "" for ch in chunks if ch.choices) == text


def test_response_text_from_the_environment(start_server):
    c = make_client(start_server(env={"EMULATOR_RESPONSE_TEXT": "from the environment"}))
    assert c.chat.completions.create(model=MODEL, messages=USER_HI).choices[0].message.content == "from the environment"


def test_ids_are_well_formed_and_unique_across_threads_and_modes(client):
    def one(i):
        if i % 3 == 0:
            return next(iter(client.chat.completions.create(model=MODEL, messages=USER_HI, stream=True))).id
        return client.chat.completions.create(model=MODEL, messages=USER_HI).id

    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        ids = list(pool.map(one, range(120)))
    assert all(CHAT_ID.match(i) for i in ids), [i for i in ids if not CHAT_ID.match(i)]
    assert len(set(ids)) == len(ids)


def test_ids_differ_across_restarts(start_server):
    first = start_server(fresh=True)
    a = make_client(first).chat.completions.create(model=MODEL, messages=USER_HI).id
    first.stop()
    second = start_server(fresh=True)
    b = make_client(second).chat.completions.create(model=MODEL, messages=USER_HI).id
    assert a != b


def test_every_role_content_part_and_documented_parameter_is_accepted(client):
    messages = [
        {"role": "system", "content": "You are terse."},
        {"role": "developer", "content": [{"type": "text", "text": "Answer in English."}]},
        {"role": "user", "content": [
            {"type": "text", "text": "Describe these."},
            {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo=", "detail": "low"}},
            {"type": "input_audio", "input_audio": {"data": "UklGRiQAAABXQVZF", "format": "wav"}},
            {"type": "file", "file": {"filename": "a.pdf", "file_data": "data:application/pdf;base64,JVBERi0="}},
        ]},
        {"role": "assistant", "content": None,
         "tool_calls": [{"id": "call_abc", "type": "function", "function": {"name": "f", "arguments": "{}"}}]},
        {"role": "tool", "tool_call_id": "call_abc", "content": "42"},
        {"role": "function", "name": "f", "content": "42"},
        {"role": "assistant", "content": [{"type": "text", "text": "Noted."}]},
        {"role": "user", "content": "Thanks.", "name": "alice"},
    ]
    r = client.chat.completions.create(
        model=MODEL, messages=messages, temperature=0.7, top_p=0.9, frequency_penalty=0.1, presence_penalty=0.1,
        logit_bias={"50256": -100}, user="user-1", metadata={"k": "v"}, store=False, seed=7, max_tokens=1000,
        n=1, response_format={"type": "text"}, service_tier="auto", safety_identifier="hashed-id",
        prompt_cache_key="cache-key", parallel_tool_calls=True,
        extra_body={"some_future_field": {"x": 1}, "another_unknown": [1, 2, 3]},
    )
    assert r.choices[0].message.content == DEFAULT_TEXT


def test_null_content_with_string_content_on_other_messages(client):
    r = client.chat.completions.create(model=MODEL, messages=[
        {"role": "user", "content": "call it"},
        {"role": "assistant", "content": None, "function_call": {"name": "f", "arguments": "{}"}},
        {"role": "function", "name": "f", "content": "ok"},
    ])
    assert r.choices[0].finish_reason == "stop"


def test_prompt_tokens_track_tiktoken(client):
    corpus = [
        [{"role": "user", "content": "What is the capital of France? Answer in one word."}],
        [{"role": "system", "content": "You are a helpful assistant that answers briefly and precisely."},
         {"role": "user", "content": "Explain the difference between TCP and UDP in two sentences."}],
        [{"role": "user", "content": "def fib(n):\n    return n if n < 2 else fib(n - 1) + fib(n - 2)\n"}],
        [{"role": "user", "content": '{"id": 12345, "items": [{"sku": "A-1", "qty": 3}, {"sku": "B-22"}]}'}],
        [{"role": "user", "content": "The quick brown fox jumps over the lazy dog. " * 20}],
        [{"role": "user", "content": [{"type": "text", "text": "Summarise: "},
                                      {"type": "text", "text": "Swift is a programming language. " * 8}]}],
    ]
    errors = []
    for messages in corpus:
        got = client.chat.completions.create(model=MODEL, messages=messages).usage.prompt_tokens
        want = chat_prompt_tokens(messages)
        errors.append(abs(got - want) / want)
    assert statistics.mean(errors) <= 0.10, f"mean relative error {statistics.mean(errors):.3f}: {errors}"


def test_completion_tokens_count_the_answer(client):
    usage = client.chat.completions.create(model=MODEL, messages=USER_HI).usage
    assert abs(usage.completion_tokens - count_tokens(DEFAULT_TEXT)) <= 2, usage


def test_longer_prompts_cost_more_tokens(client):
    short = client.chat.completions.create(model=MODEL, messages=USER_HI).usage.prompt_tokens
    two = client.chat.completions.create(model=MODEL, messages=USER_HI * 2).usage.prompt_tokens
    long_text = "Counting tokens in content parts matters for billing. " * 30
    parts = client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": [
        {"type": "text", "text": long_text[:700]}, {"type": "text", "text": long_text[700:]}]}]).usage.prompt_tokens
    whole = client.chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": long_text}]).usage.prompt_tokens
    assert two > short
    assert parts > short + 200
    assert abs(parts - whole) <= 0.1 * whole + 3, (parts, whole)


# --------------------------------------------------------------------------- streaming through the SDK
def test_stream_through_the_sdk(client):
    chunks = list(client.chat.completions.create(model=MODEL, messages=USER_HI, stream=True))
    assert all(isinstance(c, ChatCompletionChunk) for c in chunks)
    first = chunks[0]
    assert first.choices[0].delta.role == "assistant" and first.choices[0].delta.content == ""
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == DEFAULT_TEXT
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert all(c.choices[0].finish_reason is None for c in chunks[:-1])
    assert all(c.usage is None for c in chunks)
    assert len({(c.id, c.created, c.model, c.system_fingerprint) for c in chunks}) == 1
    assert CHAT_ID.match(first.id)
    assert all(c.object == "chat.completion.chunk" for c in chunks)


def test_stream_with_include_usage_through_the_sdk(client):
    chunks = list(client.chat.completions.create(model=MODEL, messages=USER_HI, stream=True,
                                                 stream_options={"include_usage": True}))
    *content, last = chunks
    assert last.choices == [] and last.usage is not None
    assert all(c.usage is None for c in content)
    plain = client.chat.completions.create(model=MODEL, messages=USER_HI)
    assert last.usage.model_dump() == plain.usage.model_dump()


def test_stream_and_non_stream_agree(client):
    for text_messages in (USER_HI, [{"role": "system", "content": "x" * 500}, *USER_HI]):
        plain = client.chat.completions.create(model=MODEL, messages=text_messages)
        chunks = list(client.chat.completions.create(model=MODEL, messages=text_messages, stream=True,
                                                     stream_options={"include_usage": True}))
        content_chunks = [c for c in chunks if c.choices and c.choices[0].delta.content]
        assert "".join(c.choices[0].delta.content for c in content_chunks) == plain.choices[0].message.content
        assert chunks[-1].usage.model_dump() == plain.usage.model_dump()
        assert len(content_chunks) == plain.usage.completion_tokens, "one chunk per token"
        assert chunks[-2].choices[0].finish_reason == plain.choices[0].finish_reason


def test_stream_false_and_stream_options_null_are_plain_completions(server):
    r = httpx.post(server.v1 + "/chat/completions", json=dict(CHAT, stream=False, stream_options=None), timeout=10)
    assert r.status_code == 200
    ChatCompletion.model_validate(r.json())


# --------------------------------------------------------------------------- models
def test_models_list_and_retrieve(client):
    raw = client.models.with_raw_response.list()
    body = raw.http_response.json()
    assert body["object"] == "list" and isinstance(body["data"], list) and body["data"]
    for item in body["data"]:
        Model.model_validate(item)
        assert item["object"] == "model" and isinstance(item["created"], int) and item["owned_by"]
    ids = [m.id for m in client.models.list().data]
    assert ids == [item["id"] for item in body["data"]] and len(set(ids)) == len(ids)
    for model_id in ids[:5]:
        m = client.models.retrieve(model_id)
        assert isinstance(m, Model) and m.id == model_id


def test_unknown_model_is_a_not_found_error(client):
    with pytest.raises(openai.NotFoundError) as info:
        client.models.retrieve("no-such-model-xyz")
    e = info.value
    assert e.status_code == 404 and e.code == "model_not_found" and e.param == "model"
    assert "no-such-model-xyz" in e.message


# --------------------------------------------------------------------------- the SDK's error classes
def test_bad_request_error_class(client):
    with pytest.raises(openai.BadRequestError) as info:
        client.chat.completions.create(model=MODEL, messages=[])
    e = info.value
    assert e.status_code == 400 and e.type == "invalid_request_error" and e.param == "messages"
    assert e.request_id, "the SDK reads x-request-id"


def test_not_found_error_class(server):
    c = openai.OpenAI(base_url=server.base + "/v1/wrong-prefix", api_key="x", max_retries=0, timeout=10)
    with pytest.raises(openai.NotFoundError) as info:
        c.chat.completions.create(model=MODEL, messages=USER_HI)
    assert info.value.status_code == 404 and info.value.type == "invalid_request_error"
    assert "/v1/wrong-prefix/chat/completions" in info.value.message
