"""The request journal and verification end to end: bounds (--journal-size, --journal-body-bytes),
masking of credentials, filters, streamed answers, waiting for asynchronous requests, verify with
its diff, scopes with concurrent clients, DELETE of a scope, --scope-by-key, and reset."""

from __future__ import annotations

import threading
import time
import uuid

import httpx
import pytest

from helpers_mock import add_fixture, api, chat, in_parallel, journal, stream_times
from support import DEFAULT_TEXT, MODEL, make_client

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def scope():
    return "j-" + uuid.uuid4().hex[:12]


def test_entry_shape(server, scope):
    t0 = time.time()
    r = chat(server, "record me", scope=scope, temperature=0.1, headers={"X-Trace": "abc"})
    assert r.status_code == 200
    [e] = journal(server, scope=scope)
    assert e["method"] == "POST" and e["path"] == "/v1/chat/completions" and e["scope"] == scope
    assert e["endpoint"] == "chat" and e["model"] == MODEL and e["status"] == 200 and e["stream"] is False
    assert e["body"]["messages"] == [{"role": "user", "content": "record me"}] and e["body"]["temperature"] == 0.1
    assert e["body_truncated"] is False and e["matched_rule"] is None
    assert e["headers"]["x-trace"] == "abc"
    assert t0 - 1 <= e["time"] <= time.time() + 1 and e["duration_ms"] >= 0
    assert e["answer"]["choices"][0]["message"]["content"] == DEFAULT_TEXT
    assert isinstance(e["sequence"], int) and e["id"]


def test_streamed_answer_is_assembled(server, scope):
    add_fixture(server, {"name": "streamy", "respond": {"text": "one two three"}}, scope=scope)
    c = make_client(server, default_headers={"X-Emulator-Scope": scope})
    text = "".join(ch.choices[0].delta.content or "" for ch in
                   c.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "s"}], stream=True)
                   if ch.choices)
    assert text == "one two three"
    [e] = journal(server, scope=scope)
    assert e["stream"] is True and e["matched_rule"] == "streamy"
    assert e["answer"][0]["content"] == "one two three", e["answer"]


def test_journal_size_keeps_the_newest(start_server):
    emu = start_server("--journal-size", "5", "--drain-delay", "0")
    sc = "size-" + uuid.uuid4().hex[:6]
    for i in range(8):
        chat(emu, f"message {i}", scope=sc)
    entries = journal(emu, scope=sc)
    assert [e["body"]["messages"][0]["content"] for e in entries] == [f"message {i}" for i in range(3, 8)]
    seqs = [e["sequence"] for e in entries]
    assert seqs == sorted(seqs)


def test_credentials_are_masked(server, scope):
    secret = "sk-proj-abcdefghijklmnopqrstuvwxyz0123"
    chat(server, scope=scope, headers={"Authorization": f"Bearer {secret}"})
    httpx.post(server.base + "/openai/deployments/d/chat/completions?api-version=2024-10-21",
               json={"messages": [{"role": "user", "content": "hi"}]},
               headers={"api-key": secret, "X-Emulator-Scope": scope}, timeout=10)
    httpx.post(server.base + "/v1/messages", json={"model": "claude-3-5-haiku-latest", "max_tokens": 5,
                                                   "messages": [{"role": "user", "content": "hi"}]},
               headers={"x-api-key": secret, "anthropic-version": "2023-06-01", "X-Emulator-Scope": scope}, timeout=10)
    entries = journal(server, scope=scope)
    assert len(entries) == 3
    raw = str(entries)
    assert secret not in raw
    auth = entries[0]["headers"]["authorization"]
    assert auth.startswith("Bearer ") and "*" in auth and auth != f"Bearer {secret}"
    assert "*" in entries[1]["headers"]["api-key"] and "*" in entries[2]["headers"]["x-api-key"]


def test_body_cap(start_server):
    emu = start_server("--journal-body-bytes", "200", "--drain-delay", "0")
    sc = "cap-" + uuid.uuid4().hex[:6]
    chat(emu, "short", scope=sc)
    chat(emu, "long " * 200, scope=sc)
    short, long = journal(emu, scope=sc)
    assert short["body_truncated"] is False and short["body"]["messages"][0]["content"] == "short"
    assert long["body_truncated"] is True and isinstance(long["body"], str)
    assert len(long["body"].encode()) <= 200 and long["body"].startswith("{")


def test_filters(server, scope):
    add_fixture(server, {"name": "rule-a", "match": {"last_user": "alpha"}, "respond": {"text": "A"}}, scope=scope)
    chat(server, "alpha one", scope=scope)
    chat(server, "beta two", model="gpt-4.1", scope=scope)
    since = time.time()
    time.sleep(0.05)
    api(server, "POST", "/v1/embeddings", json={"model": "text-embedding-3-small", "input": "gamma three"}, scope=scope)
    chat(server, "delta", scope=scope, headers={"X-Emulator-Fault": "500"})
    assert len(journal(server, scope=scope)) == 4
    assert [e["path"] for e in journal(server, scope=scope, path="/v1/embeddings")] == ["/v1/embeddings"]
    assert len(journal(server, scope=scope, method="post")) == 4 and journal(server, scope=scope, method="GET") == []
    assert [e["model"] for e in journal(server, scope=scope, model="gpt-4.*")] == ["gpt-4.1"]
    assert [e["body"]["messages"][0]["content"] for e in journal(server, scope=scope, rule="rule-a")] == ["alpha one"]
    assert len(journal(server, scope=scope, since=since)) == 2
    assert [e["body"]["input"] for e in journal(server, scope=scope, q="GAMMA")] == ["gamma three"]
    assert [e["status"] for e in journal(server, scope=scope, status=500)] == [500]
    assert [e["body"]["messages"][0]["content"] for e in journal(server, scope=scope, path="/v1/chat/completions", limit=1)] == ["delta"]
    assert api(server, "DELETE", "/_emulator/requests", scope=scope).status_code == 200
    assert journal(server, scope=scope) == []


def test_admin_routes_are_not_journaled(server, scope):
    api(server, "GET", "/_emulator/fixtures", scope=scope)
    httpx.get(server.base + "/health", headers={"X-Emulator-Scope": scope})
    assert journal(server, scope=scope) == []


def test_wait_for_an_asynchronous_request(server, scope):
    def later():
        time.sleep(0.3)
        chat(server, "from a background job", scope=scope)

    t = threading.Thread(target=later, daemon=True)
    t0 = time.monotonic()
    t.start()
    r = api(server, "GET", "/_emulator/requests/wait", params={"count": 1, "timeout_ms": 5000, "q": "background"},
            scope=scope)
    elapsed = time.monotonic() - t0
    t.join(5)
    assert r.status_code == 200, r.text
    assert 0.25 <= elapsed <= 3, elapsed
    assert r.json()["count"] == 1 and r.json()["data"][0]["status"] == 200


def test_wait_times_out_with_408(server, scope):
    chat(server, "only one", scope=scope)
    t0 = time.monotonic()
    r = api(server, "GET", "/_emulator/requests/wait", params={"count": 2, "timeout_ms": 300}, scope=scope)
    assert r.status_code == 408
    assert 0.28 <= time.monotonic() - t0 <= 2
    body = r.json()
    assert body["count"] == 1 and body["error"]["code"] == "wait_timeout" and "1 arrived" in body["error"]["message"]


def test_wait_already_satisfied_answers_at_once(server, scope):
    chat(server, "a", scope=scope)
    chat(server, "b", scope=scope)
    t0 = time.monotonic()
    r = api(server, "GET", "/_emulator/requests/wait", params={"count": 2, "timeout_ms": 5000}, scope=scope)
    assert r.status_code == 200 and r.json()["count"] == 2 and time.monotonic() - t0 < 0.5


def test_verify_200_and_409_with_diff(server, scope):
    chat(server, "What is the weather in Oslo?", scope=scope)
    chat(server, "Tell me a joke", scope=scope)
    ok = api(server, "POST", "/_emulator/verify", scope=scope,
             json={"match": {"endpoint": "chat", "last_user": {"contains": "weather"}}, "count": {"exactly": 1}})
    assert ok.status_code == 200, ok.text
    body = ok.json()
    assert body["matched"] == 1 and body["expected"] == {"exactly": 1} and "error" not in body
    assert body["requests"][0]["body"]["messages"][0]["content"].startswith("What is the weather")
    bad = api(server, "POST", "/_emulator/verify", scope=scope,
              json={"match": {"last_user": {"contains": "Bergen"}}, "count": {"exactly": 1}})
    assert bad.status_code == 409
    b = bad.json()
    assert b["matched"] == 0 and b["error"]["code"] == "verification_failed"
    diff = b["diff"].splitlines()
    assert diff[0].startswith("expected exactly 1 matching request, received 0 (of 2 recorded)"), diff
    assert any(line.startswith("- ") and "Oslo" in line and "Bergen" in line for line in diff[1:]), diff
    assert api(server, "POST", "/_emulator/verify", scope=scope,
               json={"match": {"model": "gpt-4o*"}, "count": {"at_least": 2}}).status_code == 200
    assert api(server, "POST", "/_emulator/verify", scope=scope,
               json={"match": {"model": "gpt-4o*"}, "count": {"at_most": 1}}).status_code == 409
    assert api(server, "POST", "/_emulator/verify", scope=scope,
               json={"match": {"model": "gpt-4o*"}, "count": {"sometimes": 1}}).status_code == 400


def test_verify_on_other_endpoints(server, scope):
    api(server, "POST", "/v1/responses", json={"model": MODEL, "input": "responses input", "instructions": "be brief"},
        scope=scope)
    api(server, "POST", "/v1/messages", json={"model": "claude-3-5-haiku-latest", "max_tokens": 5, "system": "sys prompt",
                                              "messages": [{"role": "user", "content": "anthropic hello"}]},
        scope=scope, headers={"anthropic-version": "2023-06-01"})
    for match in [{"endpoint": "responses", "last_user": "responses input", "system": "brief"},
                  {"endpoint": "messages", "last_user": "anthropic hello", "system": "sys prompt"}]:
        r = api(server, "POST", "/_emulator/verify", scope=scope, json={"match": match, "count": {"exactly": 1}})
        assert r.status_code == 200, (match, r.json().get("diff"))


def test_scopes_with_concurrent_clients(server):
    scopes = [f"worker-{i}-{uuid.uuid4().hex[:6]}" for i in range(6)]

    def work(i):
        sc = scopes[i]
        add_fixture(server, {"match": {"last_user": "who"}, "respond": {"text": f"I am {sc}"}}, scope=sc)
        c = make_client(server, default_headers={"X-Emulator-Scope": sc})
        answers = {c.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": f"who {k}"}])
                   .choices[0].message.content for k in range(5)}
        return answers, journal(server, scope=sc), api(server, "GET", "/_emulator/fixtures", scope=sc).json()["data"]

    for i, (answers, entries, fixtures) in enumerate(in_parallel(work, len(scopes))):
        assert answers == {f"I am {scopes[i]}"}
        assert len(entries) == 5 and {e["scope"] for e in entries} == {scopes[i]}
        assert len(fixtures) == 1


def test_delete_scope(server):
    a, b = "del-a-" + uuid.uuid4().hex[:6], "del-b-" + uuid.uuid4().hex[:6]
    for sc in (a, b):
        add_fixture(server, {"respond": {"text": f"scoped {sc}"}}, scope=sc)
        chat(server, scope=sc)
    r = api(server, "DELETE", f"/_emulator/scopes/{a}")
    assert r.status_code == 200 and r.json() == {"scope": a, "deleted": True}
    assert journal(server, scope=a) == [] and api(server, "GET", "/_emulator/fixtures", scope=a).json()["data"] == []
    assert chat(server, scope=a).json()["choices"][0]["message"]["content"] == DEFAULT_TEXT
    assert len(journal(server, scope=b)) == 1
    assert chat(server, scope=b).json()["choices"][0]["message"]["content"] == f"scoped {b}"


def test_scope_has_its_own_rate_limits_and_fault_scripts(start_server):
    # A scripted 500 counts against the rate limit, as a backend failure does behind the real API's
    # gateway: with 2 requests a minute the third is refused.
    emu = start_server("--rpm", "2", "--fault-script", "first 1 500", "--drain-delay", "0", fresh=True)
    assert [chat(emu, scope="s1").status_code for _ in range(3)] == [500, 200, 429]
    assert [chat(emu, scope="s2").status_code for _ in range(3)] == [500, 200, 429]
    api(emu, "DELETE", "/_emulator/scopes/s1")
    assert [chat(emu, scope="s1").status_code for _ in range(2)] == [500, 200]


def test_scope_by_key(start_server):
    emu = start_server("--scope-by-key", "--drain-delay", "0", fresh=True)
    add_fixture(emu, {"respond": {"text": "key one"}}, scope="sk-one")
    r1 = chat(emu, headers={"Authorization": "Bearer sk-one"})
    r2 = chat(emu, headers={"Authorization": "Bearer sk-two"})
    assert r1.json()["choices"][0]["message"]["content"] == "key one"
    assert r2.json()["choices"][0]["message"]["content"] == DEFAULT_TEXT
    assert len(journal(emu, scope="sk-one")) == 1 and len(journal(emu, scope="sk-two")) == 1
    # the header wins over the key
    chat(emu, headers={"Authorization": "Bearer sk-one", "X-Emulator-Scope": "explicit"})
    assert len(journal(emu, scope="explicit")) == 1 and len(journal(emu, scope="sk-one")) == 1


def test_reset(start_server):
    emu = start_server("--drain-delay", "0", fresh=True)
    for sc in (None, "x"):
        add_fixture(emu, {"respond": {"text": "scripted"}}, scope=sc)
        chat(emu, scope=sc)
    api(emu, "PATCH", "/_emulator/config", json={"defaults": {"rpm": 1}})
    r = api(emu, "POST", "/_emulator/reset")
    assert r.status_code == 200 and r.json() == {"reset": True}
    for sc in (None, "x"):
        assert journal(emu, scope=sc) == []
        assert api(emu, "GET", "/_emulator/fixtures", scope=sc).json()["data"] == []
    assert api(emu, "GET", "/_emulator/config").json()["defaults"]["rpm"] is None
    assert [chat(emu).status_code for _ in range(3)] == [200] * 3


def texts(entries) -> list[str]:
    return [e["body"]["messages"][0]["content"] for e in entries]


def under_way(work, *args, head_start: float = 0.2) -> threading.Thread:
    """Starts `work(*args)` in a thread and gives it time to reach the server."""
    t = threading.Thread(target=work, args=args)
    t.start()
    time.sleep(head_start)
    return t


def slow_chat(server, text, scope, ttft_ms):
    chat(server, text, scope=scope, headers={"X-Emulator-TTFT-Ms": str(ttft_ms)})


def slow_stream(server, text, scope, ttft_ms):
    stream_times(server, text=text, headers={"X-Emulator-Scope": scope, "X-Emulator-TTFT-Ms": str(ttft_ms)})


def test_delayed_answer_is_listed_as_soon_as_it_is_decided(server, scope):
    # Listed before it is sent, with the duration it is held for: a client that reads the journal
    # as soon as it has its answer always finds the request.
    t = under_way(slow_chat, server, "slow one", scope, 700)
    [e] = journal(server, scope=scope)
    assert e["body"]["messages"][0]["content"] == "slow one" and e["status"] == 200 and e["duration_ms"] >= 700
    t.join()
    for _ in range(20):
        assert chat(server, "next", scope=scope).status_code == 200
        assert texts(journal(server, scope=scope))[-1] == "next"


def test_stream_is_listed_once_finished_in_arrival_order(server, scope):
    # The stream arrives first and finishes last; it is listed once finished, in arrival order.
    t = under_way(slow_stream, server, "slow one", scope, 700)
    assert chat(server, "fast one", scope=scope).status_code == 200
    assert texts(journal(server, scope=scope)) == ["fast one"]
    t.join()
    entries = journal(server, scope=scope)
    assert texts(entries) == ["slow one", "fast one"]
    assert entries[0]["sequence"] < entries[1]["sequence"] and entries[0]["duration_ms"] >= 700
    assert entries[0]["status"] == 200 and entries[0]["stream"] is True
    assert entries[0]["answer"][0]["content"] == DEFAULT_TEXT


@pytest.mark.parametrize("slow", [slow_chat, slow_stream], ids=["json", "stream"])
def test_request_under_way_at_a_clear_is_cleared_with_its_scope(server, scope, slow):
    other = scope + "-other"
    threads = [under_way(slow, server, f"under way in {sc}", sc, 500, head_start=0) for sc in (scope, other)]
    time.sleep(0.2)
    assert api(server, "DELETE", "/_emulator/requests", scope=scope).status_code == 200
    for t in threads:
        t.join()
    assert journal(server, scope=scope) == []
    assert texts(journal(server, scope=other)) == [f"under way in {other}"]
    assert chat(server, "after the clear", scope=scope).status_code == 200
    assert texts(journal(server, scope=scope)) == ["after the clear"]
