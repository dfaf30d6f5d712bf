"""The latency model as delivered: time to first token and inter-token latency checked by their sample
statistics over many requests, for every distribution syntax, per-request headers, prefill cost,
non-streaming durations, per-model profiles from a config file, and seeded reproducibility."""

from __future__ import annotations

import time

import pytest

from helpers_mock import api, chat, in_parallel, mean_sd, percentile, stream_times
from support import RawConnection, request_bytes, timed_data_frames

pytestmark = pytest.mark.timeout(120)

LOREM = ("--response-mode", "lorem", "--drain-delay", "0")


# Client-side timings include the Python client's own cost (a few ms per stream, more under load on a
# shared 2-core machine), so upper bounds allow CLIENT_MS on top of the relative tolerance.
CLIENT_MS = 12


def ttfts(emu, n: int, *, workers: int = 4, headers=None, **extra) -> list[float]:
    stream_times(emu, headers={"X-Emulator-Output-Tokens": "3", **(headers or {})}, **extra)  # warm-up
    return in_parallel(lambda i: stream_times(emu, headers={"X-Emulator-Output-Tokens": "3", **(headers or {})},
                                              **extra)[0] * 1000, n, workers=workers)


def test_normal_ttft_mean_and_sd_over_200_streams(start_server):
    emu = start_server("--ttft-ms", "normal:50,10", *LOREM)
    samples = ttfts(emu, 200)
    mean, sd = mean_sd(samples)
    assert 50 * 0.85 <= mean <= 50 * 1.15 + CLIENT_MS, f"mean TTFT {mean:.1f} ms, configured normal:50,10"
    assert 6 <= sd <= 15 + CLIENT_MS / 2, f"TTFT sd {sd:.1f} ms, configured 10"


def test_constant_ttft_is_a_floor_with_little_spread(start_server):
    emu = start_server("--ttft-ms", "80", *LOREM)
    samples = ttfts(emu, 60, workers=12)
    assert min(samples) >= 78, f"TTFT below the configured 80 ms: {min(samples):.1f}"
    assert percentile(samples, 50) <= 92 + CLIENT_MS, f"median TTFT {percentile(samples, 50):.1f} ms for a constant 80"


def test_uniform_ttft_spans_its_range(start_server):
    emu = start_server("--ttft-ms", "uniform:20-120", *LOREM)
    samples = ttfts(emu, 200)
    mean, sd = mean_sd(samples)
    assert 70 * 0.85 <= mean <= 70 * 1.15 + CLIENT_MS, f"mean {mean:.1f}, expected 70"
    # sd of uniform(20,120) is 100/sqrt(12) = 28.9
    assert 22 <= sd <= 36 + CLIENT_MS, f"sd {sd:.1f}, expected 28.9"
    assert min(samples) >= 19 and percentile(samples, 98) <= 135


def test_p50_p99_fits_a_lognormal(start_server):
    emu = start_server("--ttft-ms", "p50:40,p99:120", *LOREM)
    samples = ttfts(emu, 300)
    p50 = percentile(samples, 50)
    assert 40 * 0.85 <= p50 <= 40 * 1.15 + CLIENT_MS, f"p50 {p50:.1f} ms, configured 40"
    # sigma = ln(3)/2.326 = 0.472 -> p90 = 40 * e^(1.2816*0.472) = 73.2
    p90 = percentile(samples, 90)
    assert 73.2 * 0.8 <= p90 <= 73.2 * 1.2 + CLIENT_MS, f"p90 {p90:.1f} ms, expected about 73"
    above = sum(1 for s in samples if s > 125) / len(samples)
    assert above <= 0.04, f"{above:.1%} of TTFTs above the configured p99 of 120 ms"


def test_lognormal_median(start_server):
    emu = start_server("--ttft-ms", "lognormal:30,0.5", *LOREM)
    samples = ttfts(emu, 200)
    assert 30 * 0.85 <= percentile(samples, 50) <= 30 * 1.15 + CLIENT_MS
    # p75 = 30 * e^(0.674*0.5) = 42.0
    assert 42 * 0.8 <= percentile(samples, 75) <= 42 * 1.2 + CLIENT_MS


def test_inter_token_latency_mean(start_server):
    emu = start_server("--itl-ms", "normal:15,3", *LOREM)

    def gaps(i):
        return stream_times(emu, headers={"X-Emulator-Output-Tokens": "25"})[1]

    all_gaps = [g * 1000 for run in in_parallel(gaps, 12, workers=6) for g in run]
    assert len(all_gaps) >= 200
    mean, sd = mean_sd(all_gaps)
    assert 15 * 0.85 <= mean <= 15 * 1.15 + CLIENT_MS, f"mean ITL {mean:.1f} ms, configured normal:15,3"
    assert sd <= 8, f"ITL sd {sd:.1f} ms, configured 3"


def test_headers_override_the_flags_per_request(start_server):
    emu = start_server("--ttft-ms", "10", "--itl-ms", "0", *LOREM)
    slow = ttfts(emu, 30, headers={"X-Emulator-TTFT-Ms": "normal:120,5"})
    fast = ttfts(emu, 30)
    assert 120 * 0.85 <= mean_sd(slow)[0] <= 120 * 1.15 + CLIENT_MS, f"header TTFT mean {mean_sd(slow)[0]:.1f}"
    assert mean_sd(fast)[0] < 40, f"flag TTFT mean {mean_sd(fast)[0]:.1f} (10 configured)"
    _, gaps, chunks = stream_times(emu, headers={"X-Emulator-ITL-Ms": "20", "X-Emulator-Output-Tokens": "12"})
    assert 20 * 0.8 <= mean_sd([g * 1000 for g in gaps])[0] <= 20 * 1.3
    content = [c for c in chunks if c.get("choices") and c["choices"][0]["delta"].get("content")]
    usage = chat(emu, headers={"X-Emulator-Output-Tokens": "12"}).json()["usage"]
    assert usage["completion_tokens"] == 12, usage
    assert len(content) >= 6


def test_output_tokens_header_takes_a_range(start_server):
    emu = start_server(*LOREM)
    counts = {chat(emu, headers={"X-Emulator-Output-Tokens": "5-9"}).json()["usage"]["completion_tokens"]
              for _ in range(25)}
    assert counts <= set(range(5, 10)) and len(counts) >= 3, counts


def test_non_streaming_answer_waits_for_the_whole_generation(start_server):
    emu = start_server("--ttft-ms", "60", "--itl-ms", "8", "--output-tokens", "25", *LOREM)
    durations = []
    for _ in range(5):
        t0 = time.perf_counter()
        r = chat(emu)
        durations.append((time.perf_counter() - t0) * 1000)
        assert r.status_code == 200 and r.json()["usage"]["completion_tokens"] == 25
    expected = 60 + 8 * 25  # 260 ms (24 or 25 gaps)
    med = percentile(durations, 50)
    assert expected * 0.85 <= med <= expected * 1.2, f"non-streaming answer took {med:.0f} ms, expected ~{expected}"


def test_ttft_counts_from_the_arrival_of_a_request_that_waited_to_be_read(start_server):
    """A stream pipelined behind a slow answer waits in the server, unread, until that answer is out.
    Its time to first token counts from when its bytes reached the server (as a provider's queue time
    counts in a client's TTFT), not from when it was read: read at about 600 ms, its 300 ms are long
    over, so its first token follows the first answer at once instead of 300 ms later."""
    emu = start_server("--ttft-ms", "300", *LOREM)
    body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}
    slow = request_bytes("POST", "/v1/chat/completions", body,
                         headers={"X-Emulator-TTFT-Ms": "600", "X-Emulator-Output-Tokens": "3"})
    streamed = request_bytes("POST", "/v1/chat/completions", dict(body, stream=True),
                             headers={"X-Emulator-Output-Tokens": "3"})
    with RawConnection(emu.port) as c:
        t0 = time.monotonic()
        c.send(slow + streamed)
        first = c.read_response()
        first_done = time.monotonic() - t0
        second = c.read_response()
    assert first.status == 200 and second.status == 200, (first.status, second.status)
    assert first_done >= 0.6, f"the slow answer came after {first_done * 1000:.0f} ms, configured 600"
    frames = timed_data_frames(second)
    assert frames, second.body[:200]
    first_token = frames[0][0] - t0
    assert first_token - first_done < 0.15, (
        f"first token {first_token * 1000:.0f} ms after the write, {(first_token - first_done) * 1000:.0f} ms after "
        "the answer before it: the stream's TTFT was counted from when it was read, not from its arrival")


def test_prefill_cost_grows_with_the_prompt(start_server):
    emu = start_server("--ttft-ms", "5", "--prefill-us-per-token", "1000", *LOREM)
    short = [stream_times(emu, text="Hi.", headers={"X-Emulator-Output-Tokens": "2"})[0] * 1000 for _ in range(5)]
    long_text = "word " * 300  # about 300 prompt tokens -> +300 ms
    long = [stream_times(emu, text=long_text, headers={"X-Emulator-Output-Tokens": "2"})[0] * 1000 for _ in range(5)]
    delta = percentile(long, 50) - percentile(short, 50)
    assert 250 <= delta <= 360, f"prefill added {delta:.0f} ms for ~300 prompt tokens at 1 ms/token"


def test_model_profiles_from_a_config_file(start_server, tmp_path):
    cfg = tmp_path / "profiles.yaml"
    cfg.write_text(
        "defaults:\n  ttft_ms: 10\n"
        "profiles:\n"
        "  - model: 'slow-*'\n    ttft_ms: 'normal:150,5'\n"
        "  - model: gpt-4o-mini\n    ttft_ms: 60\n")
    emu = start_server("--config", str(cfg), *LOREM, fresh=True)
    slow = [stream_times(emu, model="slow-large", headers={"X-Emulator-Output-Tokens": "2"})[0] * 1000 for _ in range(6)]
    mini = [stream_times(emu, model="gpt-4o-mini", headers={"X-Emulator-Output-Tokens": "2"})[0] * 1000 for _ in range(6)]
    other = [stream_times(emu, model="gpt-4.1", headers={"X-Emulator-Output-Tokens": "2"})[0] * 1000 for _ in range(6)]
    assert 150 * 0.85 <= percentile(slow, 50) <= 150 * 1.2, slow
    assert 60 * 0.85 <= percentile(mini, 50) <= 60 * 1.3, mini
    assert percentile(other, 50) < 40, other
    cfg_json = api(emu, "GET", "/_emulator/config").json()
    assert [p["model"] for p in cfg_json["profiles"]] == ["slow-*", "gpt-4o-mini"]
    assert cfg_json["profiles"][0]["ttft_ms"] == "normal:150,5"


def test_seed_reproduces_the_latency_sequence(start_server):
    flags = ("--seed", "1234", "--ttft-ms", "uniform:0-150", *LOREM)
    runs = []
    for _ in range(2):
        emu = start_server(*flags, fresh=True)
        runs.append([stream_times(emu, headers={"X-Emulator-Output-Tokens": "2"})[0] * 1000 for _ in range(12)])
        emu.stop()
    diffs = [abs(a - b) for a, b in zip(*runs)]
    spread = max(runs[0]) - min(runs[0])
    assert spread > 40, f"the samples should vary: {runs[0]}"
    assert statistics_median(diffs) < 12, f"same seed, different latencies: {runs}"


def statistics_median(values):
    return percentile(values, 50)
