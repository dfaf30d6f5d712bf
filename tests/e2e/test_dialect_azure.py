"""Azure OpenAI's dialect through the official SDK's `AzureOpenAI` client: the deployments layout (the
deployment names the model), the `/openai/v1/` layout, the `api-key` header and Azure's 404 for a missing
`api-version`."""

from __future__ import annotations

import httpx
import openai
import pytest
from openai import AsyncAzureOpenAI, AzureOpenAI, OpenAI

from support import DEFAULT_TEXT, MODEL, assert_error, raw_request

pytestmark = pytest.mark.timeout(60)

API_VERSION = "2024-10-21"
DEPLOYMENT = "prod-gpt4o-east"
KEY = "azure-key-0123456789"
MESSAGES = [{"role": "user", "content": "Say hello."}]


def azure(server, *, api_key: str = "any-key", strict: bool = True, **kwargs) -> AzureOpenAI:
    """strict=False where the SDK's own types cannot check the answer: it decodes base64 embeddings after
    validation, and types a legacy completion chunk's `finish_reason` as never null (the real API sends null)."""
    return AzureOpenAI(azure_endpoint=server.base, api_key=api_key, api_version=API_VERSION, max_retries=0,
                       timeout=30.0, _strict_response_validation=strict, **kwargs)


def test_chat_on_a_deployment(server):
    c = azure(server)
    r = c.chat.completions.create(model=DEPLOYMENT, messages=MESSAGES)
    assert r.model == DEPLOYMENT
    assert r.object == "chat.completion"
    assert r.choices[0].message.content == DEFAULT_TEXT
    assert r.choices[0].finish_reason == "stop"
    assert r.usage.prompt_tokens > 0 and r.usage.completion_tokens > 0


def test_chat_with_raw_response_shows_the_deployment_url(server):
    c = azure(server)
    raw = c.chat.completions.with_raw_response.create(model=DEPLOYMENT, messages=MESSAGES)
    assert raw.http_request.url.path == f"/openai/deployments/{DEPLOYMENT}/chat/completions"
    assert raw.http_request.url.params["api-version"] == API_VERSION
    assert raw.http_request.headers["api-key"] == "any-key"
    assert raw.status_code == 200 and raw.parse().model == DEPLOYMENT


def test_chat_stream_on_a_deployment(server):
    c = azure(server)
    chunks = list(c.chat.completions.create(model=DEPLOYMENT, messages=MESSAGES, stream=True,
                                            stream_options={"include_usage": True}))
    assert chunks and len(chunks) < 10_000
    text = "".join(ch.choices[0].delta.content or "" for ch in chunks if ch.choices)
    assert text == DEFAULT_TEXT
    assert {ch.model for ch in chunks} == {DEPLOYMENT}
    assert chunks[-1].usage is not None and chunks[-1].usage.completion_tokens > 0
    finishes = [ch.choices[0].finish_reason for ch in chunks if ch.choices and ch.choices[0].finish_reason]
    assert finishes == ["stop"]


def test_chat_tools_on_a_deployment(server):
    c = azure(server)
    tools = [{"type": "function", "function": {"name": "get_weather", "parameters": {
        "type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}]
    r = c.chat.completions.create(model=DEPLOYMENT, messages=MESSAGES, tools=tools, tool_choice="required")
    assert r.model == DEPLOYMENT and r.choices[0].finish_reason == "tool_calls"
    assert r.choices[0].message.tool_calls[0].function.name == "get_weather"


def test_async_chat_on_a_deployment(server):
    import asyncio

    async def go():
        async with AsyncAzureOpenAI(azure_endpoint=server.base, api_key="k", api_version=API_VERSION,
                                    max_retries=0, timeout=30.0) as c:
            return await c.chat.completions.create(model=DEPLOYMENT, messages=MESSAGES)

    r = asyncio.run(asyncio.wait_for(go(), 30))
    assert r.model == DEPLOYMENT and r.choices[0].message.content == DEFAULT_TEXT


def test_completions_on_a_deployment(server):
    c = azure(server)
    r = c.completions.create(model="instruct-deployment", prompt="Say hello.", max_tokens=5)
    assert r.model == "instruct-deployment"
    assert r.object == "text_completion"
    assert r.choices[0].text and r.usage.completion_tokens <= 5
    chunks = list(azure(server, strict=False).completions.create(model="instruct-deployment", prompt="Say hello.",
                                                                 stream=True))
    assert chunks and len(chunks) < 10_000 and {ch.model for ch in chunks} == {"instruct-deployment"}
    assert "".join(ch.choices[0].text for ch in chunks) == DEFAULT_TEXT
    assert chunks[-1].choices[0].finish_reason == "stop"


def test_embeddings_on_a_deployment(server):
    c = azure(server)
    r = c.embeddings.create(model="embed-deployment", input=["hello", "world"], encoding_format="float")
    assert r.model == "embed-deployment"
    assert [d.index for d in r.data] == [0, 1]
    assert len(r.data[0].embedding) > 0
    assert r.usage.prompt_tokens > 0
    # the SDK's default: base64, decoded by the SDK into the same floats
    b64 = azure(server, strict=False).embeddings.create(model="embed-deployment", input=["hello", "world"])
    assert b64.model == "embed-deployment"
    assert [pytest.approx(d.embedding, abs=1e-6) for d in b64.data] == [d.embedding for d in r.data]
    # a deployment named after its model
    small = c.embeddings.create(model="text-embedding-3-small", input="hello", dimensions=16,
                                encoding_format="float")
    assert small.model == "text-embedding-3-small" and len(small.data[0].embedding) == 16


def test_dimensions_on_a_custom_named_embeddings_deployment(server):
    # Azure deployment names are chosen by the customer and need not name the model: a deployment of
    # text-embedding-3-small called "embed-deployment" takes `dimensions` on Azure. The emulator cannot know
    # the model behind a name, so it should not refuse `dimensions` for a name it does not know.
    r = azure(server).embeddings.create(model="embed-deployment", input="hello", dimensions=16,
                                        encoding_format="float")
    assert r.model == "embed-deployment" and len(r.data[0].embedding) == 16


def test_the_openai_v1_layout(server):
    c = OpenAI(base_url=server.base + "/openai/v1", api_key="k", max_retries=0, timeout=30.0,
               _strict_response_validation=True)
    r = c.chat.completions.create(model=MODEL, messages=MESSAGES)
    assert r.model.startswith(MODEL) and r.choices[0].message.content == DEFAULT_TEXT
    text = "".join(ch.choices[0].delta.content or "" for ch in
                   c.chat.completions.create(model=MODEL, messages=MESSAGES, stream=True) if ch.choices)
    assert text == DEFAULT_TEXT
    e = c.embeddings.create(model="text-embedding-3-small", input="hello", encoding_format="float")
    assert e.model == "text-embedding-3-small" and e.data[0].embedding
    resp = c.responses.create(model=MODEL, input="Say hello.")
    assert resp.output_text == DEFAULT_TEXT
    comp = c.completions.create(model="gpt-3.5-turbo-instruct", prompt="Hi", max_tokens=3)
    assert comp.choices[0].text


def test_api_key_header_is_checked(start_server):
    emu = start_server("--api-key", KEY)
    good = azure(emu, api_key=KEY)
    assert good.chat.completions.create(model=DEPLOYMENT, messages=MESSAGES).model == DEPLOYMENT
    bad = azure(emu, api_key="wrong-key")
    with pytest.raises(openai.AuthenticationError) as e:
        bad.chat.completions.create(model=DEPLOYMENT, messages=MESSAGES)
    assert e.value.status_code == 401
    assert_error(e.value.response.json(), code="invalid_api_key")
    # the raw header as Azure clients send it, on both layouts
    for path in (f"/openai/deployments/{DEPLOYMENT}/chat/completions?api-version={API_VERSION}",
                 "/openai/v1/chat/completions"):
        body = {"model": MODEL, "messages": MESSAGES}
        ok = raw_request(emu.port, "POST", path, body, headers={"api-key": KEY})
        assert ok.status == 200, (path, ok.body)
        wrong = raw_request(emu.port, "POST", path, body, headers={"api-key": "nope"})
        assert wrong.status == 401, (path, wrong.body)
        assert_error(wrong.json(), code="invalid_api_key")
        missing = raw_request(emu.port, "POST", path, body)
        assert missing.status == 401, (path, missing.body)
        assert_error(missing.json())


def test_azure_ad_token_is_accepted_without_server_keys(server):
    c = AzureOpenAI(azure_endpoint=server.base, azure_ad_token="eyJ0eXAi.fake.token", api_version=API_VERSION,
                    max_retries=0, timeout=30.0)
    assert c.chat.completions.create(model=DEPLOYMENT, messages=MESSAGES).model == DEPLOYMENT


def test_missing_api_version_is_404_in_the_openai_envelope(server):
    r = raw_request(server.port, "POST", f"/openai/deployments/{DEPLOYMENT}/chat/completions",
                    {"messages": MESSAGES})
    assert r.status == 404, r.body
    assert r.header("content-type").startswith("application/json")
    assert_error(r.json(), words=("api-version",))
    # the SDK surfaces it as NotFoundError
    c = OpenAI(base_url=server.base + f"/openai/deployments/{DEPLOYMENT}", api_key="k", max_retries=0,
               timeout=30.0)
    with pytest.raises(openai.NotFoundError) as e:
        c.chat.completions.create(model=DEPLOYMENT, messages=MESSAGES)
    assert e.value.status_code == 404
    # an empty api-version is no better
    r = raw_request(server.port, "POST", f"/openai/deployments/{DEPLOYMENT}/embeddings?api-version=",
                    {"input": "x"})
    assert r.status == 404 and assert_error(r.json())


def test_deployment_overrides_the_body_model(server):
    r = httpx.post(server.base + f"/openai/deployments/{DEPLOYMENT}/chat/completions",
                   params={"api-version": API_VERSION}, json={"model": "something-else", "messages": MESSAGES},
                   headers={"api-key": "k"}, timeout=10)
    assert r.status_code == 200, r.text
    assert r.json()["model"] == DEPLOYMENT
