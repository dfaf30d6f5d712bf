"""Fixtures end to end: every matcher and answer kind on chat, responses, completions, embeddings and
Anthropic messages (official SDKs), streaming and not; templates; sequences for a multi-turn agent loop;
times/after; priority, specificity and recency; strict mode; the fixtures API; hot reload of a file."""

from __future__ import annotations

import json
import time
import uuid

import anthropic
import openai
import pytest

from helpers_mock import add_fixture, api, journal
from support import DEFAULT_TEXT, MODEL, assert_error, make_client

pytestmark = pytest.mark.timeout(60)

WEATHER_TOOL = {"type": "function", "function": {
    "name": "get_weather", "description": "Weather of a city",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}, "unit": {"type": "string", "enum": ["c", "f"]}},
                   "required": ["city", "unit"], "additionalProperties": False}}}


@pytest.fixture
def scope():
    return "t-" + uuid.uuid4().hex[:12]


@pytest.fixture
def oa(server, scope):
    c = make_client(server, default_headers={"X-Emulator-Scope": scope})
    yield c
    c.close()


@pytest.fixture
def fx(server, scope):
    return lambda rule: add_fixture(server, rule, scope=scope)


def ask(oa, text, **kw):
    kw.setdefault("model", MODEL)
    msgs = kw.pop("messages", None) or [{"role": "user", "content": text}]
    return oa.chat.completions.create(messages=msgs, **kw)


def streamed_text(stream):
    return "".join(c.choices[0].delta.content or "" for c in stream if c.choices)


# --------------------------------------------------------------------------- matchers
def test_text_answer_by_last_user_contains_stream_and_not(oa, fx):
    fx({"match": {"last_user": "weather"}, "respond": {"text": "Sunny in Oslo."}})
    assert ask(oa, "What is the weather?").choices[0].message.content == "Sunny in Oslo."
    assert streamed_text(ask(oa, "weather again", stream=True)) == "Sunny in Oslo."
    assert ask(oa, "Something else").choices[0].message.content == DEFAULT_TEXT


def test_text_matchers_equals_regex_any_message_system(oa, fx):
    fx({"name": "eq", "match": {"last_user": {"equals": "ping"}}, "respond": {"text": "pong"}})
    fx({"name": "re", "match": {"last_user": {"regex": "^order #[0-9]+$"}}, "respond": {"text": "order found"}})
    fx({"name": "any", "match": {"any_message": {"contains": "SECRET"}}, "respond": {"text": "saw the secret"}})
    fx({"name": "sys", "match": {"system": {"contains": "pirate"}}, "respond": {"text": "Arr"}})
    assert ask(oa, "ping").choices[0].message.content == "pong"
    assert ask(oa, "ping!").choices[0].message.content == DEFAULT_TEXT
    assert ask(oa, "order #42").choices[0].message.content == "order found"
    assert ask(oa, "order #4x").choices[0].message.content == DEFAULT_TEXT
    msgs = [{"role": "user", "content": "the SECRET is 1"}, {"role": "assistant", "content": "ok"},
            {"role": "user", "content": "what was it?"}]
    assert ask(oa, None, messages=msgs).choices[0].message.content == "saw the secret"
    msgs = [{"role": "system", "content": "You are a pirate."}, {"role": "user", "content": "hello"}]
    assert ask(oa, None, messages=msgs).choices[0].message.content == "Arr"
    msgs = [{"role": "developer", "content": "Talk like a pirate."}, {"role": "user", "content": "hello"}]
    assert ask(oa, None, messages=msgs).choices[0].message.content == "Arr"


def test_model_glob_and_endpoint(oa, fx, server, scope):
    fx({"match": {"model": "gpt-4o*", "endpoint": "chat"}, "respond": {"text": "4o family"}})
    fx({"match": {"endpoint": ["responses"]}, "respond": {"text": "responses only"}})
    assert ask(oa, "hi", model="gpt-4o-2024-08-06").choices[0].message.content == "4o family"
    assert ask(oa, "hi", model="o3-mini").choices[0].message.content == DEFAULT_TEXT
    assert oa.responses.create(model="o3-mini", input="hi").output_text == "responses only"


def test_tools_presence_and_names(oa, fx):
    fx({"match": {"tools": False}, "respond": {"text": "no tools"}})
    fx({"match": {"tools": True}, "respond": {"text": "some tools"}})
    fx({"match": {"tools": ["get_weather"]}, "respond": {"text": "weather tool"}})
    assert ask(oa, "x").choices[0].message.content == "no tools"
    assert ask(oa, "x", tools=[WEATHER_TOOL]).choices[0].message.content == "weather tool"
    other = {"type": "function", "function": {"name": "lookup", "parameters": {"type": "object", "properties": {}}}}
    assert ask(oa, "x", tools=[other]).choices[0].message.content == "some tools"


def test_response_format_type_and_schema_name(oa, fx):
    fx({"match": {"response_format": "json_object"}, "respond": {"json": {"kind": "object"}}})
    fx({"match": {"response_format": {"type": "json_schema", "name": "person"}},
        "respond": {"json": {"name": "Ada", "age": 36}}})
    r = ask(oa, "json please", response_format={"type": "json_object"})
    assert json.loads(r.choices[0].message.content) == {"kind": "object"}
    schema = {"type": "json_schema", "json_schema": {"name": "person", "strict": True, "schema": {
        "type": "object", "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
        "required": ["name", "age"], "additionalProperties": False}}}
    r = ask(oa, "who?", response_format=schema)
    assert json.loads(r.choices[0].message.content) == {"name": "Ada", "age": 36}
    assert ask(oa, "plain").choices[0].message.content == DEFAULT_TEXT


def test_header_and_json_path_matchers(oa, fx):
    fx({"match": {"headers": {"X-Tenant": "acme"}}, "respond": {"text": "acme tenant"}})
    fx({"match": {"json_path": {"$.temperature": 0.2, "$.metadata.user": "u-7"}}, "respond": {"text": "by body"}})
    assert ask(oa, "x", extra_headers={"X-Tenant": "acme"}).choices[0].message.content == "acme tenant"
    assert ask(oa, "x", extra_headers={"X-Tenant": "other"}).choices[0].message.content == DEFAULT_TEXT
    assert ask(oa, "x", temperature=0.2, metadata={"user": "u-7"}, store=True).choices[0].message.content == "by body"
    assert ask(oa, "x", temperature=0.3, metadata={"user": "u-7"}, store=True).choices[0].message.content == DEFAULT_TEXT


def test_path_and_method_matchers(server, scope, fx):
    fx({"match": {"path": "/openai/deployments/dep-a/chat/completions", "method": "post"},
        "respond": {"text": "azure dep-a"}})
    import httpx

    def az(dep):
        r = httpx.post(f"{server.base}/openai/deployments/{dep}/chat/completions?api-version=2024-10-21",
                       json={"messages": [{"role": "user", "content": "hi"}]},
                       headers={"api-key": "k", "X-Emulator-Scope": scope}, timeout=10)
        return r.json()["choices"][0]["message"]["content"]

    assert az("dep-a") == "azure dep-a"
    assert az("dep-b") == DEFAULT_TEXT


def test_turn_matcher(oa, fx):
    fx({"match": {"turn": 0}, "respond": {"text": "first turn"}})
    fx({"match": {"turn": 1}, "respond": {"text": "second turn"}})
    assert ask(oa, "a").choices[0].message.content == "first turn"
    msgs = [{"role": "user", "content": "a"}, {"role": "assistant", "content": "first turn"},
            {"role": "user", "content": "b"}]
    assert ask(oa, None, messages=msgs).choices[0].message.content == "second turn"


# --------------------------------------------------------------------------- answers
def test_tool_calls_with_arguments_and_with_text(oa, fx):
    fx({"match": {"last_user": "Oslo"}, "respond": {"tool_calls": [{"name": "get_weather", "arguments": {"city": "Oslo", "unit": "c"}}]}})
    fx({"match": {"last_user": "both"}, "respond": {"text": "Let me check.", "tool_calls": [
        {"name": "get_weather", "arguments": {"city": "Rome", "unit": "c"}},
        {"name": "get_weather", "arguments": {"city": "Paris", "unit": "f"}}]}})
    r = ask(oa, "Weather in Oslo?", tools=[WEATHER_TOOL])
    m = r.choices[0].message
    assert r.choices[0].finish_reason == "tool_calls"
    assert [(t.function.name, json.loads(t.function.arguments)) for t in m.tool_calls] == [("get_weather", {"city": "Oslo", "unit": "c"})]
    assert m.tool_calls[0].id.startswith("call_")
    r = ask(oa, "both please", tools=[WEATHER_TOOL])
    m = r.choices[0].message
    assert m.content == "Let me check."
    assert [json.loads(t.function.arguments)["city"] for t in m.tool_calls] == ["Rome", "Paris"]
    # streamed: the tool-call deltas assemble into the same arguments
    args: dict[int, str] = {}
    for ch in ask(oa, "Oslo", tools=[WEATHER_TOOL], stream=True):
        for tc in (ch.choices[0].delta.tool_calls or []) if ch.choices else []:
            args[tc.index] = args.get(tc.index, "") + (tc.function.arguments or "")
    assert json.loads(args[0]) == {"city": "Oslo", "unit": "c"}


def test_tool_call_arguments_generated_from_the_schema(oa, fx):
    fx({"respond": {"tool_calls": [{"name": "get_weather", "arguments": "generate"}]}})
    r = ask(oa, "anything", tools=[WEATHER_TOOL])
    args = json.loads(r.choices[0].message.tool_calls[0].function.arguments)
    assert set(args) == {"city", "unit"} and isinstance(args["city"], str) and args["unit"] in ("c", "f")


def test_error_answer(oa, fx):
    fx({"match": {"last_user": "bad"}, "respond": {"error": {"status": 400, "message": "Bad prompt: {{last_user}}",
                                                            "param": "messages", "code": "bad_prompt"}}})
    fx({"match": {"last_user": "teapot"}, "respond": {"error": {"status": 503, "message": "down"}}})
    with pytest.raises(openai.BadRequestError) as e:
        ask(oa, "bad one")
    assert e.value.code == "bad_prompt" and e.value.param == "messages"
    assert_error(e.value.response.json(), type_="invalid_request_error", param="messages", code="bad_prompt",
                 words=("Bad prompt: bad one",))
    with pytest.raises(openai.InternalServerError) as e:
        ask(oa, "teapot")
    assert e.value.status_code == 503 and e.value.body["type"] == "server_error"


def test_fault_answer(oa, fx):
    fx({"match": {"last_user": "crash"}, "respond": {"fault": "500"}})
    fx({"match": {"last_user": "cut"}, "respond": {"fault": "disconnect@2"}})
    with pytest.raises(openai.InternalServerError):
        ask(oa, "crash")
    import httpx
    with pytest.raises((openai.APIError, httpx.HTTPError)):
        streamed_text(ask(oa, "cut", stream=True))


def test_latency_answer(oa, fx):
    fx({"match": {"last_user": "slow"}, "respond": {"text": "eventually", "latency": {"ttft_ms": 400}}})
    t0 = time.monotonic()
    assert ask(oa, "slow").choices[0].message.content == "eventually"
    assert time.monotonic() - t0 >= 0.39
    t0 = time.monotonic()
    ask(oa, "fast")
    assert time.monotonic() - t0 < 0.3


def test_finish_reason_answer(oa, fx):
    fx({"respond": {"text": "cut short", "finish_reason": "length"}})
    r = ask(oa, "x")
    assert r.choices[0].finish_reason == "length" and r.choices[0].message.content == "cut short"


def test_templates(oa, fx):
    fx({"respond": {"text": "you said [{{last_user}}] to {{model}} via {{endpoint}} at turn {{turn}}, "
                            "tenant {{header.X-Tenant}}, temperature {{body.temperature}}, {{unknown}}"}})
    r = ask(oa, "hello there", temperature=0.5, extra_headers={"X-Tenant": "acme"})
    assert r.choices[0].message.content == ("you said [hello there] to gpt-4o-mini via chat at turn 0, "
                                            "tenant acme, temperature 0.5, {{unknown}}")
    fx({"match": {"last_user": "json"}, "respond": {"json": {"echo": "{{last_user}}", "n": 1}}})
    assert json.loads(ask(oa, "json me").choices[0].message.content) == {"echo": "json me", "n": 1}


def test_sequence_drives_a_multi_turn_agent_loop(oa, fx):
    fx({"name": "agent", "match": {"tools": ["get_weather"]}, "respond": {"sequence": [
        {"tool_calls": [{"name": "get_weather", "arguments": {"city": "Oslo", "unit": "c"}}]},
        {"tool_calls": [{"name": "get_weather", "arguments": {"city": "Bergen", "unit": "c"}}]},
        {"text": "Oslo 20°C, Bergen 14°C."}]}})
    messages = [{"role": "user", "content": "Compare Oslo and Bergen."}]
    calls = []
    for _ in range(5):  # bounded agent loop
        r = ask(oa, None, messages=messages, tools=[WEATHER_TOOL])
        m = r.choices[0].message
        if not m.tool_calls:
            break
        messages.append(m.model_dump(exclude_none=True))
        for tc in m.tool_calls:
            city = json.loads(tc.function.arguments)["city"]
            calls.append(city)
            messages.append({"role": "tool", "tool_call_id": tc.id, "content": f"{city}: fine"})
    assert calls == ["Oslo", "Bergen"]
    assert m.content == "Oslo 20°C, Bergen 14°C."
    # the last answer repeats once the sequence is used up
    assert ask(oa, "again", tools=[WEATHER_TOOL]).choices[0].message.content == "Oslo 20°C, Bergen 14°C."


def test_times_and_after(oa, fx):
    fx({"match": {"last_user": "twice"}, "times": 2, "respond": {"text": "scripted"}})
    fx({"match": {"last_user": "later"}, "after": 1, "respond": {"text": "second time"}})
    assert [ask(oa, "twice").choices[0].message.content for _ in range(3)] == ["scripted", "scripted", DEFAULT_TEXT]
    assert [ask(oa, "later").choices[0].message.content for _ in range(2)] == [DEFAULT_TEXT, "second time"]


def test_priority_then_specificity_then_newest(oa, fx):
    fx({"name": "broad-high", "priority": 5, "match": {"last_user": "x"}, "respond": {"text": "priority wins"}})
    fx({"name": "narrow", "match": {"last_user": "x", "model": MODEL}, "respond": {"text": "specific"}})
    assert ask(oa, "x").choices[0].message.content == "priority wins"
    fx({"name": "old", "match": {"last_user": "y"}, "respond": {"text": "older"}})
    fx({"name": "narrow-y", "match": {"last_user": "y", "model": "gpt-*"}, "respond": {"text": "more specific"}})
    fx({"name": "new", "match": {"last_user": "y"}, "respond": {"text": "newer"}})
    assert ask(oa, "y").choices[0].message.content == "more specific"
    assert ask(oa, "y", model="o3").choices[0].message.content == "newer"


# --------------------------------------------------------------------------- other endpoints
def test_responses_endpoint_text_stream_and_tools(oa, fx):
    fx({"match": {"endpoint": "responses", "last_user": "hello"}, "respond": {"text": "Hi from responses"}})
    fx({"match": {"endpoint": "responses", "tools": True}, "respond": {"tool_calls": [{"name": "get_weather", "arguments": {"city": "Oslo", "unit": "c"}}]}})
    assert oa.responses.create(model=MODEL, input="hello").output_text == "Hi from responses"
    deltas = [e.delta for e in oa.responses.create(model=MODEL, input="hello", stream=True)
              if e.type == "response.output_text.delta"]
    assert "".join(deltas) == "Hi from responses"
    tool = {"type": "function", "name": "get_weather", "parameters": WEATHER_TOOL["function"]["parameters"]}
    r = oa.responses.create(model=MODEL, input="weather?", tools=[tool])
    calls = [o for o in r.output if o.type == "function_call"]
    assert calls and calls[0].name == "get_weather" and json.loads(calls[0].arguments) == {"city": "Oslo", "unit": "c"}


def test_completions_endpoint(oa, fx):
    fx({"match": {"endpoint": "completions", "last_user": "Once upon"}, "respond": {"text": " a time."}})
    r = oa.completions.create(model="gpt-3.5-turbo-instruct", prompt="Once upon")
    assert r.choices[0].text == " a time."
    # streamed completion chunks carry finish_reason null, as OpenAI's do; the SDK's strict types reject that
    loose = make_client(oa_server(oa), strict=False, default_headers=dict(oa.default_headers))
    s = loose.completions.create(model="gpt-3.5-turbo-instruct", prompt="Once upon", stream=True)
    assert "".join(c.choices[0].text for c in s if c.choices) == " a time."


def oa_server(oa):
    class _E:
        v1 = str(oa.base_url).rstrip("/")
    return _E


def test_embeddings_endpoint(oa, fx):
    fx({"match": {"endpoint": "embeddings", "last_user": "cat"}, "respond": {"embedding": [0.1, 0.2, 0.3]}})
    r = oa.embeddings.create(model="text-embedding-3-small", input=["a cat", "the cat"], encoding_format="float")
    assert [d.embedding for d in r.data] == [[0.1, 0.2, 0.3], [0.1, 0.2, 0.3]]
    r = oa.embeddings.create(model="text-embedding-3-small", input="a dog", encoding_format="float")
    assert len(r.data[0].embedding) > 3


def test_scripted_embedding_honours_base64(server, scope, fx):
    import base64
    import struct

    import httpx

    fx({"match": {"endpoint": "embeddings"}, "respond": {"embedding": [0.5, -0.25, 1.0]}})
    r = httpx.post(server.v1 + "/embeddings", json={"model": "text-embedding-3-small", "input": "x",
                                                    "encoding_format": "base64"},
                   headers={"X-Emulator-Scope": scope}, timeout=10)
    emb = r.json()["data"][0]["embedding"]
    assert isinstance(emb, str), f"encoding_format base64 asks for a base64 string, got {emb!r}"
    assert list(struct.unpack("<3f", base64.b64decode(emb))) == [0.5, -0.25, 1.0]


def test_messages_endpoint_with_the_anthropic_sdk(server, scope, fx):
    fx({"match": {"endpoint": "messages", "system": "terse", "last_user": "hello"}, "respond": {"text": "Hi."}})
    fx({"match": {"endpoint": "messages", "tools": ["get_weather"]},
        "respond": {"text": "Checking.", "tool_calls": [{"name": "get_weather", "arguments": {"city": "Oslo", "unit": "c"}}]}})
    a = anthropic.Anthropic(base_url=server.base, api_key="sk-ant", max_retries=0,
                            default_headers={"X-Emulator-Scope": scope})
    r = a.messages.create(model="claude-3-5-haiku-latest", max_tokens=50, system="Be terse.",
                          messages=[{"role": "user", "content": "hello"}])
    assert [b.text for b in r.content if b.type == "text"] == ["Hi."]
    with a.messages.stream(model="claude-3-5-haiku-latest", max_tokens=50, system="Be terse.",
                           messages=[{"role": "user", "content": "hello"}]) as s:
        assert "".join(s.text_stream) == "Hi."
    tool = {"name": "get_weather", "input_schema": WEATHER_TOOL["function"]["parameters"]}
    r = a.messages.create(model="claude-3-5-haiku-latest", max_tokens=50, tools=[tool],
                          messages=[{"role": "user", "content": "weather?"}])
    assert r.stop_reason == "tool_use"
    uses = [b for b in r.content if b.type == "tool_use"]
    assert uses[0].name == "get_weather" and uses[0].input == {"city": "Oslo", "unit": "c"}
    assert "sk-ant" not in str(journal(server, scope=scope, path="/v1/messages")[0]["headers"])


# --------------------------------------------------------------------------- API, strict mode, file
def test_fixtures_api(server, scope):
    added = add_fixture(server, [{"name": "a", "respond": {"text": "A"}}, {"id": "fx-b", "respond": {"text": "B"}}],
                        scope=scope)
    assert [f["name"] for f in added] == ["a", None] and added[1]["id"] == "fx-b"
    listed = api(server, "GET", "/_emulator/fixtures", scope=scope).json()
    assert listed["object"] == "list" and {f["id"] for f in listed["data"]} == {added[0]["id"], "fx-b"}
    assert all(f["source"] == "runtime" and f["hits"] == 0 for f in listed["data"])
    assert listed["data"][0]["rule"]["respond"] == {"text": "A"}
    r = api(server, "DELETE", "/_emulator/fixtures/fx-b", scope=scope)
    assert r.status_code == 200 and r.json() == {"id": "fx-b", "deleted": True}
    assert api(server, "DELETE", "/_emulator/fixtures/fx-b", scope=scope).status_code == 404
    assert api(server, "GET", "/_emulator/fixtures", scope="someone-else").json()["data"] == []
    assert api(server, "DELETE", "/_emulator/fixtures", scope=scope).status_code == 200
    assert api(server, "GET", "/_emulator/fixtures", scope=scope).json()["data"] == []


@pytest.mark.parametrize("rule,words", [
    ({"match": {"last_user": "x"}}, ["respond"]),
    ({"respond": {}}, ["text"]),
    ({"respond": {"fault": "explode"}}, ["explode"]),
    ({"match": {"last_user": {"regex": "("}}, "respond": {"text": "x"}}, ["regex"]),
    ({"match": {"tools": 5}, "respond": {"text": "x"}}, []),
])
def test_invalid_fixtures_are_400(server, scope, rule, words):
    r = api(server, "POST", "/_emulator/fixtures", json=rule, scope=scope)
    assert r.status_code == 400, r.text
    err = assert_error(r.json(), type_=..., param=..., code=...)
    for w in words:
        assert w in err["message"] or w in str(err["param"]), (w, err)
    assert api(server, "GET", "/_emulator/fixtures", scope=scope).json()["data"] == []


def test_hit_counts(server, scope, oa, fx):
    f = fx({"match": {"last_user": "count me"}, "respond": {"text": "ok"}})[0]
    for _ in range(3):
        ask(oa, "count me")
    hits = {x["id"]: x["hits"] for x in api(server, "GET", "/_emulator/fixtures", scope=scope).json()["data"]}
    assert hits[f["id"]] == 3


def test_strict_mode_names_the_closest_rule(start_server):
    emu = start_server("--fixtures-strict", "--drain-delay", "0")
    sc = "strict-" + uuid.uuid4().hex[:8]
    c = make_client(emu, default_headers={"X-Emulator-Scope": sc})
    with pytest.raises(openai.NotFoundError) as e:
        ask(c, "anything")
    assert e.value.code == "fixture_not_found" and "there are no fixtures" in e.value.message
    add_fixture(emu, [{"name": "weather-rule", "match": {"model": "gpt-4o*", "last_user": "weather"}, "respond": {"text": "ok"}},
                      {"name": "far-rule", "match": {"model": "claude*", "last_user": "zzz", "endpoint": "messages"},
                       "respond": {"text": "no"}}], scope=sc)
    assert ask(c, "the weather?").choices[0].message.content == "ok"
    with pytest.raises(openai.NotFoundError) as e:
        ask(c, "the news?")
    msg = e.value.message
    assert "Closest rule 'weather-rule'" in msg and "last user message" in msg and "weather" in msg, msg
    assert "far-rule" not in msg


def test_fixtures_file_hot_reload_broken_then_fixed(start_server, tmp_path):
    path = tmp_path / "fixtures.yaml"
    path.write_text("fixtures:\n  - name: greet\n    match: {last_user: hello}\n    respond: {text: 'version one'}\n")
    emu = start_server("--fixtures", str(path), "--drain-delay", "0", fresh=True)
    c = make_client(emu)

    def answer():
        return ask(c, "hello").choices[0].message.content

    assert answer() == "version one"
    listed = api(emu, "GET", "/_emulator/fixtures").json()["data"]
    assert listed[0]["source"] == "file" and listed[0]["name"] == "greet"
    time.sleep(1.1)  # a new modification time
    path.write_text("fixtures:\n  - name: greet\n    match: {last_user: hello}\n    respond: {text: 'version two'}\n")
    deadline = time.monotonic() + 5
    while answer() != "version two" and time.monotonic() < deadline:
        time.sleep(0.2)
    assert answer() == "version two"
    path.write_text("fixtures:\n  - name: greet\n    match: {last_user: hello\n    respond: [broken\n")
    assert "not reloaded" in emu.wait_for_output(lambda t: "not reloaded" in t, 5)
    assert emu.alive() and answer() == "version two"
    path.write_text('{"fixtures": [{"name": "greet", "match": {"last_user": "hello"}, "respond": {"text": "version three"}}]}')
    deadline = time.monotonic() + 5
    while answer() != "version three" and time.monotonic() < deadline:
        time.sleep(0.2)
    assert answer() == "version three"


def test_file_fixtures_apply_to_every_scope_and_runtime_ones_to_their_own(start_server, tmp_path):
    path = tmp_path / "fixtures.json"
    path.write_text(json.dumps([{"name": "shared", "match": {"last_user": "shared"}, "respond": {"text": "from file"}}]))
    emu = start_server("--fixtures", str(path), "--drain-delay", "0", fresh=True)
    for sc in ("a", "b"):
        c = make_client(emu, default_headers={"X-Emulator-Scope": sc})
        assert ask(c, "shared").choices[0].message.content == "from file"
    add_fixture(emu, {"match": {"last_user": "mine"}, "respond": {"text": "only a"}}, scope="a")
    assert ask(make_client(emu, default_headers={"X-Emulator-Scope": "a"}), "mine").choices[0].message.content == "only a"
    assert ask(make_client(emu, default_headers={"X-Emulator-Scope": "b"}), "mine").choices[0].message.content == DEFAULT_TEXT
