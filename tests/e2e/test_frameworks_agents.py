"""The OpenAI Agents SDK (`openai-agents`) on an `AsyncOpenAI` client pointed at the emulator: an agent with
one function tool runs to completion (the tool is called with valid arguments, its result goes back, a final
text answer comes) through both the Responses model and the Chat Completions model, whole and streamed."""

from __future__ import annotations

import asyncio
import json
import os
import uuid
from typing import Literal

import httpx
import pytest

os.environ["OPENAI_AGENTS_DISABLE_TRACING"] = "1"

from agents import (  # noqa: E402
    Agent,
    ModelSettings,
    OpenAIChatCompletionsModel,
    OpenAIResponsesModel,
    RunConfig,
    Runner,
    function_tool,
    set_tracing_disabled,
)
from openai import AsyncOpenAI  # noqa: E402
from pydantic import BaseModel  # noqa: E402

from support import DEFAULT_TEXT, MODEL  # noqa: E402

set_tracing_disabled(True)

pytestmark = pytest.mark.timeout(60)

MODELS = {"responses": OpenAIResponsesModel, "chat": OpenAIChatCompletionsModel}


def run(coro, timeout: float = 30.0):
    return asyncio.run(asyncio.wait_for(coro, timeout))


def sdk(server, scope: str | None = None) -> AsyncOpenAI:
    headers = {"X-Emulator-Scope": scope} if scope else None
    return AsyncOpenAI(base_url=server.v1, api_key="x", max_retries=0, timeout=30.0, default_headers=headers)


def journal(server, scope: str) -> list[dict]:
    r = httpx.get(server.base + "/_emulator/requests", headers={"X-Emulator-Scope": scope}, timeout=10)
    assert r.status_code == 200, r.text
    return sorted(r.json()["data"], key=lambda e: e["sequence"])


def make_agent(server, kind: str, calls: list, scope: str | None = None, **kwargs) -> Agent:
    @function_tool
    def get_weather(city: str, unit: Literal["celsius", "fahrenheit"], days: int) -> str:
        """Get the weather forecast for a city.

        Args:
            city: The city.
            unit: Temperature unit.
            days: How many days to forecast.
        """
        assert isinstance(city, str) and unit in ("celsius", "fahrenheit") and isinstance(days, int)
        calls.append({"city": city, "unit": unit, "days": days})
        return f"Sunny in {city}, 21 degrees {unit}, for {days} days."

    client = sdk(server, scope)
    return Agent(name="Forecaster", instructions="Answer weather questions with the get_weather tool.",
                 tools=[get_weather], model=MODELS[kind](model=MODEL, openai_client=client), **kwargs)


@pytest.mark.parametrize("kind", list(MODELS))
def test_agent_calls_the_tool_and_answers(server, kind):
    calls: list = []
    scope = f"agents-{uuid.uuid4().hex}"
    agent = make_agent(server, kind, calls, scope)
    result = run(Runner.run(agent, "What's the weather in Oslo?", max_turns=5,
                            run_config=RunConfig(tracing_disabled=True)))
    assert len(calls) == 1, f"the tool should have run once: {calls}"
    kinds = [item.type for item in result.new_items]
    assert kinds == ["tool_call_item", "tool_call_output_item", "message_output_item"], kinds
    output_item = result.new_items[1]
    assert output_item.output == f"Sunny in {calls[0]['city']}, 21 degrees {calls[0]['unit']}, for {calls[0]['days']} days."
    assert result.final_output == DEFAULT_TEXT
    assert len(result.raw_responses) == 2
    for r in result.raw_responses:
        assert r.usage.input_tokens > 0 and r.usage.output_tokens > 0
    # on the wire: two requests, the second carrying the tool's output back under the call's id
    sent = journal(server, scope)
    assert [e["status"] for e in sent] == [200, 200], sent
    call_id = result.new_items[0].raw_item.call_id
    second = sent[1]["body"]
    if kind == "responses":
        assert sent[1]["path"] == "/v1/responses"
        outputs = [i for i in second["input"] if i.get("type") == "function_call_output"]
        assert [(o["call_id"], o["output"]) for o in outputs] == [(call_id, output_item.output)]
    else:
        assert sent[1]["path"] == "/v1/chat/completions"
        tool_msgs = [m for m in second["messages"] if m["role"] == "tool"]
        assert [(m["tool_call_id"], m["content"]) for m in tool_msgs] == [(call_id, output_item.output)]
    assert json.loads(result.new_items[0].raw_item.arguments) == calls[0]


@pytest.mark.parametrize("kind", list(MODELS))
def test_agent_streamed_run(server, kind):
    calls: list = []
    agent = make_agent(server, kind, calls)

    async def go():
        streamed = Runner.run_streamed(agent, "What's the weather in Oslo?", max_turns=5,
                                       run_config=RunConfig(tracing_disabled=True))
        events, text = [], ""
        async for ev in streamed.stream_events():
            events.append(ev)
            assert len(events) < 10_000
            if ev.type == "raw_response_event" and getattr(ev.data, "type", "") == "response.output_text.delta":
                text += ev.data.delta
        return streamed, events, text

    streamed, events, text = run(go())
    assert streamed.is_complete
    assert len(calls) == 1, calls
    assert streamed.final_output == DEFAULT_TEXT
    assert text == DEFAULT_TEXT, "the text deltas assemble into the final answer"
    items = [ev.item.type for ev in events if ev.type == "run_item_stream_event"]
    assert items == ["tool_call_item", "tool_call_output_item", "message_output_item"], items


@pytest.mark.parametrize("kind", list(MODELS))
def test_agent_without_tools_answers_text(server, kind):
    agent = Agent(name="Plain", instructions="Be brief.", model=MODELS[kind](model=MODEL, openai_client=sdk(server)))
    result = run(Runner.run(agent, "Say hello.", max_turns=2))
    assert result.final_output == DEFAULT_TEXT


class Forecast(BaseModel):
    city: str
    temperature: float
    conditions: Literal["sunny", "cloudy", "rain", "snow"]


@pytest.mark.parametrize("kind", list(MODELS))
def test_agent_structured_output_after_tool(server, kind):
    calls: list = []
    agent = make_agent(server, kind, calls, output_type=Forecast)
    result = run(Runner.run(agent, "What's the weather in Oslo?", max_turns=5))
    assert len(calls) == 1
    assert isinstance(result.final_output, Forecast)
    assert result.final_output.conditions in ("sunny", "cloudy", "rain", "snow")


@pytest.mark.parametrize("kind", list(MODELS))
def test_agent_forced_tool_choice(server, kind):
    calls: list = []
    agent = make_agent(server, kind, calls, model_settings=ModelSettings(tool_choice="required"),
                       tool_use_behavior="stop_on_first_tool")
    result = run(Runner.run(agent, "Anything.", max_turns=3))
    assert len(calls) == 1
    assert result.final_output.startswith("Sunny in ")
