"""Broken and hostile HTTP: content types, lengths that lie, chunked and 100-continue bodies, pipelining,
huge request lines and headers, slow and idle clients, HTTP/1.0, half-closed sockets, clients that stop
reading, and connection bursts. After every row the server still answers a good request, and where it
matters its memory and open descriptors are measured from /proc."""

from __future__ import annotations

import json
import os
import socket
import time

import httpx
import pytest

from support import (CHAT, RawConnection, assert_error, chunks_of, post_after_100_continue, request_bytes,
                     sse_data)

pytestmark = pytest.mark.timeout(90)

CHAT_PATH = "/v1/chat/completions"
BODY = json.dumps(CHAT).encode()


def still_serving(emu):
    assert emu.alive(), f"the server exited with {emu.proc.returncode}"
    r = httpx.post(emu.v1 + "/chat/completions", json=CHAT, timeout=15)
    assert r.status_code == 200, f"a good request afterwards got {r.status_code}: {r.text[:200]}"


def rss_kib(emu) -> int:
    for line in open(f"/proc/{emu.pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def open_fds(emu) -> int:
    return len(os.listdir(f"/proc/{emu.pid}/fd"))


def eventually(condition, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def closed_within(sock: socket.socket, seconds: float) -> float | None:
    """Seconds until the peer closed (EOF or reset), None if it did not within `seconds`; drains any data."""
    start = time.monotonic()
    sock.settimeout(0.2)
    while time.monotonic() - start < seconds:
        try:
            if sock.recv(65536) == b"":
                return time.monotonic() - start
        except socket.timeout:
            continue
        except (ConnectionResetError, BrokenPipeError):
            return time.monotonic() - start
    return None


def raw(emu, data: bytes, *, timeout: float = 10):
    with RawConnection(emu.port, timeout=timeout) as c:
        c.send(data)
        return c.read_response()


# --------------------------------------------------------------------------- Content-Type
@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded",
                                          "multipart/form-data; boundary=x", "application/json; charset=latin-1",
                                          "application/octet-stream", ""])
def test_content_type_missing_or_wrong_is_ignored_and_the_body_read_as_json(server, content_type):
    """Like OpenAI's API, the body is JSON whatever the Content-Type says (the SDKs always send JSON)."""
    head = f"POST {CHAT_PATH} HTTP/1.1\r\nHost: x\r\nContent-Length: {len(BODY)}\r\n"
    if content_type is not None:
        head += f"Content-Type: {content_type}\r\n"
    r = raw(server, head.encode() + b"\r\n" + BODY)
    assert r.status == 200, r.body[:300]
    assert r.json()["object"] == "chat.completion"
    still_serving(server)


def test_form_encoded_body_is_a_json_error(server):
    body = b"model=gpt-4o-mini&messages=hi"
    r = raw(server, request_bytes("POST", CHAT_PATH, body, headers={"Content-Type": "application/x-www-form-urlencoded"}))
    assert r.status == 400, r.body[:300]
    assert "JSON" in assert_error(r.json(), param=None)["message"]
    still_serving(server)


# --------------------------------------------------------------------------- Content-Length that lies
def test_body_shorter_than_content_length_then_close_gets_no_answer(server):
    """The client promises 500 bytes, sends 100 and half-closes: the request is incomplete, so nothing is
    answered (no 200 for a truncated body) and the connection is closed."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as s:
        s.sendall(f"POST {CHAT_PATH} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  f"Content-Length: 500\r\n\r\n".encode() + BODY[:60])
        s.shutdown(socket.SHUT_WR)
        s.settimeout(10)
        got = b""
        while True:
            piece = s.recv(65536)
            if not piece:
                break
            got += piece
    assert not got.startswith(b"HTTP/1.1 200"), got[:200]
    assert got == b"" or got.startswith(b"HTTP/1.1 4"), got[:200]
    still_serving(server)


def test_body_shorter_than_content_length_kept_open_is_dropped_by_the_timeout(start_server):
    emu = start_server("--connection-timeout", "2", fresh=True)
    with socket.create_connection(("127.0.0.1", emu.port), timeout=10) as s:
        s.sendall(f"POST {CHAT_PATH} HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\n".encode() + BODY[:60])
        took = closed_within(s, 8)
    assert took is not None and took < 5, f"closed after {took}"
    still_serving(emu)


def test_body_longer_than_content_length(server):
    """The first Content-Length bytes are the body (not JSON: 400); the rest is read as the start of the
    next request, which is not HTTP once its head ends: 400 and the connection closes."""
    head = f"POST {CHAT_PATH} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 20\r\n\r\n"
    with RawConnection(server.port, timeout=10) as c:
        c.send(head.encode() + BODY)
        first = c.read_response()
        assert first.status == 400, first.body[:300]
        assert "JSON" in assert_error(first.json(), param=None)["message"]
        c.send(b"\r\n\r\n")
        rest = c.read_until_closed(10)
    assert rest == b"" or rest.startswith(b"HTTP/1.1 400"), rest[:200]
    still_serving(server)


def test_content_length_not_a_number(server):
    with RawConnection(server.port, timeout=10) as c:
        c.send(f"POST {CHAT_PATH} HTTP/1.1\r\nHost: x\r\nContent-Length: ten\r\n\r\n".encode() + BODY)
        r = c.read_response()
    assert r.status == 400
    still_serving(server)


def test_content_length_and_chunked_together_are_refused(server):
    """Both framings at once is the request-smuggling shape: RFC 9112 lets a server refuse it."""
    chunked = f"{len(BODY):x}\r\n".encode() + BODY + b"\r\n0\r\n\r\n"
    with RawConnection(server.port, timeout=10) as c:
        c.send(f"POST {CHAT_PATH} HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
               .encode() + chunked)
        r = c.read_response()
    assert r.status in (200, 400), r.status
    if r.status == 200:  # then the chunked framing was used, as RFC 9112 §6.3 requires
        assert r.json()["object"] == "chat.completion"
    still_serving(server)


# --------------------------------------------------------------------------- chunked request bodies
def test_chunked_request_body_in_small_chunks(server):
    pieces = [BODY[i:i + 9] for i in range(0, len(BODY), 9)]
    data = b"".join(f"{len(p):x}\r\n".encode() + p + b"\r\n" for p in pieces) + b"0\r\n\r\n"
    head = f"POST {CHAT_PATH} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    with RawConnection(server.port, timeout=10) as c:
        c.send(head.encode())
        for i in range(0, len(data), 13):
            c.send(data[i:i + 13])
            time.sleep(0.002)
        r = c.read_response()
    assert r.status == 200, r.body[:300]
    assert r.json()["object"] == "chat.completion"


def test_chunked_request_body_with_extensions_and_trailers(server):
    data = f"{len(BODY):x};name=value\r\n".encode() + BODY + b"\r\n0\r\nX-Trailer: yes\r\n\r\n"
    head = f"POST {CHAT_PATH} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
    r = raw(server, head.encode() + data)
    assert r.status == 200, r.body[:300]


def test_chunked_request_with_a_bad_chunk_size(server):
    head = f"POST {CHAT_PATH} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
    with RawConnection(server.port, timeout=10) as c:
        c.send(head.encode() + b"zz\r\n" + BODY + b"\r\n0\r\n\r\n")
        try:
            r = c.read_response()
            assert r.status == 400, r.status
        except ConnectionError:
            pass  # closed without an answer: also a refusal
    still_serving(server)


# --------------------------------------------------------------------------- Expect: 100-continue
@pytest.mark.parametrize("path,body", [
    (CHAT_PATH, CHAT), ("/v1/embeddings", {"model": "text-embedding-3-small", "input": "x"}),
    ("/v1/responses", {"model": "gpt-4o-mini", "input": "x"}),
])
def test_expect_100_continue_on_each_endpoint(server, path, body):
    r = post_after_100_continue(server.port, path, body)
    assert r.status == 200, r.body[:300]


def test_expect_100_continue_with_a_body_over_the_cap_is_413_before_the_body(start_server):
    emu = start_server("--max-body-bytes", "1000", fresh=True)
    with RawConnection(emu.port, timeout=10) as c:
        c.send(f"POST {CHAT_PATH} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
               f"Content-Length: 100000000\r\nExpect: 100-continue\r\n\r\n".encode())
        r = c.read_response(deadline_s=5)
    assert r.status == 413, r.status
    assert_error(r.json(), param=None)
    still_serving(emu)


# --------------------------------------------------------------------------- pipelining
def test_pipelined_good_bad_and_streamed_requests_in_order(server):
    reqs = [
        request_bytes("POST", CHAT_PATH, CHAT),
        request_bytes("POST", CHAT_PATH, b"{not json"),
        request_bytes("POST", CHAT_PATH, dict(CHAT, stream=True)),
        request_bytes("POST", CHAT_PATH, dict(CHAT, temperature=5)),
        request_bytes("POST", "/v1/embeddings", {"model": "text-embedding-3-small", "input": "x"}),
        request_bytes("GET", "/health"),
    ]
    with RawConnection(server.port, timeout=15) as c:
        c.send(b"".join(reqs))
        answers = [c.read_response() for _ in reqs]
    assert [a.status for a in answers] == [200, 400, 200, 400, 200, 200]
    assert chunks_of(sse_data(answers[2].body))
    assert answers[3].json()["error"]["param"] == "temperature"


def test_one_hundred_pipelined_requests_in_one_write(server):
    with RawConnection(server.port, timeout=30) as c:
        c.send(request_bytes("POST", CHAT_PATH, CHAT) * 100)
        statuses = [c.read_response().status for _ in range(100)]
    assert statuses == [200] * 100


# --------------------------------------------------------------------------- long request lines and headers
def status_or_close(emu, data: bytes) -> int | None:
    """The status answered, or None if the server closed without one."""
    with RawConnection(emu.port, timeout=10) as c:
        try:
            c.send(data)
        except (BrokenPipeError, ConnectionResetError):
            pass
        try:
            return c.read_response().status
        except (ConnectionError, OSError):
            return None


@pytest.mark.parametrize("length", [40_000, 1_000_000])
def test_very_long_url_is_414(server, length):
    """libmicrohttpd answers a request line that does not fit the connection's memory pool (8 KiB by
    default, --connection-memory-limit) with 414."""
    path = "/v1/" + "a" * length
    assert status_or_close(server, f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode()) == 414
    still_serving(server)


def test_long_query_string_is_414(server):
    path = "/health?" + "&".join(f"k{i}=v" for i in range(5000))
    assert status_or_close(server, f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode()) == 414
    still_serving(server)


@pytest.mark.parametrize("length", [4_000, 7_000])
def test_a_long_url_under_the_limit_is_routed(server, length):
    r = httpx.get(server.base + "/v1/" + "a" * length, timeout=10)
    assert r.status_code == 404
    assert_error(r.json(), code="unknown_url")


def test_a_larger_connection_memory_limit_takes_longer_heads(start_server):
    emu = start_server("--connection-memory-limit", "32768")
    r = httpx.get(emu.base + "/v1/" + "a" * 20_000, timeout=10)
    assert r.status_code == 404
    assert_error(r.json(), code="unknown_url")
    r = httpx.get(emu.base + "/health", headers={"X-Long": "b" * 20_000}, timeout=10)
    assert r.status_code == 200
    # The same head does not fit the default 8 KiB.
    assert status_or_close(start_server(), f"GET /health HTTP/1.1\r\nHost: x\r\nX-Long: {'b' * 20_000}\r\n\r\n".encode()) == 431


@pytest.mark.parametrize("size", [40_000, 1_000_000])
def test_very_long_header_is_431(server, size):
    """A header that does not fit the connection's memory pool: 431."""
    data = f"GET /health HTTP/1.1\r\nHost: x\r\nX-Long: {'b' * size}\r\n\r\n".encode()
    assert status_or_close(server, data) == 431
    still_serving(server)


def test_many_headers_is_431(server):
    headers = "".join(f"X-H{i}: v\r\n" for i in range(5000))
    assert status_or_close(server, f"GET /health HTTP/1.1\r\nHost: x\r\n{headers}\r\n".encode()) == 431
    still_serving(server)


def test_long_authorization_header_is_431(server):
    data = request_bytes("POST", CHAT_PATH, CHAT, headers={"Authorization": "Bearer " + "k" * 50_000})
    assert status_or_close(server, data) == 431
    still_serving(server)


# --------------------------------------------------------------------------- slow and idle clients
@pytest.mark.timeout(60)
def test_slowloris_a_header_every_ten_seconds_is_dropped_by_the_connection_timeout(start_server):
    emu = start_server("--connection-timeout", "2", fresh=True)
    with socket.create_connection(("127.0.0.1", emu.port), timeout=10) as s:
        s.sendall(f"POST {CHAT_PATH} HTTP/1.1\r\n".encode())
        s.sendall(b"Host: x\r\n")
        took = closed_within(s, 10)  # the next header would come now
        assert took is not None and took < 5, f"a slowloris client was kept {took}s with a 2 s timeout"
        with pytest.raises(OSError):
            for _ in range(3):
                s.sendall(b"X-Slow: 1\r\n")
                time.sleep(0.2)
    still_serving(emu)


@pytest.mark.timeout(60)
def test_many_slowloris_clients_do_not_starve_others(start_server):
    emu = start_server("--connection-timeout", "2", fresh=True)
    socks = []
    for _ in range(200):
        s = socket.create_connection(("127.0.0.1", emu.port), timeout=10)
        s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n")
        socks.append(s)
    start = time.monotonic()
    r = httpx.get(emu.base + "/health", timeout=5)
    assert r.status_code == 200 and time.monotonic() - start < 2
    time.sleep(3.5)
    closed = [closed_within(s, 0.5) for s in socks]
    for s in socks:
        s.close()
    assert all(c is not None for c in closed), f"{closed.count(None)} of 200 slow clients still connected"
    still_serving(emu)


@pytest.mark.timeout(60)
def test_idle_keep_alive_connection_is_closed_after_the_timeout(start_server):
    emu = start_server("--connection-timeout", "2", fresh=True)
    with RawConnection(emu.port, timeout=10) as c:
        c.send(request_bytes("POST", CHAT_PATH, CHAT))
        assert c.read_response().status == 200
        took = closed_within(c.sock, 8)
    assert took is not None and 1.0 < took < 5, f"an idle keep-alive connection was closed after {took}s"
    still_serving(emu)


@pytest.mark.timeout(60)
def test_idle_connection_that_never_sent_a_byte_is_closed(start_server):
    emu = start_server("--connection-timeout", "2", fresh=True)
    with socket.create_connection(("127.0.0.1", emu.port), timeout=10) as s:
        took = closed_within(s, 8)
    assert took is not None and took < 5, took


# --------------------------------------------------------------------------- HTTP/1.0, half-closed
def test_http_1_0_error_answer_closes_the_connection(server):
    with RawConnection(server.port, timeout=10) as c:
        c.send(request_bytes("POST", CHAT_PATH, b"{bad", version="HTTP/1.0"))
        r = c.read_response()
        assert r.status == 400 and r.version == "HTTP/1.1"
        assert_error(r.json(), param=None)
        assert c.read_until_closed(5) == b""
    still_serving(server)


def test_http_1_0_without_host_header(server):
    with RawConnection(server.port, timeout=10) as c:
        c.send(f"POST {CHAT_PATH} HTTP/1.0\r\nContent-Length: {len(BODY)}\r\n\r\n".encode() + BODY)
        r = c.read_response()
    assert r.status == 200, r.body[:200]


def test_http_1_1_without_host_header_is_400(server):
    """RFC 9112 §3.2: a server MUST answer an HTTP/1.1 request without Host with 400."""
    r = raw(server, f"POST {CHAT_PATH} HTTP/1.1\r\nContent-Length: {len(BODY)}\r\n\r\n".encode() + BODY)
    assert r.status == 400
    still_serving(server)


@pytest.mark.parametrize("stream", [False, True])
def test_half_closed_socket_still_gets_its_answer(server, stream):
    """The client sends its request and shuts down its sending side: the answer still arrives in full."""
    with RawConnection(server.port, timeout=15) as c:
        c.send(request_bytes("POST", CHAT_PATH, dict(CHAT, stream=stream), headers={"Connection": "close"}))
        c.sock.shutdown(socket.SHUT_WR)
        r = c.read_response()
    assert r.status == 200, r.body[:200]
    if stream:
        assert chunks_of(sse_data(r.body))
    else:
        assert r.json()["object"] == "chat.completion"
    still_serving(server)


# --------------------------------------------------------------------------- clients that stop reading
@pytest.mark.timeout(120)
def test_client_that_stops_reading_a_long_stream_does_not_grow_memory(start_server):
    emu = start_server("--itl-ms", "0", "--output-tokens", "4000000", fresh=True)
    still_serving(emu)
    time.sleep(0.5)
    before = rss_kib(emu)
    socks = []
    for _ in range(20):
        s = socket.create_connection(("127.0.0.1", emu.port), timeout=10)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.sendall(request_bytes("POST", CHAT_PATH, dict(CHAT, stream=True, max_tokens=4_000_000)))
        s.recv(1024)  # the stream has started; now stop reading
        socks.append(s)
    samples = []
    for _ in range(10):
        time.sleep(1)
        samples.append(rss_kib(emu))
    # health and other clients are unaffected meanwhile
    start = time.monotonic()
    assert httpx.get(emu.base + "/health", timeout=5).status_code == 200
    assert time.monotonic() - start < 1
    still_serving(emu)
    for s in socks:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        s.close()
    growth_mib = (max(samples) - before) / 1024
    assert growth_mib < 64, f"RSS grew {growth_mib:.1f} MiB with 20 stalled readers: {before} KiB -> {samples}"
    # not growing at the end: the last 5 s add little
    assert (samples[-1] - samples[4]) / 1024 < 8, samples
    still_serving(emu)


# --------------------------------------------------------------------------- bursts
@pytest.mark.timeout(90)
def test_a_thousand_connections_opened_and_dropped_at_once_leave_no_fds(start_server):
    emu = start_server("--connection-timeout", "5", fresh=True)
    still_serving(emu)
    time.sleep(1)  # the server closes its side of that request's connection too
    fds_before, rss_before = open_fds(emu), rss_kib(emu)
    for round_ in range(3):
        socks = []
        for i in range(1000):
            s = socket.socket()
            s.setblocking(False)
            s.connect_ex(("127.0.0.1", emu.port))
            socks.append(s)
        time.sleep(0.3)
        for i, s in enumerate(socks):
            try:
                if i % 4 == 0:
                    s.send(b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\n{\"mod")
                elif i % 4 == 1:
                    s.send(request_bytes("POST", CHAT_PATH, dict(CHAT, stream=True)))
            except OSError:
                pass
            if i % 2 == 0:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            s.close()
        still_serving(emu)
    assert eventually(lambda: open_fds(emu) == fds_before, 15), \
        f"open descriptors {fds_before} before the bursts, {open_fds(emu)} after"
    growth_mib = (rss_kib(emu) - rss_before) / 1024
    assert growth_mib < 64, f"RSS grew {growth_mib:.1f} MiB over three bursts of 1000 connections"
    still_serving(emu)
