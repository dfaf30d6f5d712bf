"""The bad-input table, one test per row: exact status, OpenAI envelope, `param`, `code`, and a message
that names what is wrong. After every row the server must still answer a good request."""

from __future__ import annotations

import json

import httpx
import openai
import pytest

from support import CHAT, MODEL, USER_HI, RawConnection, assert_error, make_client, raw_request, request_bytes

pytestmark = pytest.mark.core


def post_chat(server, body, **kwargs) -> httpx.Response:
    kwargs.setdefault("timeout", 10)
    if isinstance(body, (bytes, str)):
        return httpx.post(server.v1 + "/chat/completions", content=body,
                          headers={"Content-Type": "application/json"}, **kwargs)
    return httpx.post(server.v1 + "/chat/completions", json=body, **kwargs)


def still_serving(server):
    r = post_chat(server, CHAT)
    assert r.status_code == 200, f"a good request after the bad one got {r.status_code}: {r.text[:200]}"


def check_400(server, body, *, param, code=..., words=()):
    r = post_chat(server, body)
    assert r.status_code == 400, r.text
    assert r.headers["content-type"].startswith("application/json")
    err = assert_error(r.json(), param=param, code=code, words=words)
    still_serving(server)
    return err


# --------------------------------------------------------------------------- body that is not a request object
def test_body_that_is_not_json(server):
    err = check_400(server, b'{"model": "gpt-4o-mini", "messages": [', param=None)
    assert "JSON" in err["message"]


def test_body_with_trailing_garbage_is_not_json(server):
    err = check_400(server, json.dumps(CHAT) + " xyz", param=None)
    assert "JSON" in err["message"]


def test_body_that_is_not_utf8(server):
    err = check_400(server, b'{"model": "\xff\xfe", "messages": []}', param=None)
    assert "JSON" in err["message"] or "UTF-8" in err["message"]


def test_empty_body(server):
    err = check_400(server, b"", param=None)
    assert "JSON" in err["message"] or "empty" in err["message"]


@pytest.mark.parametrize("body", [[CHAT], "a string", 42, None, True], ids=["array", "string", "number", "null", "bool"])
def test_json_that_is_not_an_object(server, body):
    err = check_400(server, json.dumps(body), param=None)
    assert "object" in err["message"]


def test_nesting_too_deep_is_400_not_a_crash(server):
    deep = '{"model":"m","messages":[{"role":"user","content":"x"}],"x":' + "[" * 5000 + "]" * 5000 + "}"
    check_400(server, deep, param=None)


# --------------------------------------------------------------------------- model
def test_missing_model(server):
    check_400(server, {"messages": USER_HI}, param="model", code="missing_required_parameter", words=["model"])


def test_model_null_counts_as_missing(server):
    check_400(server, {"model": None, "messages": USER_HI}, param="model", code="missing_required_parameter")


@pytest.mark.parametrize("model", [42, ["gpt-4o"], {"id": "gpt-4o"}, True], ids=["number", "array", "object", "bool"])
def test_model_of_wrong_type(server, model):
    check_400(server, {"model": model, "messages": USER_HI}, param="model", code="invalid_type", words=["model"])


# --------------------------------------------------------------------------- messages
def test_missing_messages(server):
    check_400(server, {"model": MODEL}, param="messages", code="missing_required_parameter", words=["messages"])


def test_messages_empty(server):
    check_400(server, {"model": MODEL, "messages": []}, param="messages", code="empty_array",
              words=["messages", "empty"])


@pytest.mark.parametrize("messages", ["hello", {"role": "user", "content": "x"}, 7], ids=["string", "object", "number"])
def test_messages_not_an_array(server, messages):
    check_400(server, {"model": MODEL, "messages": messages}, param="messages", code="invalid_type",
              words=["messages", "array"])


def test_message_that_is_not_an_object(server):
    check_400(server, {"model": MODEL, "messages": [{"role": "user", "content": "a"}, "hello"]},
              param="messages[1]", code="invalid_type", words=["messages[1]"])


def test_message_without_role(server):
    check_400(server, {"model": MODEL, "messages": [{"content": "hello"}]}, param="messages[0].role",
              code="missing_required_parameter", words=["messages[0].role"])


def test_message_with_unknown_role(server):
    body = {"model": MODEL, "messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"},
                                         {"role": "wizard", "content": "c"}]}
    err = check_400(server, body, param="messages[2].role", code="invalid_value", words=["wizard"])
    for role in ("system", "developer", "user", "assistant", "tool", "function"):
        assert role in err["message"], f"the message should list the allowed roles: {err['message']!r}"


def test_message_with_role_of_wrong_type(server):
    check_400(server, {"model": MODEL, "messages": [{"role": 1, "content": "a"}]}, param="messages[0].role",
              code="invalid_type", words=["messages[0].role"])


@pytest.mark.parametrize("content", [42, True, {"text": "hi"}], ids=["number", "bool", "object"])
def test_content_of_wrong_type(server, content):
    check_400(server, {"model": MODEL, "messages": [{"role": "user", "content": content}]},
              param="messages[0].content", code="invalid_type", words=["messages[0].content"])


def test_user_content_null(server):
    check_400(server, {"model": MODEL, "messages": [{"role": "user", "content": None}]},
              param="messages[0].content", words=["messages[0].content"])


def test_content_part_with_unknown_type(server):
    body = {"model": MODEL, "messages": [{"role": "user", "content": [{"type": "text", "text": "a"},
                                                                      {"type": "hologram", "data": "x"}]}]}
    check_400(server, body, param="messages[0].content[1].type", code="invalid_value", words=["hologram"])


def test_text_part_without_text(server):
    body = {"model": MODEL, "messages": [{"role": "user", "content": [{"type": "text"}]}]}
    check_400(server, body, param="messages[0].content[0].text", code="missing_required_parameter",
              words=["messages[0].content[0].text"])


def test_tool_message_without_tool_call_id(server):
    body = {"model": MODEL, "messages": [{"role": "tool", "content": "42"}]}
    check_400(server, body, param="messages[0].tool_call_id", code="missing_required_parameter")


# --------------------------------------------------------------------------- other parameters
def test_stream_of_wrong_type(server):
    check_400(server, dict(CHAT, stream="yes"), param="stream", code="invalid_type", words=["stream"])


def test_stream_options_without_stream(server):
    check_400(server, dict(CHAT, stream_options={"include_usage": True}), param="stream_options",
              words=["stream_options"])


def test_temperature_out_of_range(server):
    check_400(server, dict(CHAT, temperature=3), param="temperature", code="decimal_out_of_range",
              words=["temperature"])


def test_the_sdk_raises_bad_request_for_each_row(server):
    c = make_client(server)
    with pytest.raises(openai.BadRequestError) as info:
        c.chat.completions.create(model=MODEL, messages=[{"role": "wizard", "content": "x"}])
    assert info.value.param == "messages[0].role" and info.value.code == "invalid_value"


# --------------------------------------------------------------------------- body size
def test_body_over_the_cap_by_content_length_is_413_and_the_server_keeps_serving(start_server):
    emu = start_server("--max-body-bytes", "4096", fresh=True)
    body = json.dumps({"model": MODEL, "messages": [{"role": "user", "content": "x" * 20000}]}).encode()
    with RawConnection(emu.port) as c:
        c.send(request_bytes("POST", "/v1/chat/completions", body)[: -len(body)])
        r = c.read_response()  # answered from the head: the body is never needed
    assert r.status == 413
    err = assert_error(r.json(), code="request_too_large")
    assert "4096" in err["message"]
    assert r.header("x-request-id") and r.header("access-control-allow-origin") == "*"
    for _ in range(3):
        assert post_chat(emu, CHAT).status_code == 200


def test_chunked_body_over_the_cap_is_413(start_server):
    emu = start_server("--max-body-bytes", "4096")
    payload = json.dumps({"model": MODEL, "messages": [{"role": "user", "content": "y" * 30000}]}).encode()
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(payload[i:i + 1000]), payload[i:i + 1000])
                      for i in range(0, len(payload), 1000)) + b"0\r\n\r\n"
    head = (b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n")
    with RawConnection(emu.port) as c:
        c.send(head)
        try:
            c.send(chunks)
        except (BrokenPipeError, ConnectionResetError):
            pass
        r = c.read_response()
    assert r.status == 413
    assert_error(r.json(), code="request_too_large")
    assert post_chat(emu, CHAT).status_code == 200


def test_body_exactly_at_the_cap_is_accepted_and_one_byte_more_is_not(start_server):
    cap = 2048
    emu = start_server("--max-body-bytes", str(cap))
    body = json.dumps(CHAT).encode()
    exact = body[:-1] + b" " * (cap - len(body)) + b"}"
    assert len(exact) == cap
    assert post_chat(emu, exact).status_code == 200
    over = body[:-1] + b" " * (cap + 1 - len(body)) + b"}"
    r = post_chat(emu, over)
    assert r.status_code == 413
    assert_error(r.json(), code="request_too_large")


# --------------------------------------------------------------------------- routes and methods
@pytest.mark.parametrize("method,path", [("POST", "/v1/does-not-exist"), ("GET", "/v2/models"), ("DELETE", "/"),
                                         ("GET", "/v1/chat/completions/extra"), ("PUT", "/v1/unknown?x=1")])
def test_unknown_route_is_404_naming_method_and_path(server, method, path):
    r = httpx.request(method, server.base + path, json={} if method in ("POST", "PUT") else None, timeout=10)
    assert r.status_code == 404
    err = assert_error(r.json(), param=None, code="unknown_url")
    bare = path.split("?")[0]
    assert method in err["message"] and bare in err["message"], err


@pytest.mark.parametrize("method,path,allowed", [
    ("GET", "/v1/chat/completions", "POST"), ("PUT", "/v1/chat/completions", "POST"),
    ("POST", "/v1/models", "GET"), ("DELETE", "/v1/models/gpt-4o", "GET"), ("POST", "/health", "GET"),
])
def test_wrong_method_is_405_with_allow(server, method, path, allowed):
    r = httpx.request(method, server.base + path, json={} if method in ("POST", "PUT") else None, timeout=10)
    assert r.status_code == 405
    allow = {m.strip() for m in r.headers.get("allow", "").split(",")}
    assert allowed in allow, f"Allow: {r.headers.get('allow')!r}"
    assert method not in allow
    err = assert_error(r.json(), param=None)
    assert method in err["message"] and path in err["message"]


# --------------------------------------------------------------------------- API keys
def test_wrong_api_key_is_401_invalid_api_key(start_server):
    emu = start_server("--api-key", "sk-alpha-123456", "--api-key", "sk-beta-654321")
    for key in ("sk-alpha-123456", "sk-beta-654321"):
        assert make_client(emu, api_key=key).chat.completions.create(model=MODEL, messages=USER_HI).choices
    wrong = make_client(emu, api_key="sk-gamma-999999")
    with pytest.raises(openai.AuthenticationError) as info:
        wrong.chat.completions.create(model=MODEL, messages=USER_HI)
    e = info.value
    assert e.status_code == 401 and e.type == "invalid_request_error" and e.code == "invalid_api_key"
    assert "sk-gamma-999999" not in e.message, "the key is masked in the message"
    assert_error(e.response.json(), param=None, code="invalid_api_key")
    with pytest.raises(openai.AuthenticationError):
        wrong.models.list()
    with pytest.raises(openai.AuthenticationError):
        make_client(emu, api_key="sk-gamma-999999").chat.completions.create(model=MODEL, messages=USER_HI,
                                                                             stream=True)


def test_no_key_when_keys_are_set_is_401(start_server):
    emu = start_server("--api-key", "sk-alpha-123456", "--api-key", "sk-beta-654321")
    r = post_chat(emu, CHAT)
    assert r.status_code == 401
    err = assert_error(r.json(), param=None, code="invalid_api_key")
    assert "API key" in err["message"]
    r = httpx.post(emu.v1 + "/chat/completions", json=CHAT, headers={"Authorization": "Bearer"}, timeout=10)
    assert r.status_code == 401


def test_health_and_preflight_need_no_key(start_server):
    emu = start_server("--api-key", "sk-alpha-123456", "--api-key", "sk-beta-654321")
    assert httpx.get(emu.base + "/health", timeout=10).status_code == 200
    r = httpx.options(emu.v1 + "/chat/completions", headers={"Origin": "http://localhost:3000",
                                                             "Access-Control-Request-Method": "POST"}, timeout=10)
    assert r.status_code in (200, 204)


def test_auth_is_checked_before_the_body(start_server):
    emu = start_server("--api-key", "sk-alpha-123456", "--api-key", "sk-beta-654321")
    r = post_chat(emu, b"not json at all")
    assert r.status_code == 401


def test_api_keys_from_the_environment(start_server):
    emu = start_server(env={"EMULATOR_API_KEYS": "sk-env-1,sk-env-2"})
    for key in ("sk-env-1", "sk-env-2"):
        assert make_client(emu, api_key=key).chat.completions.create(model=MODEL, messages=USER_HI).choices
    with pytest.raises(openai.AuthenticationError):
        make_client(emu, api_key="sk-env-3").chat.completions.create(model=MODEL, messages=USER_HI)
    assert post_chat(emu, CHAT).status_code == 401


def test_api_key_flag_wins_over_the_environment(start_server):
    emu = start_server("--api-key", "sk-flag", env={"EMULATOR_API_KEYS": "sk-env-1"})
    assert make_client(emu, api_key="sk-flag").chat.completions.create(model=MODEL, messages=USER_HI).choices
    with pytest.raises(openai.AuthenticationError):
        make_client(emu, api_key="sk-env-1").chat.completions.create(model=MODEL, messages=USER_HI)


def test_without_keys_any_key_or_none_is_accepted(server):
    assert post_chat(server, CHAT).status_code == 200
    assert make_client(server, api_key="anything").chat.completions.create(model=MODEL, messages=USER_HI).choices
    assert raw_request(server.port, "POST", "/v1/chat/completions", CHAT).status == 200
