"""Anthropic's Messages API through the official `anthropic` SDK pointed at the emulator: text answers and
their stop reasons, the SDK's stream helper, tool use (whole and streamed), a tool_result turn, token
counting, Anthropic's error envelope and the raw named SSE events."""

from __future__ import annotations

import asyncio
import json

import anthropic
import httpx
import jsonschema
import pytest

from support import DEFAULT_TEXT, raw_request, sse_frames

pytestmark = pytest.mark.timeout(60)

MODEL = "claude-sonnet-4-6"
KEY = "sk-ant-e2e-0123456789"
HI = [{"role": "user", "content": "Say hello."}]
WEATHER = {
    "name": "get_weather",
    "description": "Get the current weather for a city.",
    "input_schema": {
        "type": "object",
        "properties": {
            "city": {"type": "string", "description": "The city"},
            "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
            "days": {"type": "integer", "minimum": 1, "maximum": 7},
        },
        "required": ["city", "unit", "days"],
    },
}


def sdk(server, **kwargs) -> anthropic.Anthropic:
    kwargs.setdefault("api_key", "sk-ant-any")
    return anthropic.Anthropic(base_url=server.base, max_retries=0, timeout=30.0, _strict_response_validation=True,
                               **kwargs)


def assert_anthropic_error(body, type_: str) -> dict:
    if isinstance(body, (bytes, str)):
        body = json.loads(body)
    assert isinstance(body, dict) and body.get("type") == "error", f"not Anthropic's error envelope: {body!r}"
    assert set(body) <= {"type", "error", "request_id"}, body
    err = body["error"]
    assert set(err) == {"type", "message"}, body
    assert err["type"] == type_, body
    assert isinstance(err["message"], str) and err["message"].strip(), body
    return err


# --------------------------------------------------------------------------- text
def test_create_text_end_turn(server):
    m = sdk(server).messages.create(model=MODEL, max_tokens=256, messages=HI)
    assert m.type == "message" and m.role == "assistant"
    assert m.id.startswith("msg_")
    assert m.model == MODEL
    assert [b.type for b in m.content] == ["text"]
    assert m.content[0].text == DEFAULT_TEXT
    assert m.stop_reason == "end_turn" and m.stop_sequence is None
    assert m.usage.input_tokens > 0 and m.usage.output_tokens > 0


def test_create_with_system_prompt_and_content_blocks(server):
    m = sdk(server).messages.create(
        model=MODEL, max_tokens=256, system=[{"type": "text", "text": "Be terse."}],
        messages=[{"role": "user", "content": [{"type": "text", "text": "Say hello."}]},
                  {"role": "assistant", "content": "Hello."},
                  {"role": "user", "content": "Again."}],
        metadata={"user_id": "u-1"})
    assert m.content[0].text == DEFAULT_TEXT and m.stop_reason == "end_turn"


def test_create_max_tokens_stops_at_three(server):
    m = sdk(server).messages.create(model=MODEL, max_tokens=3, messages=HI)
    assert m.stop_reason == "max_tokens"
    assert m.usage.output_tokens == 3
    assert m.content[0].text and DEFAULT_TEXT.startswith(m.content[0].text)
    assert m.content[0].text != DEFAULT_TEXT


def test_create_stop_sequence(server):
    m = sdk(server).messages.create(model=MODEL, max_tokens=256, messages=HI, stop_sequences=["zzz", "OpenAI"])
    assert m.stop_reason == "stop_sequence"
    assert m.stop_sequence == "OpenAI"
    assert m.content[0].text == DEFAULT_TEXT[:DEFAULT_TEXT.index("OpenAI")]


def test_async_create(server):
    async def go():
        async with anthropic.AsyncAnthropic(base_url=server.base, api_key="k", max_retries=0, timeout=30.0) as c:
            return await c.messages.create(model=MODEL, max_tokens=64, messages=HI)

    m = asyncio.run(asyncio.wait_for(go(), 30))
    assert m.content[0].text == DEFAULT_TEXT


# --------------------------------------------------------------------------- streaming
def test_stream_helper_text_and_final_message(server):
    with sdk(server).messages.stream(model=MODEL, max_tokens=256, messages=HI) as stream:
        pieces = []
        for text in stream.text_stream:
            pieces.append(text)
            assert len(pieces) < 10_000
        final = stream.get_final_message()
    assert len(pieces) > 1, "the text should arrive in several deltas"
    assert "".join(pieces) == DEFAULT_TEXT
    assert final.content[0].text == DEFAULT_TEXT
    assert final.stop_reason == "end_turn"
    assert final.usage.input_tokens > 0 and final.usage.output_tokens > 0
    assert final.id.startswith("msg_")


def test_stream_helper_max_tokens_and_stop_sequence(server):
    c = sdk(server)
    with c.messages.stream(model=MODEL, max_tokens=3, messages=HI) as stream:
        final = stream.get_final_message()
    assert final.stop_reason == "max_tokens" and final.usage.output_tokens == 3
    with c.messages.stream(model=MODEL, max_tokens=256, messages=HI, stop_sequences=["OpenAI"]) as stream:
        text = stream.get_final_text()
        final = stream.get_final_message()
    assert text == DEFAULT_TEXT[:DEFAULT_TEXT.index("OpenAI")]
    assert final.stop_reason == "stop_sequence" and final.stop_sequence == "OpenAI"


def test_create_stream_true_events(server):
    events = list(sdk(server).messages.create(model=MODEL, max_tokens=256, messages=HI, stream=True))
    assert len(events) < 10_000
    types = [e.type for e in events]
    assert types[0] == "message_start" and types[-1] == "message_stop"
    assert "".join(e.delta.text for e in events if e.type == "content_block_delta") == DEFAULT_TEXT
    delta = [e for e in events if e.type == "message_delta"]
    assert len(delta) == 1 and delta[0].delta.stop_reason == "end_turn" and delta[0].usage.output_tokens > 0


def test_raw_sse_event_names_in_order(server):
    r = raw_request(server.port, "POST", "/v1/messages",
                    {"model": MODEL, "max_tokens": 256, "messages": HI, "stream": True},
                    headers={"x-api-key": "k", "anthropic-version": "2023-06-01"})
    assert r.status == 200, r.body
    assert r.header("content-type").startswith("text/event-stream")
    names, datas = [], []
    for frame in sse_frames(r.body):
        lines = frame.split("\n")
        assert len(lines) == 2 and lines[0].startswith("event: ") and lines[1].startswith("data: "), frame
        name, data = lines[0][len("event: "):], json.loads(lines[1][len("data: "):])
        assert data["type"] == name, frame
        names.append(name)
        datas.append(data)
    assert names[:4] == ["message_start", "content_block_start", "ping", "content_block_delta"], names
    deltas = names[3:-3]
    assert deltas and set(deltas) == {"content_block_delta"}, names
    assert names[-3:] == ["content_block_stop", "message_delta", "message_stop"], names
    start = datas[0]["message"]
    assert start["content"] == [] and start["stop_reason"] is None and start["usage"]["input_tokens"] > 0
    assert datas[1] == {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}
    assert "".join(d["delta"]["text"] for d in datas if d["type"] == "content_block_delta") == DEFAULT_TEXT
    assert datas[-2]["delta"] == {"stop_reason": "end_turn", "stop_sequence": None}


# --------------------------------------------------------------------------- tools
def test_tool_use_block_matches_the_input_schema(server):
    m = sdk(server).messages.create(model=MODEL, max_tokens=512, messages=[
        {"role": "user", "content": "What's the weather in Paris?"}], tools=[WEATHER])
    assert m.stop_reason == "tool_use"
    uses = [b for b in m.content if b.type == "tool_use"]
    assert len(uses) == 1
    assert uses[0].name == "get_weather" and uses[0].id.startswith("toolu_")
    jsonschema.validate(uses[0].input, WEATHER["input_schema"])


def test_tool_choice_any_and_named(server):
    c = sdk(server)
    other = {"name": "add", "description": "Add numbers", "input_schema": {
        "type": "object", "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}}, "required": ["a", "b"]}}
    m = c.messages.create(model=MODEL, max_tokens=512, messages=HI, tools=[WEATHER, other],
                          tool_choice={"type": "tool", "name": "add"})
    uses = [b for b in m.content if b.type == "tool_use"]
    assert [u.name for u in uses] == ["add"] and m.stop_reason == "tool_use"
    jsonschema.validate(uses[0].input, other["input_schema"])
    m = c.messages.create(model=MODEL, max_tokens=512, messages=HI, tools=[WEATHER], tool_choice={"type": "any"})
    assert m.stop_reason == "tool_use" and any(b.type == "tool_use" for b in m.content)
    m = c.messages.create(model=MODEL, max_tokens=512, messages=HI, tools=[WEATHER], tool_choice={"type": "none"})
    assert m.stop_reason == "end_turn" and [b.type for b in m.content] == ["text"]


def test_tool_use_streamed_input_json_delta_assembles(server):
    with sdk(server).messages.stream(model=MODEL, max_tokens=512, tools=[WEATHER],
                                     tool_choice={"type": "tool", "name": "get_weather"},
                                     messages=[{"role": "user", "content": "Weather in Paris?"}]) as stream:
        partial, starts, n = "", [], 0
        for event in stream:
            n += 1
            assert n < 10_000
            if event.type == "content_block_start":
                starts.append(event.content_block)
            elif event.type == "content_block_delta" and event.delta.type == "input_json_delta":
                partial += event.delta.partial_json
        final = stream.get_final_message()
    tool_starts = [b for b in starts if b.type == "tool_use"]
    assert len(tool_starts) == 1 and tool_starts[0].input == {}
    assert partial, "no input_json_delta"
    uses = [b for b in final.content if b.type == "tool_use"]
    assert len(uses) == 1 and uses[0].id == tool_starts[0].id
    assert json.loads(partial) == uses[0].input
    jsonschema.validate(uses[0].input, WEATHER["input_schema"])
    assert final.stop_reason == "tool_use"


def test_tool_result_turn_is_answered_with_text(server):
    c = sdk(server)
    question = {"role": "user", "content": "What's the weather in Paris?"}
    first = c.messages.create(model=MODEL, max_tokens=512, messages=[question], tools=[WEATHER])
    use = next(b for b in first.content if b.type == "tool_use")
    second = c.messages.create(model=MODEL, max_tokens=512, tools=[WEATHER], messages=[
        question,
        {"role": "assistant", "content": [b.model_dump(exclude_none=True) for b in first.content]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": use.id, "content": "Sunny, 21 C."}]},
    ])
    assert second.stop_reason == "end_turn"
    assert [b.type for b in second.content] == ["text"]
    assert second.content[0].text == DEFAULT_TEXT
    assert second.usage.input_tokens > first.usage.input_tokens


# --------------------------------------------------------------------------- count_tokens
def test_count_tokens(server):
    c = sdk(server)
    n = c.messages.count_tokens(model=MODEL, messages=HI)
    assert n.input_tokens > 0
    assert c.messages.create(model=MODEL, max_tokens=16, messages=HI).usage.input_tokens == n.input_tokens
    longer = c.messages.count_tokens(model=MODEL, messages=[{"role": "user", "content": "Say hello. " * 50}])
    assert longer.input_tokens > n.input_tokens
    with_tools = c.messages.count_tokens(model=MODEL, messages=HI, tools=[WEATHER], system="Be terse.")
    assert with_tools.input_tokens > n.input_tokens


# --------------------------------------------------------------------------- errors
def test_missing_max_tokens_is_a_bad_request_in_anthropic_envelope(server):
    c = sdk(server)
    with pytest.raises(anthropic.BadRequestError) as e:
        # the SDK's own signature requires max_tokens; post the body as it is to reach the server
        c.post("/v1/messages", body={"model": MODEL, "messages": HI}, cast_to=httpx.Response)
    assert e.value.status_code == 400
    err = assert_anthropic_error(e.value.response.json(), "invalid_request_error")
    assert "max_tokens" in err["message"]
    r = raw_request(server.port, "POST", "/v1/messages", {"model": MODEL, "messages": HI},
                    headers={"anthropic-version": "2023-06-01"})
    assert r.status == 400 and r.header("content-type").startswith("application/json")
    assert_anthropic_error(r.body, "invalid_request_error")


def test_invalid_bodies_get_anthropic_errors(server):
    c = sdk(server)
    with pytest.raises(anthropic.BadRequestError) as e:
        c.messages.create(model=MODEL, max_tokens=16, messages=[])
    assert_anthropic_error(e.value.response.json(), "invalid_request_error")
    with pytest.raises(anthropic.BadRequestError) as e:
        c.messages.create(model=MODEL, max_tokens=16, messages=[{"role": "system", "content": "x"}])
    assert_anthropic_error(e.value.response.json(), "invalid_request_error")


def test_wrong_api_key_is_an_authentication_error(start_server):
    emu = start_server("--api-key", KEY)
    good = sdk(emu, api_key=KEY)
    assert good.messages.create(model=MODEL, max_tokens=16, messages=HI).content[0].text
    with pytest.raises(anthropic.AuthenticationError) as e:
        sdk(emu, api_key="sk-ant-wrong").messages.create(model=MODEL, max_tokens=16, messages=HI)
    assert e.value.status_code == 401
    assert_anthropic_error(e.value.response.json(), "authentication_error")
    with pytest.raises(anthropic.AuthenticationError) as e:
        sdk(emu, api_key="sk-ant-wrong").messages.count_tokens(model=MODEL, messages=HI)
    assert_anthropic_error(e.value.response.json(), "authentication_error")
    r = raw_request(emu.port, "POST", "/v1/messages", {"model": MODEL, "max_tokens": 8, "messages": HI},
                    headers={"anthropic-version": "2023-06-01"})
    assert r.status == 401
    assert_anthropic_error(r.body, "authentication_error")
    with pytest.raises(anthropic.AuthenticationError):
        with sdk(emu, api_key="sk-ant-wrong").messages.stream(model=MODEL, max_tokens=16, messages=HI) as s:
            s.get_final_message()
