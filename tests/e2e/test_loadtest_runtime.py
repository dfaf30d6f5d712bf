"""Runtime control and proof: PATCH /_emulator/config (a brown-out started and ended), the admin key and
--no-admin, /metrics parsed by prometheus_client and checked against what was sent (emulator_* and
vllm:* names), /ready with the SIGTERM drain, and SIGHUP reload of a changed config file."""

from __future__ import annotations

import signal
import threading
import time

import httpx
import pytest

from helpers_mock import api, chat, metrics, stream_times, wait_until
from support import MODEL, assert_error, make_client

pytestmark = pytest.mark.timeout(90)

BASE = ("--response-mode", "lorem", "--output-tokens", "10", "--drain-delay", "0")


def test_brown_out_started_and_ended_through_patch(start_server):
    emu = start_server(*BASE, fresh=True)
    assert chat(emu).status_code == 200
    r = api(emu, "PATCH", "/_emulator/config", json={"faults": {"rates": {"503": 1}}})
    assert r.status_code == 200 and r.json()["faults"]["rates"] == {"503": 1}
    assert [chat(emu).status_code for _ in range(5)] == [503] * 5
    r = api(emu, "PATCH", "/_emulator/config", json={"faults": {"rates": {}}})
    assert r.status_code == 200 and r.json()["faults"]["rates"] == {}
    assert [chat(emu).status_code for _ in range(5)] == [200] * 5


def test_patch_latency_capacity_and_limits(start_server):
    emu = start_server(*BASE, fresh=True)
    assert stream_times(emu)[0] < 0.05
    r = api(emu, "PATCH", "/_emulator/config",
            json={"defaults": {"ttft_ms": 250, "itl_ms": "uniform:1-2", "rpm": 2, "max_concurrency": 4},
                  "overload_status": 503, "faults": {"script": ["first 1 502"]}})
    assert r.status_code == 200, r.text
    cfg = api(emu, "GET", "/_emulator/config").json()
    d = cfg["defaults"]
    assert (d["ttft_ms"], d["itl_ms"], d["rpm"], d["max_concurrency"]) == ("250", "uniform:1-2", 2, 4)
    assert cfg["overload_status"] == 503 and cfg["faults"]["script"] == ["first 1 502"]
    assert chat(emu).status_code == 502
    ttft = stream_times(emu)[0]
    assert 0.24 <= ttft <= 0.4, ttft
    assert chat(emu).status_code == 429  # rpm 2 used by the two requests after the 502


def test_patch_rejects_invalid_values_and_keeps_the_settings(start_server):
    emu = start_server(*BASE, fresh=True)
    before = api(emu, "GET", "/_emulator/config").json()
    for patch, param in [({"defaults": {"ttft_ms": "gaussian:5"}}, "defaults.ttft_ms"),
                         ({"overload_status": 500}, "overload_status"),
                         ({"faults": {"rates": {"boom": 0.5}}}, "faults.rates.boom"),
                         ({"faults": {"script": ["sometimes 500"]}}, "faults.script[0]")]:
        r = api(emu, "PATCH", "/_emulator/config", json=patch)
        assert r.status_code == 400, (patch, r.text)
        assert_error(r.json(), param=param)
    assert api(emu, "GET", "/_emulator/config").json() == before


def test_reset_restores_the_start_settings(start_server):
    emu = start_server(*BASE, fresh=True)
    api(emu, "PATCH", "/_emulator/config", json={"faults": {"rates": {"500": 1}}})
    assert chat(emu).status_code == 500
    assert api(emu, "POST", "/_emulator/reset").status_code == 200
    assert chat(emu).status_code == 200


def test_admin_key(start_server):
    emu = start_server("--admin-key", "adm1n", "--api-key", "sk-user", *BASE)
    r = api(emu, "GET", "/_emulator/config")
    assert r.status_code == 401
    assert_error(r.json(), code="invalid_admin_key")
    assert api(emu, "GET", "/_emulator/config", headers={"Authorization": "Bearer sk-user"}).status_code == 401
    assert api(emu, "GET", "/_emulator/config", admin_key="adm1n").status_code == 200
    assert api(emu, "GET", "/_emulator/config", headers={"Authorization": "Bearer adm1n"}).status_code == 200
    assert api(emu, "PATCH", "/_emulator/config", json={"defaults": {"rpm": 5}}).status_code == 401
    assert api(emu, "GET", "/_emulator/requests").status_code == 401
    # the API itself still takes the API key
    assert chat(emu, headers={"Authorization": "Bearer sk-user"}).status_code == 200


def test_no_admin(start_server):
    emu = start_server("--no-admin", *BASE)
    for method, path in [("GET", "/_emulator/config"), ("PATCH", "/_emulator/config"),
                         ("GET", "/_emulator/requests"), ("POST", "/_emulator/fixtures"), ("POST", "/_emulator/reset")]:
        r = api(emu, method, path, json={} if method != "GET" else None)
        assert r.status_code == 404, (method, path, r.status_code)
    assert chat(emu).status_code == 200
    assert httpx.get(emu.base + "/metrics").status_code == 200


# --------------------------------------------------------------------------- metrics
def test_metrics_match_what_was_sent(start_server):
    emu = start_server("--vllm-metrics", "--ttft-ms", "30", "--itl-ms", "2", *BASE, fresh=True)
    c = make_client(emu)
    prompt = generated = 0
    for _ in range(5):
        s = c.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "stream please"}],
                                      stream=True, stream_options={"include_usage": True})
        usage = [ch.usage for ch in s if ch.usage][-1]
        prompt += usage.prompt_tokens
        generated += usage.completion_tokens
    for _ in range(3):
        r = c.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "plain"}])
        prompt += r.usage.prompt_tokens
        generated += r.usage.completion_tokens
    for _ in range(2):
        assert chat(emu, headers={"X-Emulator-Fault": "500"}).status_code == 500
    assert chat(emu, headers={"X-Emulator-Fault": "503"}).status_code == 503

    def settled():
        m = metrics(emu)
        return m if m.value("emulator_requests_total", endpoint="chat", status="200") >= 8 else None

    m = wait_until(settled, 3) or metrics(emu)
    assert m.value("emulator_requests_total", endpoint="chat", model=MODEL, status="200") == 8, m.text
    assert m.value("emulator_prompt_tokens_total", model=MODEL) == prompt
    assert m.value("emulator_generation_tokens_total", model=MODEL) == generated
    assert m.value("emulator_time_to_first_token_seconds_count", endpoint="chat") == 5
    ttft_mean = m.value("emulator_time_to_first_token_seconds_sum") / 5
    assert 0.028 <= ttft_mean <= 0.06, ttft_mean
    assert m.value("emulator_time_to_first_token_seconds_bucket", le="0.02") == 0
    assert m.value("emulator_time_to_first_token_seconds_bucket", le="0.1") == 5
    itl_count = m.value("emulator_inter_token_latency_seconds_count")
    assert itl_count >= 5 * 5, itl_count
    assert m.value("emulator_streams_total", outcome="completed") == 5
    assert m.value("emulator_faults_total", kind="500") == 2
    assert m.value("emulator_faults_total", kind="503") == 1
    assert m.value("emulator_requests_running") == 0 and m.value("emulator_requests_waiting") == 0
    assert m.value("emulator_request_duration_seconds_count", endpoint="chat") >= 8
    # vLLM's names, for dashboards and autoscalers built for vLLM
    assert m.value("vllm:prompt_tokens_total", model_name=MODEL) == prompt
    assert m.value("vllm:generation_tokens_total", model_name=MODEL) == generated
    assert m.value("vllm:time_to_first_token_seconds_count", model_name=MODEL) == 5
    assert m.value("vllm:inter_token_latency_seconds_count", model_name=MODEL) == itl_count
    assert m.value("vllm:e2e_request_latency_seconds_count", model_name=MODEL) == 8
    for g in ("vllm:num_requests_running", "vllm:num_requests_waiting"):
        assert m.has(g), g
    assert m.families["vllm:num_requests_running"].type == "gauge"
    assert m.families["vllm:time_to_first_token_seconds"].type == "histogram"


def test_failed_requests_are_counted_by_status(start_server):
    emu = start_server("--rpm", "1", *BASE, fresh=True)
    assert chat(emu).status_code == 200
    assert chat(emu).status_code == 429
    assert chat(emu, headers={"X-Emulator-Fault": "500"}).status_code == 500
    m = wait_until(lambda: (lambda x: x if x.value("emulator_requests_total", status="429") else None)(metrics(emu)), 2) \
        or metrics(emu)
    assert m.value("emulator_rate_limited_total", reason="requests") == 1
    assert m.value("emulator_requests_total", endpoint="chat", status="200") == 1
    assert m.value("emulator_requests_total", endpoint="chat", status="429") == 1, \
        "a rate-limited request should appear in emulator_requests_total{status=\"429\"}:\n" + m.text
    assert m.value("emulator_requests_total", endpoint="chat", status="500") == 1


def test_vllm_names_absent_by_default(start_server):
    emu = start_server(*BASE)
    chat(emu)
    m = metrics(emu)
    assert not any(n.startswith("vllm:") for n in m.families)
    assert m.has("emulator_requests_running")


def test_running_gauge_during_streams(start_server):
    emu = start_server("--itl-ms", "50", "--vllm-metrics", *BASE, fresh=True)
    threads = [threading.Thread(target=stream_times, args=(emu,), kwargs={"headers": {"X-Emulator-Output-Tokens": "20"}},
                                daemon=True) for _ in range(3)]
    for t in threads:
        t.start()
    assert wait_until(lambda: metrics(emu).value("vllm:num_requests_running") == 3, 3)
    assert metrics(emu).value("emulator_requests_running") == 3
    for t in threads:
        t.join(10)
    assert wait_until(lambda: metrics(emu).value("emulator_requests_running") == 0, 3)


# --------------------------------------------------------------------------- lifecycle
def test_ready_and_sigterm_drain(start_server):
    emu = start_server("--drain-delay", "1.5", "--response-mode", "lorem", fresh=True)
    assert httpx.get(emu.base + "/ready").status_code == 200
    t0 = time.monotonic()
    emu.signal(signal.SIGTERM)
    assert wait_until(lambda: httpx.get(emu.base + "/ready").status_code == 503, 1.0)
    assert httpx.get(emu.base + "/ready").json() == {"status": "not ready"}
    assert chat(emu).status_code == 200, "requests are still served while draining"
    assert httpx.get(emu.base + "/health").status_code == 200
    assert emu.wait(10) == 0
    assert time.monotonic() - t0 >= 1.4


def test_sigterm_lets_open_streams_finish(start_server):
    emu = start_server("--drain-delay", "0", "--itl-ms", "40", "--response-mode", "lorem", fresh=True)
    out = {}

    def run():
        out["r"] = stream_times(emu, headers={"X-Emulator-Output-Tokens": "30"})

    t = threading.Thread(target=run, daemon=True)
    t.start()
    time.sleep(0.3)
    emu.signal(signal.SIGTERM)
    t.join(10)
    assert "r" in out and sum(1 for c in out["r"][2] if c.get("choices") and c["choices"][0]["delta"].get("content")) >= 20
    assert emu.wait(10) == 0


def test_sighup_reloads_the_config_file(start_server, tmp_path):
    cfg = tmp_path / "load.yaml"
    cfg.write_text("defaults:\n  ttft_ms: 0\n")
    emu = start_server("--config", str(cfg), *BASE, fresh=True)
    assert chat(emu).status_code == 200
    cfg.write_text("defaults:\n  ttft_ms: 0\nfaults:\n  rates: {'503': 1}\n")
    emu.signal(signal.SIGHUP)
    assert wait_until(lambda: chat(emu).status_code == 503, 3)
    assert api(emu, "GET", "/_emulator/config").json()["faults"]["rates"] == {"503": 1}
    cfg.write_text("defaults: [not, an, object]\n")  # broken: the last settings stay
    emu.signal(signal.SIGHUP)
    assert "reload failed" in emu.wait_for_output(lambda t: "reload failed" in t, 3)
    assert emu.alive() and chat(emu).status_code == 503
    cfg.write_text("defaults:\n  ttft_ms: 0\nfaults:\n  rates: {}\n")
    emu.signal(signal.SIGHUP)
    assert wait_until(lambda: chat(emu).status_code == 200, 3)


def test_sighup_drops_a_section_removed_from_the_file(start_server, tmp_path):
    cfg = tmp_path / "load.yaml"
    cfg.write_text("faults:\n  rates: {'500': 1}\n")
    emu = start_server("--config", str(cfg), *BASE, fresh=True)
    assert chat(emu).status_code == 500
    cfg.write_text("defaults:\n  ttft_ms: 0\n")  # no faults any more
    emu.signal(signal.SIGHUP)
    emu.wait_for_output(lambda t: "reloaded" in t, 3)
    assert chat(emu).status_code == 200, \
        "after SIGHUP the file no longer has faults, yet " + str(api(emu, "GET", "/_emulator/config").json()["faults"])


def test_config_file_gives_top_level_options(start_server, tmp_path):
    cfg = tmp_path / "all.yaml"
    cfg.write_text("api_keys: [sk-from-file]\nresponse_text: from the file\noverload_status: 503\n"
                   "defaults: {max_concurrency: 1}\n")
    emu = start_server("--config", str(cfg), "--drain-delay", "0", fresh=True)
    assert chat(emu, headers={"Authorization": "Bearer nope"}).status_code == 401
    r = chat(emu, headers={"Authorization": "Bearer sk-from-file"})
    assert r.status_code == 200 and r.json()["choices"][0]["message"]["content"] == "from the file"
    cfg_json = api(emu, "GET", "/_emulator/config").json()
    assert cfg_json["overload_status"] == 503 and cfg_json["defaults"]["max_concurrency"] == 1
