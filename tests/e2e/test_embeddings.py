"""POST /v1/embeddings through the official SDK: shapes, sizes, dimensions, float and base64 encodings,
similarity behaviour, speed, and the bad-input rows with the real status and envelope."""

from __future__ import annotations

import base64
import math
import struct

import httpx
import openai
import pytest
from openai import OpenAI

from support import assert_error

SMALL = "text-embedding-3-small"


def loose(server) -> OpenAI:
    """The SDK asks for base64 by default and decodes it itself: strict validation cannot check that."""
    return OpenAI(base_url=server.v1, api_key="x", max_retries=0, timeout=30.0, _strict_response_validation=False)


def floats(client, text, model=SMALL, **kwargs) -> list[float]:
    return client.embeddings.create(model=model, input=text, encoding_format="float", **kwargs).data[0].embedding


def dot(a, b) -> float:
    return sum(x * y for x, y in zip(a, b))


@pytest.mark.parametrize("model,size", [(SMALL, 1536), ("text-embedding-3-large", 3072),
                                        ("text-embedding-ada-002", 1536), ("my-embedder", 1536)])
def test_native_sizes_and_unit_length(client, model, size):
    r = client.embeddings.create(model=model, input="hello world", encoding_format="float")
    assert r.object == "list" and r.model == model
    assert len(r.data) == 1 and r.data[0].object == "embedding" and r.data[0].index == 0
    v = r.data[0].embedding
    assert len(v) == size
    assert abs(dot(v, v) - 1) < 1e-5
    assert r.usage.prompt_tokens == r.usage.total_tokens > 0


def test_batch_of_strings_and_tokens(client):
    r = client.embeddings.create(model=SMALL, input=["first", "second text", "first"], encoding_format="float")
    assert [d.index for d in r.data] == [0, 1, 2]
    assert r.data[0].embedding == r.data[2].embedding != r.data[1].embedding
    t = client.embeddings.create(model=SMALL, input=[[1, 2, 3], [4]], encoding_format="float")
    assert len(t.data) == 2 and t.usage.prompt_tokens == 4
    one = client.embeddings.create(model=SMALL, input=[10, 20, 30], encoding_format="float")
    assert len(one.data) == 1 and one.usage.prompt_tokens == 3


def test_deterministic_and_model_specific(client):
    assert floats(client, "same input") == floats(client, "same input")
    assert floats(client, "same input") != floats(client, "same input", model="text-embedding-ada-002")


def test_similar_texts_are_closer(client):
    fox = floats(client, "The quick brown fox jumps over the lazy dog")
    variant = floats(client, "A quick brown fox jumped over the lazy dogs")
    finance = floats(client, "Quarterly earnings beat analyst expectations as interest rates rose")
    assert dot(fox, variant) > dot(fox, finance) + 0.3


def test_dimensions_truncate_and_renormalise(client):
    full = floats(client, "matryoshka")
    short = floats(client, "matryoshka", dimensions=256)
    assert len(short) == 256 and abs(dot(short, short) - 1) < 1e-5
    norm = math.sqrt(dot(full[:256], full[:256]))
    assert all(abs(s - f / norm) < 1e-6 for s, f in zip(short, full[:256]))
    assert len(floats(client, "x", model="text-embedding-3-large", dimensions=1024)) == 1024


def test_base64_is_the_sdk_default_and_matches_floats(server, client):
    expected = floats(client, "encode me")
    sdk = loose(server).embeddings.create(model=SMALL, input="encode me")  # base64 on the wire, decoded by the SDK
    assert len(sdk.data[0].embedding) == 1536
    assert all(abs(a - b) < 1e-6 for a, b in zip(sdk.data[0].embedding, expected))
    raw = httpx.post(server.v1 + "/embeddings", json={"model": SMALL, "input": "encode me",
                                                      "encoding_format": "base64"}, timeout=10).json()
    data = base64.b64decode(raw["data"][0]["embedding"])
    assert len(data) == 1536 * 4
    assert list(struct.unpack("<1536f", data)) == [struct.unpack("<f", struct.pack("<f", x))[0] for x in expected]


def test_full_batch_of_2048_inputs(server):
    """The largest batch the API allows, answered whole. Its speed is a benchmark figure (README), not a test."""
    inputs = [f"short input number {i} about topic {i % 17}" for i in range(2048)]
    body = {"model": SMALL, "input": inputs, "encoding_format": "float"}
    with httpx.Client(timeout=30) as http:
        http.post(server.v1 + "/embeddings", json={"model": SMALL, "input": "warm up"})
        r = http.post(server.v1 + "/embeddings", json=body)
    assert r.status_code == 200
    data = r.json()["data"]
    assert len(data) == 2048 and all(len(d["embedding"]) == 1536 for d in data)
    assert [d["index"] for d in data] == list(range(2048))


BAD_ROWS = [
    ({"model": SMALL}, "input", ["input"]),
    ({"input": "x"}, "model", ["model"]),
    ({"model": SMALL, "input": ""}, "input", ["'$.input' is invalid"]),
    ({"model": SMALL, "input": []}, "input", ["'$.input' is invalid"]),
    ({"model": SMALL, "input": ["ok", ""]}, "input", ["'$.input' is invalid"]),
    ({"model": SMALL, "input": 42}, "input", ["'$.input' is invalid"]),
    ({"model": SMALL, "input": ["a", 1]}, "input", ["'$.input' is invalid"]),
    ({"model": SMALL, "input": [[1], []]}, "input", ["'$.input' is invalid"]),
    ({"model": SMALL, "input": ["a"] * 2049}, "input", ["2048"]),
    ({"model": SMALL, "input": [7] * 8193}, "input", ["maximum context length is 8192 tokens"]),
    ({"model": SMALL, "input": "word " * 9000}, "input", ["maximum context length is 8192 tokens"]),
    ({"model": "text-embedding-ada-002", "input": "x", "dimensions": 256}, "dimensions",
     ["This model does not support specifying dimensions."]),
    ({"model": SMALL, "input": "x", "dimensions": 0}, "dimensions", ["dimensions"]),
    ({"model": SMALL, "input": "x", "dimensions": 1537}, "dimensions", ["1536"]),
    ({"model": SMALL, "input": "x", "encoding_format": "hex"}, "encoding_format", ["hex"]),
]


@pytest.mark.parametrize("body,param,words", BAD_ROWS, ids=[str(i) for i in range(len(BAD_ROWS))])
def test_bad_input(server, body, param, words):
    r = httpx.post(server.v1 + "/embeddings", json=body, timeout=10)
    assert r.status_code == 400, r.text[:300]
    assert_error(r.json(), param=param, words=words)


def test_sdk_raises_bad_request(client):
    with pytest.raises(openai.BadRequestError) as e:
        client.embeddings.create(model="text-embedding-ada-002", input="x", dimensions=8, encoding_format="float")
    assert e.value.status_code == 400
    assert "does not support specifying dimensions" in e.value.message
