"""Helpers of the load-model and mock tests: admin calls, fixtures, the journal, Prometheus metrics and
concurrent timing. No fixtures here."""

from __future__ import annotations

import json
import statistics
import threading
import time

import httpx

from support import MODEL

# One shared client: creating an httpx client loads a TLS context (~50 ms here), which would dwarf the
# latencies these tests measure. httpx clients are safe to share between threads.
HTTP = httpx.Client(limits=httpx.Limits(max_connections=256, max_keepalive_connections=64))


def api(emu, method: str, path: str, *, scope: str | None = None, admin_key: str | None = None,
        timeout: float = 15.0, **kwargs) -> httpx.Response:
    headers = dict(kwargs.pop("headers", None) or {})
    if scope is not None:
        headers["X-Emulator-Scope"] = scope
    if admin_key is not None:
        headers["X-Admin-Key"] = admin_key
    return HTTP.request(method, emu.base + path, headers=headers, timeout=timeout, **kwargs)


def add_fixture(emu, rule, *, scope: str | None = None) -> list[dict]:
    r = api(emu, "POST", "/_emulator/fixtures", json=rule, scope=scope)
    assert r.status_code == 201, r.text
    return r.json()["data"]


def journal(emu, *, scope: str | None = None, **filters) -> list[dict]:
    r = api(emu, "GET", "/_emulator/requests", params=filters, scope=scope)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["object"] == "list" and body["count"] == len(body["data"])
    return body["data"]


def chat(emu, text: str = "Say hello.", *, model: str = MODEL, headers=None, scope: str | None = None,
         timeout: float = 15.0, **extra) -> httpx.Response:
    h = {"Authorization": "Bearer sk-e2e", **(headers or {})}
    body = {"model": model, "messages": [{"role": "user", "content": text}], **extra}
    return api(emu, "POST", "/v1/chat/completions", json=body, headers=h, scope=scope, timeout=timeout)


def stream_times(emu, *, headers=None, text: str = "Say hello.", model: str = MODEL, timeout: float = 30.0,
                 **extra) -> tuple[float, list[float], list[dict]]:
    """Streams one chat completion; returns (seconds to the first content frame, gaps between content
    frames in seconds, the parsed chunks)."""
    h = {"Authorization": "Bearer sk-e2e", **(headers or {})}
    body = {"model": model, "messages": [{"role": "user", "content": text}], "stream": True, **extra}
    arrivals: list[float] = []
    chunks: list[dict] = []
    t0 = time.perf_counter()
    with HTTP.stream("POST", emu.v1 + "/chat/completions", json=body, headers=h, timeout=timeout) as r:
        assert r.status_code == 200, r.read()
        for line in r.iter_lines():
            if not line.startswith("data: ") or line == "data: [DONE]":
                continue
            c = json.loads(line[6:])
            chunks.append(c)
            if c.get("choices") and c["choices"][0]["delta"].get("content"):
                arrivals.append(time.perf_counter())
    assert arrivals, f"no content frames: {chunks[:3]!r}"
    return arrivals[0] - t0, [b - a for a, b in zip(arrivals, arrivals[1:])], chunks


def in_parallel(fn, n: int, *, workers: int | None = None, timeout: float = 60.0) -> list:
    """Runs fn(i) for i in range(n) on `workers` threads; returns the results in order (exceptions re-raised)."""
    workers = workers or n
    results: list = [None] * n
    errors: list = []
    lock = threading.Lock()
    next_i = [0]

    def worker():
        while True:
            with lock:
                i = next_i[0]
                if i >= n:
                    return
                next_i[0] += 1
            try:
                results[i] = fn(i)
            except BaseException as e:  # noqa: BLE001 - re-raised below
                errors.append(e)

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(workers)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + timeout
    for t in threads:
        t.join(max(0.0, deadline - time.monotonic()))
    assert not any(t.is_alive() for t in threads), f"workers still running after {timeout}s"
    if errors:
        raise errors[0]
    return results


def percentile(values: list[float], p: float) -> float:
    s = sorted(values)
    k = (len(s) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def mean_sd(values: list[float]) -> tuple[float, float]:
    return statistics.fmean(values), statistics.stdev(values)


# --------------------------------------------------------------------------- metrics
class Metrics:
    """GET /metrics parsed with prometheus_client's text parser."""

    def __init__(self, text: str):
        from prometheus_client.parser import text_string_to_metric_families

        self.text = text
        self.families = {f.name: f for f in text_string_to_metric_families(text)}
        self.samples = [s for f in self.families.values() for s in f.samples]

    def value(self, name: str, **labels) -> float:
        """The sum of the samples called `name` whose labels include `labels` (0 when none)."""
        total = 0.0
        for s in self.samples:
            if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()):
                total += s.value
        return total

    def has(self, name: str) -> bool:
        return any(s.name == name for s in self.samples)


def metrics(emu) -> Metrics:
    r = HTTP.get(emu.base + "/metrics", timeout=10)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/plain")
    return Metrics(r.text)


def wait_until(predicate, timeout: float = 5.0, interval: float = 0.02):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(interval)
