"""LangChain's `ChatOpenAI` (langchain-openai) pointed at the emulator, unchanged: plain and streamed
answers, bound tools, structured output through both of its methods, usage metadata, and the same through
the Responses API."""

from __future__ import annotations

import json
from typing import Literal

import jsonschema
import pytest
from pydantic import BaseModel, Field

from support import DEFAULT_TEXT, MODEL

pytestmark = pytest.mark.timeout(60)

from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage, ToolMessage  # noqa: E402
from langchain_core.tools import tool  # noqa: E402
from langchain_openai import ChatOpenAI  # noqa: E402


def chat_model(server, **kwargs) -> ChatOpenAI:
    kwargs.setdefault("model", MODEL)
    return ChatOpenAI(base_url=server.v1, api_key="sk-e2e", max_retries=0, timeout=30, **kwargs)


class Address(BaseModel):
    street: str
    city: str


class Person(BaseModel):
    """A person mentioned in the text."""

    name: str = Field(description="Full name")
    age: int = Field(ge=0, le=150)
    role: Literal["admin", "user", "guest"]
    tags: list[str]
    address: Address


@tool
def get_weather(city: str, unit: Literal["celsius", "fahrenheit"], days: int) -> str:
    """Get the weather forecast for a city."""
    return f"Sunny in {city} for {days} days ({unit})."


WEATHER_SCHEMA = {
    "type": "object",
    "properties": {
        "city": {"type": "string"},
        "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
        "days": {"type": "integer"},
    },
    "required": ["city", "unit", "days"],
}


def assert_usage(msg: AIMessage) -> None:
    u = msg.usage_metadata
    assert u is not None, f"no usage_metadata on {msg!r}"
    assert u["input_tokens"] > 0 and u["output_tokens"] > 0, u
    assert u["total_tokens"] == u["input_tokens"] + u["output_tokens"], u


def test_invoke_returns_the_answer_with_usage(server):
    msg = chat_model(server).invoke("Say hello.")
    assert isinstance(msg, AIMessage)
    assert msg.content == DEFAULT_TEXT
    assert msg.response_metadata["finish_reason"] == "stop"
    assert msg.response_metadata["model_name"].startswith(MODEL)
    assert msg.response_metadata["id"].startswith("chatcmpl-")
    assert_usage(msg)


def test_invoke_with_message_list_and_system_prompt(server):
    msg = chat_model(server).invoke([("system", "You are terse."), HumanMessage("Say hello.")])
    assert msg.content == DEFAULT_TEXT


def test_stream_assembles_the_same_text_with_usage(server):
    llm = chat_model(server, stream_usage=True)
    chunks = []
    for chunk in llm.stream("Say hello."):
        assert isinstance(chunk, AIMessageChunk)
        chunks.append(chunk)
        assert len(chunks) < 10_000
    assert len([c for c in chunks if c.content]) > 1, "the answer should arrive in several pieces"
    full = chunks[0]
    for c in chunks[1:]:
        full = full + c
    assert full.content == DEFAULT_TEXT
    assert full.response_metadata.get("finish_reason") == "stop"
    assert_usage(full)


def test_async_invoke_and_stream(server):
    import asyncio

    async def run():
        llm = chat_model(server)
        msg = await llm.ainvoke("Say hello.")
        chunks = [c async for c in llm.astream("Say hello.")]
        return msg, chunks

    msg, chunks = asyncio.run(asyncio.wait_for(run(), 30))
    assert msg.content == DEFAULT_TEXT
    assert "".join(c.content for c in chunks) == DEFAULT_TEXT


def test_bind_tools_invoke_returns_tool_calls_matching_the_schema(server):
    llm = chat_model(server).bind_tools([get_weather])
    msg = llm.invoke("What's the weather in Oslo?")
    assert msg.response_metadata["finish_reason"] == "tool_calls"
    assert len(msg.tool_calls) >= 1
    call = msg.tool_calls[0]
    assert call["name"] == "get_weather"
    assert call["id"].startswith("call_")
    jsonschema.validate(call["args"], WEATHER_SCHEMA)
    assert not msg.invalid_tool_calls
    # the call is runnable by the tool itself, and the tool result is answered with text
    result = get_weather.invoke(call)
    assert isinstance(result, ToolMessage) and result.tool_call_id == call["id"]
    final = llm.invoke([HumanMessage("What's the weather in Oslo?"), msg, result])
    assert final.content == DEFAULT_TEXT and not final.tool_calls
    assert final.response_metadata["finish_reason"] == "stop"


def test_bind_tools_with_forced_choice_and_several_tools(server):
    @tool
    def add(a: int, b: int) -> int:
        """Add two integers."""
        return a + b

    llm = chat_model(server).bind_tools([get_weather, add], tool_choice="add")
    msg = llm.invoke("Weather?")
    assert [c["name"] for c in msg.tool_calls] == ["add"]
    args = msg.tool_calls[0]["args"]
    assert set(args) == {"a", "b"} and all(isinstance(v, int) for v in args.values())


def test_bind_tools_stream_assembles_tool_call_args(server):
    llm = chat_model(server).bind_tools([get_weather], tool_choice="get_weather")
    full = None
    for n, chunk in enumerate(llm.stream("What's the weather in Oslo?")):
        assert n < 10_000
        full = chunk if full is None else full + chunk
    assert full is not None
    assert len(full.tool_calls) == 1, full
    assert full.tool_calls[0]["name"] == "get_weather"
    jsonschema.validate(full.tool_calls[0]["args"], WEATHER_SCHEMA)


@pytest.mark.parametrize("method", ["json_schema", "function_calling"])
def test_with_structured_output_returns_an_instance(server, method):
    llm = chat_model(server).with_structured_output(Person, method=method)
    person = llm.invoke("Alice, 30, admin at 1 Main St, Springfield; tags: a, b.")
    assert isinstance(person, Person)
    assert isinstance(person.address, Address)
    assert person.role in ("admin", "user", "guest")
    assert 0 <= person.age <= 150
    assert all(isinstance(t, str) for t in person.tags)


@pytest.mark.parametrize("method", ["json_schema", "function_calling"])
def test_with_structured_output_include_raw(server, method):
    llm = chat_model(server).with_structured_output(Person, method=method, include_raw=True)
    out = llm.invoke("Bob, 41, guest.")
    assert out["parsing_error"] is None
    assert isinstance(out["parsed"], Person)
    raw = out["raw"]
    assert isinstance(raw, AIMessage)
    assert_usage(raw)
    if method == "function_calling":
        assert raw.tool_calls and raw.tool_calls[0]["name"] == "Person"
    else:
        assert Person.model_validate(json.loads(raw.content)) == out["parsed"]


def test_with_structured_output_json_schema_dict(server):
    schema = {
        "title": "Verdict",
        "description": "A verdict.",
        "type": "object",
        "properties": {"ok": {"type": "boolean"}, "score": {"type": "number"},
                       "label": {"type": "string", "enum": ["spam", "ham"]}},
        "required": ["ok", "score", "label"],
        "additionalProperties": False,
    }
    out = chat_model(server).with_structured_output(schema, method="json_schema", strict=True).invoke("Classify.")
    assert isinstance(out, dict)
    jsonschema.validate(out, schema)


def test_responses_api_invoke(server):
    msg = chat_model(server, use_responses_api=True).invoke("Say hello.")
    assert msg.text == DEFAULT_TEXT
    assert msg.response_metadata["id"].startswith("resp_")
    assert_usage(msg)


def test_responses_api_bind_tools(server):
    # LangChain sends Responses function tools without `strict`; the real API then normalizes the schema into
    # strict mode when it can and otherwise falls back to non-strict calling: it does not reject the request.
    llm = chat_model(server, use_responses_api=True).bind_tools([get_weather])
    called = llm.invoke("What's the weather in Oslo?")
    assert len(called.tool_calls) == 1 and called.tool_calls[0]["name"] == "get_weather"
    jsonschema.validate(called.tool_calls[0]["args"], WEATHER_SCHEMA)
    result = get_weather.invoke(called.tool_calls[0])
    final = llm.invoke([HumanMessage("What's the weather in Oslo?"), called, result])
    assert final.text == DEFAULT_TEXT and not final.tool_calls


def test_responses_api_bind_tools_strict(server):
    llm = chat_model(server, use_responses_api=True).bind_tools([get_weather], strict=True)
    called = llm.invoke("What's the weather in Oslo?")
    assert len(called.tool_calls) == 1 and called.tool_calls[0]["name"] == "get_weather"
    jsonschema.validate(called.tool_calls[0]["args"], WEATHER_SCHEMA)


def test_responses_api_structured_output(server):
    person = chat_model(server, use_responses_api=True).with_structured_output(Person, method="json_schema").invoke(
        "Alice.")
    assert isinstance(person, Person) and isinstance(person.address, Address)


def test_responses_api_stream(server):
    llm = chat_model(server, use_responses_api=True)
    full = None
    for n, chunk in enumerate(llm.stream("Say hello.")):
        assert n < 10_000
        full = chunk if full is None else full + chunk
    assert full is not None and full.text == DEFAULT_TEXT
    assert_usage(full)
