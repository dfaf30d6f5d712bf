"""The Responses API through the official SDK: shapes, the typed event stream, function calls,
structured output, stored responses, previous_response_id and its bad-input rows."""

from __future__ import annotations

import json

import httpx
import openai
import pytest
from openai.types.responses import Response

from support import DEFAULT_TEXT, MODEL, assert_error, make_client

WEATHER = {"type": "function", "name": "get_weather", "description": "Forecast for a city",
           "parameters": {"type": "object", "properties": {"city": {"type": "string"},
                                                            "days": {"type": "integer", "minimum": 1, "maximum": 7}},
                          "required": ["city", "days"], "additionalProperties": False},
           "strict": True}


def test_create_has_the_real_shape(client):
    raw = client.responses.with_raw_response.create(model=MODEL, input="Say hello.", instructions="Be brief.",
                                                    metadata={"k": "v"}, temperature=0.5)
    body = raw.http_response.json()
    r = Response.model_validate(body)
    assert body["id"].startswith("resp_") and body["object"] == "response" and body["status"] == "completed"
    assert body["instructions"] == "Be brief." and body["metadata"] == {"k": "v"} and body["temperature"] == 0.5
    assert r.output_text == DEFAULT_TEXT
    message = body["output"][-1]
    assert message["type"] == "message" and message["id"].startswith("msg_") and message["status"] == "completed"
    u = body["usage"]
    assert u["total_tokens"] == u["input_tokens"] + u["output_tokens"] and u["input_tokens"] > 0


def test_stream_events_carry_sequence_numbers_and_the_final_response(client):
    events = list(client.responses.create(model=MODEL, input="Say hello.", stream=True))
    assert [e.sequence_number for e in events] == list(range(len(events)))
    assert events[0].type == "response.created" and events[0].response.status == "in_progress"
    assert events[-1].type == "response.completed"
    deltas = [e for e in events if e.type == "response.output_text.delta"]
    assert "".join(d.delta for d in deltas) == DEFAULT_TEXT
    assert len({(d.item_id, d.output_index, d.content_index) for d in deltas}) == 1


def test_function_call_and_its_streamed_arguments(client):
    r = client.responses.create(model=MODEL, input="Weather in Rome for 3 days?", tools=[WEATHER], tool_choice="required")
    call = next(item for item in r.output if item.type == "function_call")
    args = json.loads(call.arguments)
    assert set(args) == {"city", "days"} and 1 <= args["days"] <= 7 and call.call_id.startswith("call_")
    events = list(client.responses.create(model=MODEL, input="Weather?", tools=[WEATHER], tool_choice="required",
                                          stream=True))
    types = [e.type for e in events]
    assert "response.function_call_arguments.delta" in types and "response.function_call_arguments.done" in types
    streamed = "".join(e.delta for e in events if e.type == "response.function_call_arguments.delta")
    done = next(e for e in events if e.type == "response.function_call_arguments.done")
    assert streamed == done.arguments
    assert json.loads(done.arguments)["city"]


def test_tool_result_turn_answers_with_text(client):
    first = client.responses.create(model=MODEL, input="Weather in Rome?", tools=[WEATHER])
    call = next(item for item in first.output if item.type == "function_call")
    second = client.responses.create(
        model=MODEL, tools=[WEATHER], previous_response_id=first.id,
        input=[{"type": "function_call_output", "call_id": call.call_id, "output": '{"forecast": "sunny"}'}])
    assert second.output_text and not [i for i in second.output if i.type == "function_call"]


def test_structured_output_follows_the_schema(client):
    schema = {"type": "object", "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
              "required": ["name", "age"], "additionalProperties": False}
    r = client.responses.create(model=MODEL, input="Who?",
                                text={"format": {"type": "json_schema", "name": "person", "schema": schema, "strict": True}})
    value = json.loads(r.output_text)
    assert set(value) == {"name", "age"} and isinstance(value["age"], int)


def test_previous_response_counts_its_conversation_and_input_items_are_kept(client):
    first = client.responses.create(model=MODEL, input=[{"role": "user", "content": "A long first question " * 20}])
    second = client.responses.create(model=MODEL, input="And then?", previous_response_id=first.id)
    alone = client.responses.create(model=MODEL, input="And then?")
    assert second.usage.input_tokens > alone.usage.input_tokens + first.usage.output_tokens
    items = client.responses.input_items.list(second.id)
    assert [i.type for i in items.data] == ["message"]
    assert items.data[0].content[0].text == "And then?"


def test_stored_responses_can_be_fetched_and_deleted_and_store_false_is_not_kept(client):
    kept = client.responses.create(model=MODEL, input="Keep me.")
    assert client.responses.retrieve(kept.id).output_text == kept.output_text
    client.responses.delete(kept.id)
    with pytest.raises(openai.NotFoundError):
        client.responses.retrieve(kept.id)
    gone = client.responses.create(model=MODEL, input="Forget me.", store=False)
    with pytest.raises(openai.NotFoundError):
        client.responses.retrieve(gone.id)


def test_unknown_previous_response_is_404(client):
    with pytest.raises(openai.NotFoundError) as e:
        client.responses.create(model=MODEL, input="x", previous_response_id="resp_nope")
    assert "resp_nope" in e.value.message


def test_max_output_tokens_gives_an_incomplete_stream_too(start_server):
    c = make_client(start_server("--response-text", " ".join(f"w{i}" for i in range(60))))
    events = list(c.responses.create(model=MODEL, input="Talk.", max_output_tokens=16, stream=True))
    assert events[-1].type == "response.incomplete"
    assert events[-1].response.incomplete_details.reason == "max_output_tokens"
    assert events[-1].response.usage.output_tokens == 16


def test_reasoning_models_report_a_reasoning_item(client):
    r = client.responses.create(model="o4-mini", input="Think.", reasoning={"effort": "low"})
    assert r.output[0].type == "reasoning"
    assert r.usage.output_tokens_details.reasoning_tokens > 0


@pytest.mark.parametrize("body,param", [
    ({"input": "x"}, "model"),
    ({"model": MODEL}, "input"),
    ({"model": MODEL, "input": 42}, "input"),
    ({"model": MODEL, "input": [{"role": "wizard", "content": "x"}]}, "input[0].role"),
    ({"model": MODEL, "input": "x", "max_output_tokens": 3}, "max_output_tokens"),
    ({"model": MODEL, "input": "x", "tools": [{"type": "function"}]}, "tools[0].name"),
    ({"model": MODEL, "input": "x", "text": {"format": {"type": "yaml"}}}, "text.format.type"),
    ({"model": MODEL, "input": "x", "tool_choice": "sometimes"}, "tool_choice"),
], ids=["no-model", "no-input", "input-number", "bad-role", "max-output-below-16", "tool-without-name",
        "unknown-format", "bad-tool-choice"])
def test_bad_input_is_a_400_naming_the_field(server, body, param):
    r = httpx.post(server.v1 + "/responses", json=body, timeout=10)
    assert r.status_code == 400, r.text
    assert_error(r.json(), param=param)
