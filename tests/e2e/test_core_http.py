"""HTTP behaviour over raw sockets and httpx: headers, CORS, keep-alive, pipelining, HTTP/1.0, Expect,
bodies in pieces, clients that leave, and bursts of connections."""

from __future__ import annotations

import concurrent.futures
import json
import re
import socket
import time

import httpx
import pytest
from openai.types.chat import ChatCompletion

from support import (CHAT, DEFAULT_TEXT, MODEL, RawConnection, assert_error, chunks_of, post_after_100_continue,
                     raw_request, request_bytes, sse_data)

pytestmark = pytest.mark.core

REQUEST_ID = re.compile(r"^[A-Za-z0-9_\-]{8,}$")


def test_health_answers_ok(server):
    r = httpx.get(server.base + "/health", timeout=10)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/json")
    assert r.json() == {"status": "ok"}


CASES = [
    ("GET", "/health", None),
    ("GET", "/v1/models", None),
    ("GET", "/v1/models/no-such-model", None),
    ("POST", "/v1/chat/completions", CHAT),
    ("POST", "/v1/chat/completions", dict(CHAT, stream=True)),
    ("POST", "/v1/chat/completions", {"model": MODEL, "messages": []}),
    ("POST", "/v1/chat/completions", [1]),
    ("GET", "/v1/no-such-route", None),
    ("GET", "/v1/chat/completions", None),
    ("OPTIONS", "/v1/chat/completions", None),
]


@pytest.mark.parametrize("method,path,body", CASES, ids=[f"{m} {p} {i}" for i, (m, p, _) in enumerate(CASES)])
def test_every_answer_carries_the_common_headers(server, method, path, body):
    with httpx.stream(method, server.base + path, json=body, timeout=10) as r:
        r.read()
    assert REQUEST_ID.match(r.headers.get("x-request-id", "")), r.headers
    assert r.headers.get("content-type")
    assert r.headers.get("access-control-allow-origin") == "*"
    ms = r.headers.get("openai-processing-ms")
    assert ms is not None and float(ms) >= 0, ms


def test_request_ids_are_unique_across_threads(server):
    def one(i):
        if i % 3 == 0:
            r = httpx.get(server.base + "/health", timeout=10)
        elif i % 3 == 1:
            r = httpx.post(server.v1 + "/chat/completions", json=CHAT, timeout=10)
        else:
            r = httpx.get(server.base + "/nope", timeout=10)
        return r.headers.get("x-request-id")

    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        ids = list(pool.map(one, range(150)))
    assert all(ids)
    assert len(set(ids)) == len(ids), "x-request-id values repeat"


@pytest.mark.parametrize("path", ["/v1/chat/completions", "/v1/models", "/any/path/at/all"])
def test_options_answers_a_cors_preflight(server, path):
    r = httpx.options(server.base + path, headers={
        "Origin": "http://localhost:5173",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type, x-stainless-os",
    }, timeout=10)
    assert r.status_code in (200, 204)
    assert r.headers.get("access-control-allow-origin") == "*"
    methods = {m.strip() for m in r.headers.get("access-control-allow-methods", "").upper().split(",")}
    assert {"GET", "POST", "OPTIONS"} <= methods or methods == {"*"}, methods
    allowed = r.headers.get("access-control-allow-headers", "").lower()
    for h in ("authorization", "content-type", "x-stainless-os"):
        assert h in allowed or allowed.strip() == "*", allowed
    assert r.headers.get("x-request-id")


# --------------------------------------------------------------------------- connection handling
def test_keep_alive_serves_three_requests_on_one_connection(server):
    with RawConnection(server.port) as c:
        for i in range(3):
            c.send(request_bytes("POST", "/v1/chat/completions", CHAT))
            r = c.read_response()
            assert r.status == 200, i
            assert r.header("connection") != "close"
            ChatCompletion.model_validate(r.json())
        c.send(request_bytes("GET", "/health"))
        assert c.read_response().json() == {"status": "ok"}


def test_keep_alive_after_a_stream_and_an_error(server):
    with RawConnection(server.port) as c:
        c.send(request_bytes("POST", "/v1/chat/completions", dict(CHAT, stream=True)))
        r = c.read_response()
        assert r.status == 200 and r.chunked
        chunks_of(sse_data(r.body))
        c.send(request_bytes("POST", "/v1/chat/completions", {"model": MODEL}))
        assert c.read_response().status == 400
        c.send(request_bytes("GET", "/nowhere"))
        assert c.read_response().status == 404
        c.send(request_bytes("POST", "/v1/chat/completions", CHAT))
        assert c.read_response().status == 200


def test_body_sent_in_several_writes_with_pauses(server):
    data = request_bytes("POST", "/v1/chat/completions", CHAT)
    head_end = data.index(b"\r\n\r\n") + 4
    pieces = [data[:10], data[10:head_end], *[data[i:i + 7] for i in range(head_end, len(data), 7)]]
    with RawConnection(server.port) as c:
        for p in pieces:
            c.send(p)
            time.sleep(0.02)
        r = c.read_response()
    assert r.status == 200, r.body
    ChatCompletion.model_validate(r.json())


def test_expect_100_continue_then_body(server):
    r = post_after_100_continue(server.port, "/v1/chat/completions", CHAT)
    assert r.status == 200
    ChatCompletion.model_validate(r.json())


def test_pipelined_requests_are_answered_in_order(server):
    reqs = [
        request_bytes("GET", "/health"),
        request_bytes("POST", "/v1/chat/completions", CHAT),
        request_bytes("GET", "/v1/nowhere"),
        request_bytes("POST", "/v1/chat/completions", dict(CHAT, stream=True)),
        request_bytes("GET", "/v1/models"),
    ]
    with RawConnection(server.port) as c:
        c.send(b"".join(reqs))
        statuses = []
        answers = [c.read_response() for _ in reqs]
    statuses = [a.status for a in answers]
    assert statuses == [200, 200, 404, 200, 200], statuses
    assert answers[0].json() == {"status": "ok"}
    ChatCompletion.model_validate(answers[1].json())
    assert chunks_of(sse_data(answers[3].body))
    assert answers[4].json()["object"] == "list"
    assert len({a.header("x-request-id") for a in answers}) == len(answers)


def test_http_1_0_client(server):
    r = raw_request(server.port, "POST", "/v1/chat/completions", CHAT, version="HTTP/1.0")
    assert r.status == 200
    ChatCompletion.model_validate(r.json())
    # An HTTP/1.0 client cannot take chunked encoding: the stream is sent until the connection closes.
    with RawConnection(server.port) as c:
        c.send(request_bytes("POST", "/v1/chat/completions", dict(CHAT, stream=True), version="HTTP/1.0"))
        r = c.read_response()
    assert r.status == 200
    assert "chunked" not in r.headers.get("transfer-encoding", "")
    assert chunks_of(sse_data(r.body))
    # Frames larger than the server's unchunked block (each token here carries 20 alternatives) arrive whole.
    with RawConnection(server.port) as c:
        c.send(request_bytes("POST", "/v1/chat/completions",
                             dict(CHAT, stream=True, logprobs=True, top_logprobs=20), version="HTTP/1.0"))
        r = c.read_response()
    assert r.status == 200 and r.body.endswith(b"data: [DONE]\n\n")
    chunks = chunks_of(sse_data(r.body))
    content = [ch for ch in chunks if ch["choices"] and ch["choices"][0]["delta"].get("content")]
    assert content and all(len(ch["choices"][0]["logprobs"]["content"][0]["top_logprobs"]) == 20 for ch in content)
    assert max(len(json.dumps(ch)) for ch in content) > 1024
    assert "".join(ch["choices"][0]["delta"]["content"] for ch in content) == DEFAULT_TEXT


def test_head_of_health(server):
    r = raw_request(server.port, "HEAD", "/health")
    assert r.status == 200 and r.body == b""


def test_query_strings_do_not_change_the_route(server):
    assert httpx.get(server.base + "/health?probe=1&x=%20", timeout=10).json() == {"status": "ok"}
    r = httpx.post(server.v1 + "/chat/completions?api-version=2024-01-01", json=CHAT, timeout=10)
    assert r.status_code == 200


# --------------------------------------------------------------------------- clients that leave, bursts
@pytest.mark.timeout(60)
def test_client_leaving_mid_stream_does_not_hurt_the_server(start_server):
    emu = start_server("--itl-ms", "30", "--response-text", " ".join(["word"] * 80), fresh=True)
    body = dict(CHAT, stream=True)
    for i in range(8):
        c = RawConnection(emu.port)
        c.send(request_bytes("POST", "/v1/chat/completions", body))
        head = c.read_response(head_only=True)
        assert head.status == 200
        if i % 2:
            time.sleep(0.1)  # leave after a few frames
        if i % 4 == 3:
            c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")  # RST
        c.close()
    time.sleep(0.5)
    assert emu.alive()
    for _ in range(3):
        assert httpx.post(emu.v1 + "/chat/completions", json=CHAT, timeout=10).status_code == 200
    with httpx.stream("POST", emu.v1 + "/chat/completions", json=body, timeout=20) as r:
        data = [line[6:] for line in r.iter_lines() if line.startswith("data: ")]
    assert data[-1] == "[DONE]" and len(data) >= 80


@pytest.mark.timeout(120)
def test_a_thousand_connections_opened_and_dropped_at_once(start_server):
    emu = start_server(fresh=True)
    socks = []
    for i in range(1000):
        s = socket.socket()
        s.setblocking(False)
        s.connect_ex(("127.0.0.1", emu.port))
        socks.append(s)
    time.sleep(0.2)
    for i, s in enumerate(socks):
        if i % 3 == 0:
            try:
                s.send(b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\n{\"mod")
            except OSError:
                pass
        if i % 2 == 0:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        s.close()
    deadline = time.monotonic() + 20
    while True:
        try:
            r = httpx.get(emu.base + "/health", timeout=5)
            break
        except httpx.HTTPError:
            assert time.monotonic() < deadline, "no /health answer 20 s after the burst"
            time.sleep(0.1)
    assert r.status_code == 200
    assert emu.alive()
    c = httpx.post(emu.v1 + "/chat/completions", json=CHAT, timeout=10)
    assert c.status_code == 200
    ChatCompletion.model_validate(c.json())
    with httpx.stream("POST", emu.v1 + "/chat/completions", json=dict(CHAT, stream=True), timeout=10) as r:
        assert r.status_code == 200 and r.read().endswith(b"data: [DONE]\n\n")


@pytest.mark.timeout(60)
def test_many_concurrent_streams_all_complete(start_server):
    emu = start_server("--itl-ms", "5", "--response-text", " ".join(["tok"] * 30))

    def one(_):
        with httpx.stream("POST", emu.v1 + "/chat/completions", json=dict(CHAT, stream=True), timeout=30) as r:
            return r.status_code, r.read()

    with concurrent.futures.ThreadPoolExecutor(max_workers=50) as pool:
        results = list(pool.map(one, range(100)))
    for status, raw in results:
        assert status == 200
        chunks = chunks_of(sse_data(raw))
        assert "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks) == " ".join(["tok"] * 30)


def test_garbage_request_line_does_not_hurt_the_server(server):
    for junk in (b"\x00\x01\x02\r\n\r\n", b"GARBAGE\r\n\r\n", b"GET / HTTP/9.9\r\n\r\n",
                 b"GET /health HTTP/1.1\r\nHost: x\r\nBad Header Without Colon\r\n\r\n"):
        with RawConnection(server.port, timeout=5) as c:
            c.send(junk)
            try:
                c.read_until_closed(deadline_s=5)
            except (TimeoutError, ConnectionError, OSError):
                pass
    assert httpx.get(server.base + "/health", timeout=10).status_code == 200
