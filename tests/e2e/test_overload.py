"""Overload: the server driven far past what it can serve, by many more clients than it admits generations
or holds connections, for a few seconds. Meanwhile /health and /metrics must keep answering quickly on fresh
connections (as an orchestrator's probes do), every client must get a complete answer or a clean refusal,
and admitted requests must complete.

The load comes from tests/e2e/loadgen.py in its own process; the probes run here, one /health and one
/metrics every 100 ms. Bounds are generous for a busy 2-core machine, and still far below what a probe stuck
behind the load would take (it would wait for the whole load, or time out).
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from support import RawConnection, assert_error, request_bytes

LOADGEN = Path(__file__).resolve().parent / "loadgen.py"
PROBE_BOUND_S = 1.0
CHAT = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Say hello."}]}

pytestmark = pytest.mark.timeout(120)


class Probes:
    """GET /health and GET /metrics on fresh connections every 100 ms, in a thread, until stopped."""

    def __init__(self, port: int):
        self.port = port
        self.results: list[tuple[str, float, str]] = []  # (path, seconds, outcome: "ok" or what went wrong)
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        self.thread.join(timeout=30)

    def _probe(self, path: str) -> None:
        started = time.monotonic()
        try:
            with RawConnection(self.port, timeout=10.0) as c:
                c.send(request_bytes("GET", path))
                r = c.read_response()
            if r.status != 200:
                outcome = f"status {r.status}"
            elif path == "/metrics" and b"emulator_" not in r.body:
                outcome = "no emulator_ metrics in the body"
            elif path == "/health" and r.json() != {"status": "ok"}:
                outcome = f"body {r.body[:100]!r}"
            else:
                outcome = "ok"
        except (OSError, TimeoutError, ConnectionError, ValueError) as e:
            outcome = repr(e)
        self.results.append((path, time.monotonic() - started, outcome))

    def _run(self) -> None:
        while not self.stopping.is_set():
            self._probe("/health")
            self._probe("/metrics")
            self.stopping.wait(0.1)

    def check(self) -> str:
        """Asserts that there were probes, that all succeeded and each took under the bound; returns a summary."""
        assert len(self.results) >= 10, f"only {len(self.results)} probes ran"
        failed = [r for r in self.results if r[2] != "ok"]
        assert not failed, f"{len(failed)} of {len(self.results)} probes failed: {failed[:5]}"
        slow = [r for r in self.results if r[1] >= PROBE_BOUND_S]
        assert not slow, f"{len(slow)} of {len(self.results)} probes took {PROBE_BOUND_S} s or more: {slow[:5]}"
        times = sorted(r[1] for r in self.results)
        return f"{len(times)} probes, median {times[len(times) // 2] * 1000:.1f} ms, max {times[-1] * 1000:.1f} ms"


def hammer(port: int, connections: int, seconds: float) -> dict:
    """Runs loadgen.py against the server and returns its counts."""
    out = subprocess.run([sys.executable, str(LOADGEN), str(port), str(connections), str(seconds)],
                         capture_output=True, text=True, timeout=seconds + 60)
    assert out.returncode == 0, f"load generator failed: {out.stderr[-2000:]}"
    return json.loads(out.stdout)


def test_probes_stay_fast_while_chat_is_driven_ten_times_past_capacity(start_server):
    # 8 generations at once (each takes ~150 ms), 8 more may wait: 16 admitted, 320 clients.
    emu = start_server("--ttft-ms", "100", "--itl-ms", "5", "--max-concurrency", "8", "--max-queue", "8",
                       "--log-level", "warning", fresh=True)
    with Probes(emu.port) as probes:
        load = hammer(emu.port, 320, 4.0)
    summary = probes.check()
    status = load["status"]
    served, refused = status.get("200", 0), status.get("429", 0)
    assert set(status) <= {"200", "429"}, f"only 200 and 429 expected: {load}"
    assert not load["errors"], f"transport errors under overload: {load}"
    assert not load["unexpected"], f"answers that are not what their status says: {load}"
    assert served > 0, f"nothing admitted: {load}"
    assert served + refused >= 10 * served, f"offered load below 10x what was served: {load}"
    assert load["slowest_200_s"] < 10.0, f"an admitted request took {load['slowest_200_s']:.1f} s: {load}"
    print(f"served {served}, refused {refused} in {load['elapsed_s']:.1f} s; {summary}")


def test_at_max_connections_others_are_refused_probes_answered_and_served_again_after(start_server):
    emu = start_server("--max-connections", "40", "--log-level", "warning", fresh=True)
    held = [RawConnection(emu.port, timeout=10.0) for _ in range(40)]
    try:
        for c in held:  # all forty admitted, and kept alive
            c.send(request_bytes("GET", "/health"))
            assert c.read_response().status == 200
        # A forty-first connection: a clean, immediate 503 that closes it.
        with RawConnection(emu.port, timeout=5.0) as extra:
            extra.send(request_bytes("POST", "/v1/chat/completions", CHAT))
            r = extra.read_response()
            assert r.status == 503 and r.header("retry-after") == "1" and r.header("connection") == "close"
            assert_error(r.body, type_="server_error", words=["--max-connections"])
            assert extra.read_until_closed(5.0) == b"" and extra.closed_by_peer

        # Ten times as many clients as the limit, while the forty are held: every one refused cleanly.
        with Probes(emu.port) as probes:
            full = hammer(emu.port, 400, 3.0)
        full_summary = probes.check()
        assert set(full["status"]) == {"503"}, f"only 503 expected while the limit is held: {full}"
        assert not full["errors"], f"refusals must be answers, not broken connections: {full}"
        assert not full["unexpected"], f"refusals must carry the error envelope and Retry-After: {full}"
        for c in held:  # the admitted connections are still served
            c.send(request_bytes("POST", "/v1/chat/completions", CHAT))
            assert c.read_response().status == 200
    finally:
        for c in held:
            c.close()

    # Once the forty are gone, new clients are admitted again (up to the limit) and served.
    with Probes(emu.port) as probes:
        after = hammer(emu.port, 400, 3.0)
    after_summary = probes.check()
    assert after["status"].get("200", 0) > 0, f"no client served after the held connections closed: {after}"
    assert set(after["status"]) <= {"200", "503"} and not after["errors"] and not after["unexpected"], after
    print(f"held: {full['status']} from {full['connections']} connections, {full_summary}; "
          f"after: {after['status']}, {after_summary}")
