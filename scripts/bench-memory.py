#!/usr/bin/env python3
"""Measures the release server's resident memory (VmRSS) idle, with N idle keep-alive connections, and with N
paced streams held open at once, for each connection pool size, and fits

    RSS ~ base + connections x per-connection bytes + streams x per-stream bytes

Every measurement uses a fresh server on 127.0.0.1; every phase is bounded in time.

    scripts/bench-memory.py [--binary PATH] [--counts 1000,5000] [--pools 8192,32768] [--itl-ms 50] [--tokens 40]
                            [--endpoint chat|responses|messages] [--json FILE]

A connection is counted once it has been answered one request (GET /health) and is kept alive (RSS read with
all N open); streams are opened at once and wait 3 s for their first token, so all N are under way
together, and are read to their end and checked (RSS: the peak over the phase). The slope between
the two largest counts is the per-connection (per-stream) figure; `base` is the idle RSS. Needs ulimit -n above
twice the largest count (the script raises its soft limit to the hard one).
"""
import argparse
import asyncio
import json
import os
import resource
import signal
import socket
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# The streams held, per dialect: (path, body, the bytes that end a complete stream).
STREAMS = {
    "chat": ("/v1/chat/completions", {"model": "gpt-4o-mini", "stream": True,
                                      "messages": [{"role": "user", "content": "Hello"}]}, b"data: [DONE]"),
    "responses": ("/v1/responses", {"model": "gpt-4o-mini", "stream": True, "input": "Hello"},
                  b"event: response.completed"),
    "messages": ("/v1/messages", {"model": "claude-sonnet-4-5", "stream": True, "max_tokens": 1024,
                                  "messages": [{"role": "user", "content": "Hello"}]}, b"event: message_stop"),
}
PHASE_TIMEOUT_S = 180
TTFT_MS = 3000


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def settled_rss_kib(pid, seconds=1.0):
    """The median of five readings over `seconds`, after the server has had a moment to settle."""
    readings = []
    for _ in range(5):
        time.sleep(seconds / 5)
        readings.append(rss_kib(pid))
    return sorted(readings)[2]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, binary, pool, count, itl_ms, tokens):
        self.port = free_port()
        argv = [binary, "--host", "127.0.0.1", "--port", str(self.port), "--log-level", "warning",
                "--max-connections", str(count + 100), "--connection-timeout", "600",
                "--response-mode", "lorem", "--output-tokens", str(tokens), "--itl-ms", str(itl_ms),
                # the first token waits 3 s, so that all streams are open before any ends
                "--ttft-ms", str(TTFT_MS)]
        if pool is not None:
            argv += ["--connection-memory-limit", str(pool)]
        self.proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                    s.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                    if s.recv(64).startswith(b"HTTP/1.1 200"):
                        return
            except OSError:
                time.sleep(0.02)
            if self.proc.poll() is not None:
                sys.exit(f"server exited at start: {' '.join(argv)}")
        sys.exit("server did not answer /health")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


async def read_head(reader):
    head = await reader.readuntil(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1])


async def idle_connections(port, n, measure):
    """Opens n keep-alive connections, each answered one GET /health, then measures with all of them open."""
    conns = []
    try:
        for _ in range(n):
            r, w = await asyncio.open_connection("127.0.0.1", port)
            w.write(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            conns.append((r, w))
        for r, _ in conns:
            if await read_head(r) != 200:
                raise RuntimeError("a /health probe was not answered 200")
            await r.readuntil(b"}")  # the body: {"status":"ok"}
        return measure()
    finally:
        for _, w in conns:
            w.close()


async def held_streams(port, n, endpoint):
    """Opens n streams at once, reads every one to its end and checks it; measures the peak over all of it
    (the streams wait 3 s for their first token, so all are under way together)."""
    path, body, end = STREAMS[endpoint]
    body = json.dumps(body).encode()
    request = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
               f"x-api-key: test\r\nanthropic-version: 2023-06-01\r\n"
               f"Content-Length: {len(body)}\r\n\r\n").encode() + body
    conns = []
    try:
        for _ in range(n):
            r, w = await asyncio.open_connection("127.0.0.1", port)
            w.write(request)
            conns.append((r, w))
        heads = await asyncio.gather(*(read_head(r) for r, _ in conns))
        if any(s != 200 for s in heads):
            raise RuntimeError(f"stream statuses: {sorted(set(heads))}")

        async def drain(r):
            data = b""
            while not data.endswith(b"0\r\n\r\n"):
                chunk = await r.read(65536)
                if not chunk:
                    break
                data += chunk
            return end in data

        done = await asyncio.gather(*(drain(r) for r, _ in conns))
        if not all(done):
            raise RuntimeError(f"{done.count(False)} of {n} streams did not end with {end.decode()}")
    finally:
        for _, w in conns:
            w.close()


class PeakSampler:
    """The highest VmRSS seen, sampled every 20 ms in a thread."""

    def __init__(self, pid):
        self.pid, self.peak, self.stopping = pid, 0, threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self.stopping.is_set():
            self.peak = max(self.peak, rss_kib(self.pid))
            self.stopping.wait(0.02)

    def stop(self):
        self.stopping.set()
        self.thread.join()
        return self.peak


def measure_phase(args, pool, n, kind):
    server = Server(args.binary, pool, n, args.itl_ms, args.tokens)
    try:
        idle = settled_rss_kib(server.proc.pid)
        started = time.monotonic()
        if kind == "connections":
            loaded = asyncio.run(asyncio.wait_for(
                idle_connections(server.port, n, lambda: settled_rss_kib(server.proc.pid)), PHASE_TIMEOUT_S))
        else:
            sampler = PeakSampler(server.proc.pid)
            try:
                asyncio.run(asyncio.wait_for(held_streams(server.port, n, args.endpoint), PHASE_TIMEOUT_S))
            finally:
                loaded = sampler.stop()
        return {"pool": pool, "n": n, "kind": kind, "idle_kib": idle, "loaded_kib": loaded,
                "per_item_bytes": round((loaded - idle) * 1024 / n), "seconds": round(time.monotonic() - started, 1)}
    finally:
        server.stop()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--binary", default=os.path.join(ROOT, ".build", "release", "openai-emulator"))
    ap.add_argument("--counts", default="1000,5000")
    ap.add_argument("--pools", default="8192,32768", help="--connection-memory-limit values (bytes)")
    ap.add_argument("--itl-ms", default="50")
    ap.add_argument("--tokens", type=int, default=40)
    ap.add_argument("--endpoint", choices=sorted(STREAMS), default="chat", help="the dialect of the held streams")
    ap.add_argument("--json", help="also write the measurements here")
    args = ap.parse_args()
    counts = sorted(int(c) for c in args.counts.split(","))
    pools = [int(p) for p in args.pools.split(",")]
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if 2 * counts[-1] + 100 > hard:
        sys.exit(f"ulimit -n is {hard}: too low for {counts[-1]} connections (the server and this client each hold one)")

    rows = []
    for pool in pools:
        for kind in ("connections", "streams"):
            for n in counts:
                row = measure_phase(args, pool, n, kind)
                rows.append(row)
                print(f"pool {pool:>6} B  {n:>6} {kind:<11}  idle {row['idle_kib'] / 1024:6.1f} MiB  "
                      f"loaded {row['loaded_kib'] / 1024:7.1f} MiB  {row['per_item_bytes']:>7} B each  "
                      f"({row['seconds']} s)", flush=True)

    print()
    summary = []
    for pool in pools:
        def at(kind, n):
            return next(r for r in rows if r["pool"] == pool and r["kind"] == kind and r["n"] == n)
        base = sorted(r["idle_kib"] for r in rows if r["pool"] == pool)[len(counts)] * 1024
        lo, hi = counts[0], counts[-1]
        per_conn = (at("connections", hi)["loaded_kib"] - at("connections", lo)["loaded_kib"]) * 1024 / (hi - lo)
        per_stream = (at("streams", hi)["loaded_kib"] - at("streams", lo)["loaded_kib"]) * 1024 / (hi - lo)
        summary.append({"pool": pool, "base_bytes": base, "per_connection_bytes": round(per_conn),
                        "per_stream_bytes": round(per_stream), "stream_beyond_connection_bytes": round(per_stream - per_conn)})
        print(f"pool {pool} B: RSS ~ {base / 2**20:.1f} MiB + connections x {per_conn / 1024:.1f} KiB "
              f"+ streams x {(per_stream - per_conn) / 1024:.1f} KiB  (a held stream: {per_stream / 1024:.1f} KiB in all)")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"rows": rows, "summary": summary, "itl_ms": args.itl_ms, "tokens": args.tokens,
                       "endpoint": args.endpoint}, f, indent=1)


if __name__ == "__main__":
    main()
