"""A closed-loop HTTP/1.1 load generator for the overload tests, run as its own process so that its CPU use
does not delay the test's probes (the GIL). Loopback only.

    python loadgen.py PORT CONNECTIONS SECONDS

Each of CONNECTIONS asyncio clients sends the canonical chat request on a keep-alive connection, reads the
whole answer, and sends the next, until SECONDS have passed (the request in flight then is still read to its
end); a connection the server closes is opened again. Prints one JSON object: counts by status, transport
errors by kind, answers whose body was not what the status promises, connections opened, requests sent,
the slowest 200, and the elapsed time.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time

BODY = json.dumps({"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Say hello."}]}).encode()
READ_TIMEOUT_S = 30.0


def expected(status: int, headers: dict[str, str], body: bytes) -> bool:
    """A 200 is a complete chat completion; anything else is a complete OpenAI error envelope."""
    try:
        doc = json.loads(body)
    except ValueError:
        return False
    if status == 200:
        return doc.get("object") == "chat.completion" and bool(doc["choices"][0]["message"]["content"])
    error = doc.get("error") or {}
    return set(error) == {"message", "type", "param", "code"} and (status not in (429, 503) or "retry-after" in headers)


async def client(port: int, deadline: float, stats: dict) -> None:
    request = (f"POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
               f"Content-Length: {len(BODY)}\r\n\r\n").encode() + BODY
    reader = writer = None
    while time.monotonic() < deadline:
        try:
            if writer is None:
                reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), READ_TIMEOUT_S)
                stats["connections"] += 1
            started = time.monotonic()
            writer.write(request)
            stats["sent"] += 1
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), READ_TIMEOUT_S)
            lines = head.decode("latin-1").split("\r\n")
            status = int(lines[0].split(" ")[1])
            headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
            body = await asyncio.wait_for(reader.readexactly(int(headers.get("content-length", "0"))), READ_TIMEOUT_S)
            stats["status"][str(status)] = stats["status"].get(str(status), 0) + 1
            if not expected(status, headers, body):
                stats["unexpected"].append(f"{status} {body[:200]!r}")
            if status == 200:
                stats["slowest_200_s"] = max(stats["slowest_200_s"], time.monotonic() - started)
            if headers.get("connection", "").lower() == "close":
                writer.close()
                reader = writer = None
        except (OSError, EOFError, asyncio.IncompleteReadError, asyncio.TimeoutError, ValueError, IndexError) as e:
            stats["errors"][type(e).__name__] = stats["errors"].get(type(e).__name__, 0) + 1
            if writer is not None:
                writer.close()
            reader = writer = None
            await asyncio.sleep(0.01)
    if writer is not None:
        writer.close()


async def main(port: int, connections: int, seconds: float) -> None:
    stats = {"status": {}, "errors": {}, "unexpected": [], "connections": 0, "sent": 0, "slowest_200_s": 0.0}
    started = time.monotonic()
    await asyncio.gather(*(client(port, started + seconds, stats) for _ in range(connections)))
    stats["elapsed_s"] = time.monotonic() - started
    stats["unexpected"] = stats["unexpected"][:5]
    print(json.dumps(stats), flush=True)


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])))
