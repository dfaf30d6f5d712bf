"""Hostile and broken request bodies, on every endpoint: each row gets its exact status and error envelope,
finishes in bounded time, and the server answers a good request right after it."""

from __future__ import annotations

import json
import time

import httpx
import pytest

from support import CHAT, MODEL, USER_HI, assert_error

pytestmark = pytest.mark.timeout(120)

ANTHROPIC_MODEL = "claude-3-5-sonnet-latest"

#: A minimal valid body for every endpoint that takes one.
GOOD = {
    "chat": ("/v1/chat/completions", CHAT),
    "responses": ("/v1/responses", {"model": MODEL, "input": "Say hello."}),
    "completions": ("/v1/completions", {"model": "gpt-3.5-turbo-instruct", "prompt": "Say hello."}),
    "embeddings": ("/v1/embeddings", {"model": "text-embedding-3-small", "input": "hello"}),
    "messages": ("/v1/messages", {"model": ANTHROPIC_MODEL, "max_tokens": 32, "messages": USER_HI}),
}
ENDPOINTS = list(GOOD)


def post(server, endpoint: str, body, *, headers=None, timeout: float = 60) -> httpx.Response:
    path = GOOD[endpoint][0]
    h = {"Content-Type": "application/json"}
    if endpoint == "messages":
        h["anthropic-version"] = "2023-06-01"
    h.update(headers or {})
    content = body if isinstance(body, (bytes, str)) else json.dumps(body)
    return httpx.post(server.base + path, content=content, headers=h, timeout=timeout)


def still_serving(server, endpoint: str = "chat"):
    r = post(server, endpoint, GOOD[endpoint][1], timeout=15)
    assert r.status_code == 200, f"a good {endpoint} request after the bad one got {r.status_code}: {r.text[:300]}"
    assert server.alive()


def error_of(endpoint: str, r: httpx.Response, *, status: int = 400, param=..., words=()) -> dict:
    """Checks the status and the envelope of the endpoint's dialect; returns the inner error object."""
    assert r.status_code == status, f"expected {status}, got {r.status_code}: {r.text[:500]}"
    assert r.headers["content-type"].startswith("application/json"), r.headers
    body = r.json()
    if endpoint == "messages":
        assert set(body) == {"type", "error"} and body["type"] == "error", f"not an Anthropic envelope: {body!r}"
        err = body["error"]
        assert err["type"] == "invalid_request_error" and err["message"].strip(), body
        if param is not ... and param is not None:
            assert param in err["message"], f"message should name {param!r}: {err['message']!r}"
        for w in words:
            assert w in err["message"], f"message should mention {w!r}: {err['message']!r}"
        return err
    return assert_error(body, param=param, words=words)


def bad(server, endpoint: str, body, *, status=400, param=..., words=(), headers=None, within: float = 30) -> dict:
    start = time.monotonic()
    r = post(server, endpoint, body, headers=headers)
    took = time.monotonic() - start
    err = error_of(endpoint, r, status=status, param=param, words=words)
    assert took < within, f"the answer took {took:.1f}s"
    still_serving(server, endpoint)
    return err


# --------------------------------------------------------------------------- bodies that are not a request
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_empty_body(server, endpoint):
    err = bad(server, endpoint, b"", param=None)
    assert "JSON" in err["message"] or "empty" in err["message"]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_body_not_utf8(server, endpoint):
    body = json.dumps(GOOD[endpoint][1]).encode().replace(b"Say hello.", b"Say \xff\xfe\xc0\x80 hello.")
    body = body.replace(b'"hello"', b'"\xff\xfe"')
    err = bad(server, endpoint, body, param=None)
    assert "UTF-8" in err["message"] or "JSON" in err["message"]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_json_with_a_byte_order_mark_is_read_without_it(server, endpoint):
    """RFC 8259 lets a parser ignore a leading UTF-8 BOM; the emulator does, as Python's json.loads of the
    decoded text would."""
    r = post(server, endpoint, b"\xef\xbb\xbf" + json.dumps(GOOD[endpoint][1]).encode())
    assert r.status_code == 200, r.text[:300]
    still_serving(server, endpoint)


def test_a_byte_order_mark_in_the_middle_is_not_json(server):
    bad(server, "chat", b'{"model":"gpt-4o-mini",\xef\xbb\xbf"messages":[]}', param=None)


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_body_only_whitespace(server, endpoint):
    bad(server, endpoint, b" \r\n\t ", param=None)


# --------------------------------------------------------------------------- numbers out of range
def test_n_one_billion(server):
    bad(server, "chat", dict(CHAT, n=1e9), param="n", words=("n",))


def test_n_one_billion_as_an_integer(server):
    bad(server, "chat", b'{"model":"gpt-4o-mini","messages":[{"role":"user","content":"x"}],"n":1000000000}', param="n")


def test_max_tokens_minus_one(server):
    err = bad(server, "chat", dict(CHAT, max_tokens=-1), param="max_tokens")
    assert err["code"] == "integer_below_min_value"


def test_temperature_five(server):
    err = bad(server, "chat", dict(CHAT, temperature=5), param="temperature")
    assert err["code"] == "decimal_out_of_range"


@pytest.mark.parametrize("endpoint,field,value", [
    ("completions", "max_tokens", -1), ("completions", "n", 10 ** 9), ("completions", "temperature", 5),
    ("responses", "max_output_tokens", -1), ("responses", "temperature", 5),
    ("embeddings", "dimensions", -1), ("embeddings", "dimensions", 10 ** 9),
    ("messages", "max_tokens", -1), ("messages", "temperature", 5),
])
def test_out_of_range_on_other_endpoints(server, endpoint, field, value):
    bad(server, endpoint, dict(GOOD[endpoint][1], **{field: value}), param=field)


@pytest.mark.parametrize("literal", [b"1e400", b"-1e400", b"1" + b"0" * 400, b"NaN", b"Infinity", b"-0"])
def test_numbers_json_cannot_hold(server, literal):
    """Overflowing numbers and non-JSON number words in `max_tokens`: 400, never a crash or a wrap."""
    body = b'{"model":"gpt-4o-mini","messages":[{"role":"user","content":"x"}],"max_tokens":' + literal + b"}"
    bad(server, "chat", body)


# --------------------------------------------------------------------------- wrong types, every parameter
S, I, F, B, O, A = "a string", 7, 0.5, True, {"k": "v"}, ["x"]
#: What each documented parameter is; the test sends two values of other types.
KINDS = {"string": [I, A], "bool": [S, I], "int": [S, F], "number": [S, B], "object": [S, A], "array": [S, O],
         "choice": [I, O]}
PARAMS = {
    "chat": {
        "model": "string", "messages": "array", "frequency_penalty": "number", "presence_penalty": "number",
        "logit_bias": "object", "logprobs": "bool", "top_logprobs": "int", "max_tokens": "int",
        "max_completion_tokens": "int", "n": "int", "response_format": "object", "seed": "int",
        "service_tier": "string", "stop": "stop", "stream": "bool", "stream_options": "object", "temperature": "number",
        "top_p": "number", "tools": "array", "tool_choice": "tool_choice", "parallel_tool_calls": "bool",
        "user": "string", "metadata": "object", "store": "bool", "modalities": "array", "audio": "object",
        "prediction": "object", "reasoning_effort": "choice", "verbosity": "choice", "web_search_options": "object",
        "prompt_cache_key": "string", "safety_identifier": "string", "functions": "array",
    },
    "responses": {
        "model": "string", "input": "input", "instructions": "string", "max_output_tokens": "int",
        "temperature": "number", "top_p": "number", "stream": "bool", "store": "bool", "tools": "array",
        "tool_choice": "tool_choice", "parallel_tool_calls": "bool", "metadata": "object",
        "previous_response_id": "string", "text": "object", "reasoning": "object", "truncation": "choice",
        "user": "string", "include": "array", "background": "bool", "max_tool_calls": "int", "top_logprobs": "int",
        "prompt": "object", "prompt_cache_key": "string", "safety_identifier": "string", "service_tier": "string",
        "stream_options": "object",
    },
    "completions": {
        "model": "string", "prompt": "prompt", "best_of": "int", "echo": "bool", "frequency_penalty": "number",
        "logit_bias": "object", "logprobs": "int", "max_tokens": "int", "n": "int", "presence_penalty": "number",
        "seed": "int", "stop": "stop", "stream": "bool", "stream_options": "object", "suffix": "string",
        "temperature": "number", "top_p": "number", "user": "string",
    },
    "embeddings": {
        "model": "string", "input": "input", "dimensions": "int", "encoding_format": "choice", "user": "string",
    },
    "messages": {
        "model": "string", "messages": "array", "max_tokens": "int", "system": "system", "stop_sequences": "array",
        "stream": "bool", "temperature": "number", "top_p": "number", "top_k": "int", "metadata": "object",
        "tools": "array", "tool_choice": "object", "thinking": "object",
    },
}
#: Members that accept several types: values none of them allows.
UNIONS = {"stop": [I, O], "tool_choice": [I, A], "input": [I, O], "prompt": [I, O], "system": [I, O]}


def wrong_type_rows():
    for endpoint, params in PARAMS.items():
        for name, kind in params.items():
            for value in UNIONS.get(kind) or KINDS[kind]:
                yield pytest.param(endpoint, name, value, id=f"{endpoint}-{name}-{type(value).__name__}")


@pytest.mark.parametrize("endpoint,name,value", list(wrong_type_rows()))
def test_wrong_type_for_every_parameter(server, endpoint, name, value):
    body = dict(GOOD[endpoint][1])
    body[name] = value
    if name == "stream_options":
        body["stream"] = True
    err = bad(server, endpoint, body, param=name if endpoint != "messages" else ...)
    assert name in err["message"], f"the message should name {name!r}: {err['message']!r}"


# --------------------------------------------------------------------------- duplicate keys
def test_duplicate_keys_the_last_one_wins(server):
    """Like Python's json module (which OpenAI's servers use), the last occurrence of a key counts."""
    body = b'{"model":"gpt-4o-mini","messages":[{"role":"user","content":"x"}],"n":500,"n":2}'
    r = post(server, "chat", body)
    assert r.status_code == 200, r.text
    assert len(r.json()["choices"]) == 2
    bad(server, "chat", b'{"model":"gpt-4o-mini","messages":[{"role":"user","content":"x"}],"n":2,"n":500}', param="n")


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_many_duplicate_keys(server, endpoint):
    good = json.dumps(GOOD[endpoint][1])
    body = "{" + ",".join('"user":"u"' for _ in range(50_000)) + "," + good[1:]
    r = post(server, endpoint, body)
    assert r.status_code == 200, r.text[:300]
    still_serving(server, endpoint)


# --------------------------------------------------------------------------- nesting
@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("shape", ["arrays", "objects", "mixed"])
def test_nesting_100000_levels_is_a_400_naming_nesting(server, endpoint, shape):
    depth = 100_000
    if shape == "arrays":
        deep = "[" * depth + "]" * depth
    elif shape == "objects":
        deep = '{"a":' * depth + "1" + "}" * depth
    else:
        deep = '[{"a":' * (depth // 2) + "1" + "}]" * (depth // 2)
    body = json.dumps(GOOD[endpoint][1])[:-1] + ',"metadata":' + deep + "}"
    err = bad(server, endpoint, body, param=None if endpoint != "messages" else ...)
    assert "nesting" in err["message"], err["message"]


def test_nesting_unclosed_100000_levels(server):
    bad(server, "chat", b"[" * 100_000, param=None, words=("nesting",))


def test_nesting_at_the_limit_is_accepted(server):
    """512 levels are allowed (the limit counts the body object itself)."""
    deep = "[" * 510 + "]" * 510
    r = post(server, "chat", json.dumps(CHAT)[:-1] + ',"metadata":{"k":' + json.dumps("x") + '},"stop":null,'
             + '"user":"u","x_nested":' + deep + "}")
    assert r.status_code in (200, 400), r.text
    assert "nesting" not in r.text, r.text[:300]


# --------------------------------------------------------------------------- size
@pytest.mark.timeout(180)
def test_one_hundred_thousand_messages(server):
    messages = [{"role": "user" if i % 2 == 0 else "assistant", "content": "hi"} for i in range(100_000)]
    start = time.monotonic()
    r = post(server, "chat", {"model": MODEL, "messages": messages}, timeout=120)
    took = time.monotonic() - start
    assert r.status_code == 200, r.text[:300]
    assert r.json()["usage"]["prompt_tokens"] > 100_000
    assert took < 60, f"100,000 messages took {took:.1f}s"
    still_serving(server)


@pytest.mark.timeout(240)
def test_a_30_mb_string_under_the_default_32_mib_cap(start_server):
    emu = start_server(fresh=True)
    text = ("lorem ipsum dolor sit amet " * 1_200_000)[:30_000_000]
    start = time.monotonic()
    r = httpx.post(emu.v1 + "/chat/completions", timeout=200,
                   json={"model": MODEL, "messages": [{"role": "user", "content": text}], "max_tokens": 5})
    took = time.monotonic() - start
    assert r.status_code == 200, r.text[:300]
    assert r.json()["usage"]["prompt_tokens"] > 1_000_000
    assert took < 120, f"a 30 MB prompt took {took:.1f}s"
    still_serving(emu)


@pytest.mark.timeout(120)
def test_a_33_mib_string_is_413(start_server):
    emu = start_server(fresh=True)
    text = "x" * (33 << 20)
    r = httpx.post(emu.v1 + "/chat/completions", timeout=60,
                   json={"model": MODEL, "messages": [{"role": "user", "content": text}]})
    assert r.status_code == 413, r.text[:300]
    assert_error(r.json(), param=None)
    still_serving(emu)


# --------------------------------------------------------------------------- strange characters
def test_strings_full_of_nul(server):
    text = "a\u0000b" * 10_000
    r = post(server, "chat", {"model": MODEL, "messages": [{"role": "user", "content": text}]})
    assert r.status_code == 200, r.text[:300]
    r = post(server, "embeddings", {"model": "text-embedding-3-small", "input": "\u0000" * 1000})
    assert r.status_code == 200, r.text[:300]
    still_serving(server)


def test_nul_in_the_model_name_is_echoed_escaped(server):
    r = post(server, "chat", {"model": "gpt-4o-mini\u0000x", "messages": USER_HI})
    assert r.status_code == 200, r.text[:300]
    assert r.json()["model"] == "gpt-4o-mini\u0000x"
    still_serving(server)


@pytest.mark.parametrize("escape,decoded", [
    (r"\ud800", "\ufffd"), (r"\udfff", "\ufffd"), (r"\ud800\ud800", "\ufffd\ufffd"), (r"x\udc00y", "x\ufffdy"),
    (r"\ud83d", "\ufffd"), (r"\ud83d\u0041", "\ufffdA"),
])
def test_lone_surrogates_become_replacement_characters(start_server, escape, decoded):
    """A lone surrogate escape cannot be UTF-8: it is read as U+FFFD (what the echo shows), never a crash."""
    emu = start_server("--response-mode", "echo")
    body = '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"' + escape + '"}]}'
    r = httpx.post(emu.v1 + "/chat/completions", content=body.encode(), timeout=15,
                   headers={"Content-Type": "application/json"})
    assert r.status_code == 200, r.text[:300]
    assert r.json()["choices"][0]["message"]["content"] == decoded
    still_serving(emu)


def test_a_valid_surrogate_pair_is_fine(server):
    body = b'{"model":"gpt-4o-mini","messages":[{"role":"user","content":"\\ud83d\\ude00"}]}'
    r = post(server, "chat", body)
    assert r.status_code == 200, r.text[:300]


# --------------------------------------------------------------------------- tools and schemas
def tool(i: int, parameters=None) -> dict:
    return {"type": "function", "function": {"name": f"tool_{i}", "description": "d" * 20,
                                             "parameters": parameters or {"type": "object", "properties": {
                                                 "a": {"type": "string"}}}}}


def test_ten_thousand_tools_is_a_400_about_the_length(server):
    """OpenAI allows at most 128 tools."""
    start = time.monotonic()
    err = bad(server, "chat", dict(CHAT, tools=[tool(i) for i in range(10_000)], tool_choice="required"),
              param="tools")
    assert "128" in err["message"], err["message"]
    assert time.monotonic() - start < 20


def test_128_tools_is_fine(server):
    r = post(server, "chat", dict(CHAT, tools=[tool(i) for i in range(128)], tool_choice="required"))
    assert r.status_code == 200, r.text[:300]
    assert r.json()["choices"][0]["message"]["tool_calls"]


def enormous_schema(properties: int, depth: int = 0) -> dict:
    leaf = {"type": "string", "pattern": "^[a-z]{3,8}-[0-9]{2,4}$"}
    node = {"type": "object", "properties": {f"p{i}": leaf for i in range(properties)},
            "required": [f"p{i}" for i in range(properties)], "additionalProperties": False}
    for _ in range(depth):
        node = {"type": "object", "properties": {"x": node, "y": {"type": "array", "items": node, "minItems": 5}},
                "required": ["x", "y"], "additionalProperties": False}
    return node


@pytest.mark.parametrize("properties,depth,strict", [(4_000, 0, False), (4_000, 0, True), (30, 8, False),
                                                      (100_000, 0, False)])
def test_enormous_schema_is_bounded_in_time_and_size(server, properties, depth, strict):
    schema = enormous_schema(properties, depth)
    body = dict(CHAT, response_format={"type": "json_schema",
                                       "json_schema": {"name": "big", "strict": strict, "schema": schema}})
    start = time.monotonic()
    r = post(server, "chat", body)
    took = time.monotonic() - start
    assert took < 20, f"{took:.1f}s for a schema of {len(json.dumps(schema))} bytes"
    if r.status_code == 200:
        content = r.json()["choices"][0]["message"]["content"]
        assert len(content) < 4_000_000, f"{len(content)} bytes generated"
        json.loads(content)
    else:
        error_of("chat", r, status=400)
    still_serving(server)


@pytest.mark.parametrize("schema", [
    {"$ref": "#"},
    {"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"$ref": "#/$defs/a"}}, "$ref": "#/$defs/a"},
    {"type": "object", "properties": {"next": {"$ref": "#"}}, "required": ["next"], "additionalProperties": False},
    {"$defs": {"n": {"type": "array", "items": {"$ref": "#/$defs/n"}, "minItems": 2}}, "$ref": "#/$defs/n"},
    {"anyOf": [{"$ref": "#"}, {"allOf": [{"$ref": "#"}]}]},
], ids=["self", "a-b", "required-self", "array-fanout", "anyof-allof-self"])
@pytest.mark.parametrize("strict", [False, True])
def test_ref_cycles_terminate(server, schema, strict):
    body = dict(CHAT, response_format={"type": "json_schema",
                                       "json_schema": {"name": "cyclic", "strict": strict, "schema": schema}})
    start = time.monotonic()
    r = post(server, "chat", body)
    assert time.monotonic() - start < 10
    if r.status_code == 200:
        json.loads(r.json()["choices"][0]["message"]["content"])
    else:
        error_of("chat", r, status=400)
    tools = [tool(0, schema)]
    r = post(server, "chat", dict(CHAT, tools=tools, tool_choice="required"))
    assert r.status_code in (200, 400), r.text[:300]
    if r.status_code == 200:
        json.loads(r.json()["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"])
    still_serving(server)
