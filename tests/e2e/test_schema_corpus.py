"""Every schema in the Swift test corpus, sent to a running emulator through the official client.

Each schema goes out twice per seed: as a structured-output response format (the reply content must
validate) and as the parameters of a function tool with tool_choice "required" (the arguments must
validate). Validation uses jsonschema's Draft 2020-12 validator.

Schemas named contradictory-* can't be satisfied and pathological-* ones may not be (reference
cycles, nesting past the generator's limits, patterns it can't sample): for those only "the reply
is JSON" is checked. OpenAPI's `nullable: true` is rewritten to a type list containing "null"
before validating, since the generator honours it and Draft 2020-12 doesn't know it.
"""

import copy
import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

CORPUS = Path(__file__).resolve().parents[2] / "Tests" / "EmulatorTests" / "Fixtures" / "schemas"
SCHEMAS = sorted(CORPUS.glob("*.json"))
SEEDS = range(3)


def load(path):
    return json.loads(path.read_text())


def expects_valid(path):
    return not path.stem.startswith(("contradictory-", "pathological-"))


def is_object_schema(schema):
    return isinstance(schema, dict) and (schema.get("type") == "object" or "properties" in schema)


def without_nullable(schema):
    """A copy of the schema where `nullable: true` adds "null" to the allowed types."""

    def walk(node):
        if isinstance(node, list):
            return [walk(item) for item in node]
        if not isinstance(node, dict):
            return node
        node = {key: walk(value) for key, value in node.items()}
        if node.pop("nullable", False) is True and "type" in node:
            types = node["type"] if isinstance(node["type"], list) else [node["type"]]
            if "null" not in types:
                node["type"] = types + ["null"]
        return node

    return walk(copy.deepcopy(schema))


def check(path, schema, value):
    if expects_valid(path):
        errors = sorted(Draft202012Validator(without_nullable(schema)).iter_errors(value), key=str)
        assert not errors, f"{path.stem}: {errors[0].message} at {list(errors[0].absolute_path)}"


def name_for(path):
    return path.stem.replace("-", "_")[:64]


def test_corpus_is_there():
    assert len(SCHEMAS) >= 50, f"no corpus in {CORPUS}"


@pytest.mark.parametrize("path", SCHEMAS, ids=lambda p: p.stem)
def test_response_format(client, path):
    schema = load(path)
    for seed in SEEDS:
        completion = client.chat.completions.create(
            model="gpt-4o-mini",
            messages=[{"role": "user", "content": "x"}],
            seed=seed,
            response_format={
                "type": "json_schema",
                "json_schema": {"name": name_for(path), "schema": schema, "strict": False},
            },
        )
        content = completion.choices[0].message.content
        assert content is not None
        check(path, schema, json.loads(content))


@pytest.mark.parametrize("path", [p for p in SCHEMAS if is_object_schema(load(p))], ids=lambda p: p.stem)
def test_tool_arguments(client, path):
    schema = load(path)
    for seed in SEEDS:
        completion = client.chat.completions.create(
            model="gpt-4o-mini",
            messages=[{"role": "user", "content": "x"}],
            seed=seed,
            tools=[{"type": "function", "function": {"name": name_for(path), "parameters": schema}}],
            tool_choice="required",
        )
        calls = completion.choices[0].message.tool_calls
        assert calls, f"{path.stem}: no tool call"
        assert calls[0].function.name == name_for(path)
        check(path, schema, json.loads(calls[0].function.arguments))
