#!/usr/bin/env bash
# Soak benchmark: the release server with faults enabled under mixed traffic (streaming and not, every
# endpoint, bad requests, injected 500s and disconnects, clients that leave mid-stream) from ~50
# concurrent clients on 127.0.0.1. Samples the server's RSS and open descriptors (/proc/PID) after a
# warm-up and at the end, and fails if RSS grew by more than 10 % or the descriptors are not back to
# their starting count once the clients are gone. Prints a table.
#
#   scripts/soak.sh [SECONDS]         traffic time after the warm-up; default 15 (CI); 1800 for the full soak
#
# Environment: EMULATOR_BIN (default .build/release/openai-emulator, built if missing),
# SOAK_RESPONSE_STORE and SOAK_JOURNAL (--response-store-size, --journal-size; default 200 each),
# SOAK_CLIENTS (default 50), SOAK_WARMUP (seconds, default 5 or SECONDS/10 when longer),
# SOAK_RSS_TOLERANCE (percent, default 10), PYTHON (default .venv/bin/python, else python3).
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
DURATION="${1:-15}"
CLIENTS="${SOAK_CLIENTS:-50}"
WARMUP="${SOAK_WARMUP:-$(( DURATION / 10 > 5 ? DURATION / 10 : 5 ))}"
TOLERANCE="${SOAK_RSS_TOLERANCE:-10}"
BIN="${EMULATOR_BIN:-$ROOT/.build/release/openai-emulator}"
PYTHON="${PYTHON:-$( [ -x "$ROOT/.venv/bin/python" ] && echo "$ROOT/.venv/bin/python" || echo python3 )}"
note() { printf 'soak.sh: %s\n' "$*" >&2; }

if [ ! -x "$BIN" ]; then
  note "building the release binary"
  swift build -c release --product openai-emulator >&2 || exit 2
fi

PORT="$("$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
LOG="$(mktemp /tmp/openai-emulator-soak.XXXXXX.log)"
# The bounded stores are made small so that they are full after the warm-up: growth after that is a leak,
# not a store filling up to its limit (10,000 stored responses take ~40 MB at the defaults).
"$BIN" --host 127.0.0.1 --port "$PORT" --fault-rate disconnect=0.05,500=0.02 --ttft-ms 5 --itl-ms 2 \
  --connection-timeout 10 --response-store-size "${SOAK_RESPONSE_STORE:-200}" \
  --journal-size "${SOAK_JOURNAL:-200}" --log-level warning >"$LOG" 2>&1 &
SERVER=$!
cleanup() { kill "$SERVER" 2>/dev/null; wait "$SERVER" 2>/dev/null; }
trap cleanup EXIT

"$PYTHON" - "$PORT" "$SERVER" "$DURATION" "$WARMUP" "$CLIENTS" "$TOLERANCE" <<'PY'
import http.client, json, os, random, socket, sys, threading, time

port, pid, duration, warmup, clients, tolerance = (int(a) for a in sys.argv[1:7])
MODEL = "gpt-4o-mini"
HI = [{"role": "user", "content": "Say hello."}]

def rss_kib():
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])

def fds():
    return len(os.listdir(f"/proc/{pid}/fd"))

def threads():
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("Threads:"):
            return int(line.split()[1])

deadline = time.monotonic() + 20
while True:
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=2); c.request("GET", "/health")
        if c.getresponse().status == 200:
            c.close(); break
    except OSError:
        pass
    if time.monotonic() > deadline or not os.path.exists(f"/proc/{pid}"):
        sys.exit("soak.sh: the server did not come up")
    time.sleep(0.05)

# (weight, name, method, path, body, streamed, leave mid-stream)
MIX = [
    (30, "chat", "POST", "/v1/chat/completions", {"model": MODEL, "messages": HI, "max_tokens": 40}, False, False),
    (20, "chat-stream", "POST", "/v1/chat/completions", {"model": MODEL, "messages": HI, "stream": True,
                                                         "stream_options": {"include_usage": True}}, True, False),
    (8, "chat-leave", "POST", "/v1/chat/completions", {"model": MODEL, "messages": HI, "stream": True}, True, True),
    (8, "responses", "POST", "/v1/responses", {"model": MODEL, "input": "hi", "stream": True}, True, False),
    (6, "completions", "POST", "/v1/completions", {"model": "gpt-3.5-turbo-instruct", "prompt": "hi"}, False, False),
    (8, "embeddings", "POST", "/v1/embeddings", {"model": "text-embedding-3-small", "input": ["a b c", "d e"]}, False, False),
    (6, "messages", "POST", "/v1/messages", {"model": "claude-3-5-sonnet-latest", "max_tokens": 30, "messages": HI,
                                             "stream": True}, True, False),
    (4, "tools", "POST", "/v1/chat/completions", {"model": MODEL, "messages": HI, "tool_choice": "required", "tools": [
        {"type": "function", "function": {"name": "f", "parameters": {"type": "object", "properties": {
            "a": {"type": "string"}, "b": {"type": "array", "items": {"type": "integer"}}}}}}]}, False, False),
    (5, "bad-json", "POST", "/v1/chat/completions", b"{not json", False, False),
    (3, "bad-param", "POST", "/v1/chat/completions", {"model": MODEL, "messages": HI, "temperature": 5}, False, False),
    (2, "health", "GET", "/health", None, False, False),
]
CHOICES = [m for m in MIX for _ in range(m[0])]
lock = threading.Lock()
stats: dict[str, dict[str, int]] = {}
stop = threading.Event()

def count(name, outcome):
    with lock:
        stats.setdefault(name, {}).setdefault(outcome, 0)
        stats[name][outcome] += 1

def client(seed):
    rng = random.Random(seed)
    conn = None
    while not stop.is_set():
        _, name, method, path, body, streamed, leave = rng.choice(CHOICES)
        try:
            if conn is None:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
            data = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
            headers = {"Content-Type": "application/json"} if data is not None else {}
            if name == "messages":
                headers["anthropic-version"] = "2023-06-01"
            conn.request(method, path, body=data, headers=headers)
            r = conn.getresponse()
            if leave:
                r.read(rng.randint(1, 400))
                conn.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                conn.close(); conn = None
                count(name, "left")
                continue
            payload = r.read()
            outcome = str(r.status)
            if r.status == 200 and streamed and not payload.rstrip().endswith((b"[DONE]", b"}")):
                outcome = "200-cut"
            count(name, outcome)
            if r.getheader("connection", "").lower() == "close":
                conn.close(); conn = None
        except (OSError, http.client.HTTPException) as e:
            count(name, type(e).__name__)
            if conn is not None:
                conn.close()
            conn = None
    if conn is not None:
        conn.close()

time.sleep(1)  # the health check's connection is closed on the server's side too
fd_start, threads_start = fds(), threads()
workers = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
t0 = time.monotonic()
for w in workers:
    w.start()
time.sleep(warmup)
rss_warm, fd_warm = rss_kib(), fds()
samples = [(time.monotonic() - t0, rss_warm, fd_warm)]
end = t0 + warmup + duration
step = max(1.0, duration / 20)
while time.monotonic() < end:
    time.sleep(min(step, max(0.0, end - time.monotonic())))
    samples.append((time.monotonic() - t0, rss_kib(), fds()))
stop.set()
for w in workers:
    w.join(30)
alive = sum(w.is_alive() for w in workers)
# clients are gone; let the server notice the last closes
deadline = time.monotonic() + 15
while fds() != fd_start and time.monotonic() < deadline:
    time.sleep(0.1)
time.sleep(0.5)
rss_end, fd_end, threads_end = rss_kib(), fds(), threads()
c = http.client.HTTPConnection("127.0.0.1", port, timeout=5); c.request("GET", "/health")
healthy = c.getresponse().status == 200; c.close()

total = sum(sum(v.values()) for v in stats.values())
print(f"\nsoak: {clients} clients, warm-up {warmup}s, traffic {duration}s, {total} requests "
      f"({total / (warmup + duration):.0f}/s), faults disconnect=0.05,500=0.02\n")
print(f"{'request':<14} " + " ".join(f"{k:>8}" for k in ("total", "200", "400", "500", "left", "dropped", "other")))
for name in sorted(stats):
    s = stats[name]
    dropped = sum(v for k, v in s.items() if not k[0].isdigit() and k != "left")
    other = sum(v for k, v in s.items() if k[0].isdigit() and k not in ("200", "400", "500"))
    print(f"{name:<14} " + " ".join(f"{v:>8}" for v in (sum(s.values()), s.get("200", 0), s.get("400", 0),
                                                         s.get("500", 0), s.get("left", 0), dropped, other)))
print()
print(f"{'t (s)':>8} {'RSS (KiB)':>10} {'fds':>5}")
for t, r, f in samples:
    print(f"{t:8.1f} {r:10d} {f:5d}")
growth = 100.0 * (rss_end - rss_warm) / rss_warm
print()
print(f"{'measure':<28} {'start':>10} {'warm':>10} {'end':>10}")
print(f"{'RSS (KiB)':<28} {'':>10} {rss_warm:>10} {rss_end:>10}   ({growth:+.1f} %, limit +{tolerance} %)")
print(f"{'open fds':<28} {fd_start:>10} {fd_warm:>10} {fd_end:>10}")
print(f"{'threads':<28} {threads_start:>10} {'':>10} {threads_end:>10}")
print(f"{'peak RSS during traffic':<28} {max(r for _, r, _ in samples):>10}")
problems = []
if growth > tolerance:
    problems.append(f"RSS grew {growth:.1f} % after the warm-up (limit {tolerance} %)")
if fd_end != fd_start:
    problems.append(f"open descriptors {fd_start} at the start, {fd_end} after the clients left")
if not healthy:
    problems.append("/health did not answer 200 at the end")
if alive:
    problems.append(f"{alive} client threads did not stop")
if not os.path.exists(f"/proc/{pid}"):
    problems.append("the server exited")
print("\nsoak: " + ("PASS" if not problems else "FAIL: " + "; ".join(problems)))
sys.exit(1 if problems else 0)
PY
rc=$?
if ! kill -0 "$SERVER" 2>/dev/null; then
  note "the server exited; its output:"; tail -40 "$LOG" >&2; rc=1
fi
rm -f "$LOG"
exit $rc
