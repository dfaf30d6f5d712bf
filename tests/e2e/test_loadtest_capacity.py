"""Capacity and rate limits: concurrency slots with a FIFO queue, overload answers with Retry-After,
slowdown under load, and OpenAI's request/token rate limits with their headers, checked against
scripted sequences of requests."""

from __future__ import annotations

import threading
import time

import httpx
import openai
import pytest

from helpers_mock import api, chat, in_parallel, mean_sd, metrics, stream_times, wait_until
from support import assert_error, make_client

pytestmark = pytest.mark.timeout(90)

BASE = ("--response-mode", "lorem", "--output-tokens", "5", "--drain-delay", "0")


def timed_chat(emu, results, i, **kw):
    t0 = time.perf_counter()
    r = chat(emu, **kw)
    results[i] = (r, time.perf_counter() - t0)


@pytest.mark.parametrize("status", ["429", "503"])
def test_third_request_queues_and_a_full_queue_is_refused(start_server, status):
    emu = start_server("--ttft-ms", "600", "--max-concurrency", "2", "--max-queue", "1",
                       "--overload-status", status, *BASE, fresh=True)
    results: dict[int, tuple] = {}
    threads = [threading.Thread(target=timed_chat, args=(emu, results, i), daemon=True) for i in range(3)]
    for t in threads[:2]:
        t.start()
    assert wait_until(lambda: metrics(emu).value("emulator_requests_running") == 2, 3)
    threads[2].start()
    assert wait_until(lambda: metrics(emu).value("emulator_requests_waiting") == 1, 3)
    t0 = time.perf_counter()
    refused = chat(emu)
    assert time.perf_counter() - t0 < 0.3, "a full queue must be refused at once"
    assert refused.status_code == int(status)
    assert refused.headers.get("retry-after") and int(refused.headers["retry-after"]) >= 1
    if status == "429":
        assert_error(refused.json(), type_="requests", code="rate_limit_exceeded")
        assert int(refused.headers["retry-after-ms"]) >= 1
    else:
        assert_error(refused.json(), type_="server_error")
    for t in threads:
        t.join(10)
    assert [results[i][0].status_code for i in range(3)] == [200, 200, 200]
    first, second, third = (results[i][1] for i in range(3))
    assert first < 0.9 and second < 0.9, (first, second)
    assert 1.05 <= third <= 1.6, f"the queued request should wait for a slot then take 600 ms: {third:.2f}s"
    m = metrics(emu)
    assert m.value("emulator_rate_limited_total", reason="capacity") == 1
    assert m.value("emulator_queue_time_seconds_count") == 1
    assert 0.3 <= m.value("emulator_queue_time_seconds_sum") <= 0.9
    assert m.value("emulator_requests_running") == 0 and m.value("emulator_requests_waiting") == 0


def test_queue_is_fifo(start_server):
    emu = start_server("--ttft-ms", "150", "--max-concurrency", "1", "--max-queue", "10", *BASE, fresh=True)
    done: list[int] = []
    lock = threading.Lock()

    def one(i):
        time.sleep(i * 0.03)  # arrive in order
        r = chat(emu, text=f"request {i}")
        with lock:
            done.append(i)
        return r.status_code

    assert in_parallel(one, 5) == [200] * 5
    assert done == [0, 1, 2, 3, 4]


def test_concurrency_limit_per_model_profile(start_server, tmp_path):
    cfg = tmp_path / "cap.yaml"
    cfg.write_text("defaults: {ttft_ms: 400}\nprofiles:\n  - {model: 'tiny-*', max_concurrency: 1, max_queue: 0}\n")
    emu = start_server("--config", str(cfg), *BASE, fresh=True)
    results: dict[int, tuple] = {}
    t = threading.Thread(target=timed_chat, args=(emu, results, 0), kwargs={"model": "tiny-1"}, daemon=True)
    t.start()
    assert wait_until(lambda: metrics(emu).value("emulator_requests_running") == 1, 3)
    assert chat(emu, model="tiny-1").status_code == 429
    assert chat(emu, model="gpt-4o-mini").status_code == 200  # the default profile is unlimited
    t.join(5)
    assert results[0][0].status_code == 200


def test_slowdown_per_running_generation(start_server):
    emu = start_server("--itl-ms", "10", "--slowdown-per-running", "100", *BASE, fresh=True)
    alone = mean_sd(stream_times(emu, headers={"X-Emulator-Output-Tokens": "30"})[1])[0]
    together = in_parallel(lambda i: mean_sd(stream_times(emu, headers={"X-Emulator-Output-Tokens": "30"})[1])[0], 4)
    busy = sum(together) / len(together)
    assert 0.008 <= alone <= 0.014, f"one stream: ITL {alone * 1000:.1f} ms"
    # 4 running: +100% for each of the 3 beyond the first -> about 40 ms while all four run
    assert busy >= 2.2 * alone, f"ITL alone {alone * 1000:.1f} ms, with 4 running {busy * 1000:.1f} ms"


# --------------------------------------------------------------------------- rate limits
def test_rpm_headers_and_429_after_the_limit(start_server):
    emu = start_server("--rpm", "3", *BASE, fresh=True)
    seen = []
    for i in range(3):
        r = chat(emu)
        assert r.status_code == 200, r.text
        assert r.headers["x-ratelimit-limit-requests"] == "3"
        seen.append(int(r.headers["x-ratelimit-remaining-requests"]))
        reset = r.headers["x-ratelimit-reset-requests"]
        assert reset.endswith("s") or reset.endswith("ms"), reset
    assert seen == [2, 1, 0]
    r = chat(emu)
    assert r.status_code == 429
    err = assert_error(r.json(), type_="requests", code="rate_limit_exceeded", words=("RPM", "Limit 3"))
    assert "Please try again in" in err["message"]
    # 3 per minute: one request refills in 20 s
    assert 15 <= int(r.headers["retry-after"]) <= 21, r.headers
    assert 15_000 <= int(r.headers["retry-after-ms"]) <= 20_500, r.headers
    assert r.headers["x-ratelimit-remaining-requests"] == "0"
    # another key has its own bucket
    other = chat(emu, headers={"Authorization": "Bearer sk-other"})
    assert other.status_code == 200 and other.headers["x-ratelimit-remaining-requests"] == "2"
    assert metrics(emu).value("emulator_rate_limited_total", reason="requests") == 1


def test_tpm_counts_prompt_plus_max_tokens(start_server):
    emu = start_server("--tpm", "200", *BASE, fresh=True)
    r = chat(emu, max_tokens=60)
    assert r.status_code == 200, r.text
    prompt = r.json()["usage"]["prompt_tokens"]
    cost = prompt + 60
    assert r.headers["x-ratelimit-limit-tokens"] == "200"
    remaining = int(r.headers["x-ratelimit-remaining-tokens"])
    assert abs(remaining - (200 - cost)) <= 1, (remaining, cost)
    r2 = chat(emu, max_tokens=60)
    assert r2.status_code == 200
    assert abs(int(r2.headers["x-ratelimit-remaining-tokens"]) - (200 - 2 * cost)) <= 1
    r3 = chat(emu, max_tokens=150)
    assert r3.status_code == 429
    assert_error(r3.json(), type_="tokens", code="rate_limit_exceeded", words=("TPM", "Limit 200"))
    assert int(r3.headers["retry-after"]) >= 1 and int(r3.headers["retry-after-ms"]) > 0
    # a small request still fits
    assert chat(emu, max_tokens=5).status_code == 200
    assert metrics(emu).value("emulator_rate_limited_total", reason="tokens") == 1


def test_requests_refill_continuously(start_server):
    emu = start_server("--rpm", "120", *BASE, fresh=True)  # one request per 500 ms
    codes = [chat(emu).status_code for _ in range(125)]
    assert codes.count(200) >= 120 and codes[-1] == 429
    time.sleep(0.6)
    assert chat(emu).status_code == 200


def test_rpd_limit(start_server):
    emu = start_server("--rpd", "2", *BASE, fresh=True)
    assert [chat(emu).status_code for _ in range(3)] == [200, 200, 429]


def test_sdk_sees_rate_limit_error_and_headers(start_server):
    emu = start_server("--rpm", "1", *BASE, fresh=True)
    c = make_client(emu, max_retries=0)
    raw = c.chat.completions.with_raw_response.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "x"}])
    assert raw.headers["x-ratelimit-remaining-requests"] == "0"
    with pytest.raises(openai.RateLimitError) as e:
        c.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "x"}])
    assert e.value.status_code == 429 and e.value.code == "rate_limit_exceeded"


def test_quota_exhausted_is_not_retried_by_the_sdk(start_server):
    emu = start_server("--quota-exhausted", *BASE, fresh=True)
    c = make_client(emu, max_retries=2)
    t0 = time.monotonic()
    with pytest.raises(openai.RateLimitError) as e:
        c.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "x"}])
    assert e.value.code == "insufficient_quota"
    assert e.value.body["type"] == "insufficient_quota"
    attempts = len(api(emu, "GET", "/_emulator/requests").json()["data"])
    assert attempts == 1, (f"insufficient_quota must not be retried (real API: x-should-retry: false); "
                           f"the SDK sent {attempts} attempts in {time.monotonic() - t0:.1f}s; "
                           f"headers {dict(e.value.response.headers)}")


def test_azure_dialect_rate_limit_headers(start_server):
    emu = start_server("--rpm", "10", *BASE, fresh=True)
    r = httpx.post(emu.base + "/openai/deployments/dep1/chat/completions?api-version=2024-10-21",
                   json={"messages": [{"role": "user", "content": "hi"}]}, headers={"api-key": "k"}, timeout=10)
    assert r.status_code == 200, r.text
    assert r.headers["x-ratelimit-remaining-requests"] == "9"
    assert "x-ratelimit-limit-requests" not in r.headers
