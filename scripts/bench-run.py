#!/usr/bin/env python3
"""The body of scripts/bench: starts servers, runs wrk and h2load against 127.0.0.1, and reports
medians. Run through scripts/bench (which builds first); see its header for the options."""
import argparse
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

CLK_TCK = os.sysconf("SC_CLK_TCK")
CHAT = '{"model":"gpt-3.5-turbo","messages":[{"role":"user","content":"Hello, how are you today?"}]}'
CHAT_STREAM = CHAT[:-1] + ',"stream":true}'
LUA = """wrk.method = "POST"
wrk.body = '%s'
wrk.headers["Content-Type"] = "application/json"
if wrk.path == nil or wrk.path == "/" or wrk.path == "" then wrk.path = "/v1/chat/completions" end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT rps=%%.1f p50_ms=%%.3f p99_ms=%%.3f requests=%%d errors=%%d non2xx=%%d\\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.requests, e.connect + e.read + e.write + e.timeout, e.status))
end
"""
# 16 content tokens per stream (ref-mhd's default K=16 frames); 40 one-token words for held streams.
TEXT16 = " ".join(["word"] * 14)
TEXT40 = " ".join(["word"] * 39)
LOAD_FLAGS = ["--ttft-ms", "normal:0,0", "--itl-ms", "normal:0,0", "--rpm", "100000000",
              "--tpm", "100000000000", "--vllm-metrics"]


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def cpu_s(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK
    except OSError:
        return 0.0


def rss_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class Server:
    """A server process on a loopback port; `start` returns once it accepts connections."""

    def __init__(self, name, argv, port):
        self.name, self.argv, self.port = name, argv, port
        self.url = f"http://127.0.0.1:{port}"
        self.proc = None
        self.cold_start_ms = None

    def start(self):
        t0 = time.monotonic()
        self.proc = subprocess.Popen(self.argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(2000):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.05).close()
                self.cold_start_ms = (time.monotonic() - t0) * 1000
                return self
            except OSError:
                if self.proc.poll() is not None:
                    sys.exit(f"{self.name} exited at start: {' '.join(self.argv)}")
                time.sleep(0.002)
        sys.exit(f"{self.name} did not start listening")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    @property
    def pid(self):
        return self.proc.pid if self.proc else 0


def run_wrk(server, url, script, conns, duration, repeats):
    runs = []
    for i in range(repeats):
        c0 = cpu_s(server.pid) if server else 0
        p = subprocess.run(["wrk", "-t2", f"-c{conns}", f"-d{duration}s", "--timeout=5s", "-s", script, url],
                           capture_output=True, text=True)
        c1 = cpu_s(server.pid) if server else 0
        m = re.search(r"^RESULT (.*)$", p.stdout, re.M)
        if not m:
            sys.exit(f"wrk gave no result: {p.stdout}{p.stderr}")
        r = {k: float(v) for k, v in (kv.split("=") for kv in m.group(1).split())}
        r["cpu_us_per_req"] = (c1 - c0) * 1e6 / r["requests"] if server and r["requests"] else None
        runs.append(r)
        time.sleep(0.5)
    med = {k: statistics.median([r[k] for r in runs if r.get(k) is not None] or [0])
           for k in ("rps", "p50_ms", "p99_ms", "cpu_us_per_req", "errors", "non2xx")}
    return {"median": med, "runs": runs}


def held_streams(server, url, n, timeout, ideal):
    """n streams opened at once with h2load; duration percentiles, peak RSS."""
    tmp = tempfile.mkdtemp(prefix="bench-")
    body, log = os.path.join(tmp, "body.json"), os.path.join(tmp, "h2load.log")
    with open(body, "w") as f:
        f.write(CHAT_STREAM)
    peak = [0]
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            peak[0] = max(peak[0], rss_kib(server.pid))
            stop.wait(0.05)

    before = rss_kib(server.pid)
    c0 = cpu_s(server.pid)
    th = threading.Thread(target=sample, daemon=True)
    th.start()
    p = subprocess.run(["timeout", str(timeout), "h2load", "--h1", "-n", str(n), "-c", str(n), "-t", "1", "-d", body,
                        "-H", "Content-Type: application/json", "--log-file", log, url],
                       capture_output=True, text=True)
    stop.set()
    th.join()
    durs = []
    ok = 0
    if os.path.exists(log):
        with open(log) as f:
            for line in f:
                parts = line.split()
                if len(parts) >= 3:
                    durs.append(int(parts[2]) / 1e6)
                    ok += parts[1] == "200"
    durs.sort()

    def pct(q):
        return durs[min(len(durs) - 1, int(round((len(durs) - 1) * q / 100)))] if durs else None

    return {"n": n, "completed": ok, "dur_p50_s": pct(50), "dur_p99_s": pct(99), "ideal_s": ideal,
            "p99_over_ideal_ms": (pct(99) - ideal) * 1000 if durs else None,
            "rss_before_kib": before, "rss_peak_kib": peak[0],
            "rss_per_stream_kib": round((peak[0] - before) / n, 1) if n else None,
            "server_cpu_s": round(cpu_s(server.pid) - c0, 2), "h2load_rc": p.returncode}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--duration", type=int, default=5)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--streams", default="1000,10000", help="held-stream counts (comma-separated, or 'none')")
    ap.add_argument("--against", default="", help="URL of another server to measure the same way")
    ap.add_argument("--ref-source", default="../shared/perf/ref-mhd.c")
    ap.add_argument("--json", default="bench-results.json")
    ap.add_argument("--quick", action="store_true", help="1 run of 3 s, 1000 held streams")
    ap.add_argument("--no-build", action="store_true")
    a = ap.parse_args()
    if a.quick:
        a.duration, a.repeats, a.streams = 3, 1, "1000"
    if a.against and "127.0.0.1" not in a.against and "localhost" not in a.against:
        sys.exit("--against must be a loopback URL")
    tmp = tempfile.mkdtemp(prefix="bench-")
    scripts = {}
    for name, body in (("chat", CHAT), ("stream", CHAT_STREAM)):
        scripts[name] = os.path.join(tmp, name + ".lua")
        with open(scripts[name], "w") as f:
            f.write(LUA % body)
    stream_counts = [] if a.streams == "none" else [int(x) for x in a.streams.split(",")]

    ref_bin = None
    if not a.against and os.path.exists(a.ref_source):
        ref_bin = os.path.join(tmp, "ref-mhd")
        flags = subprocess.run(["pkg-config", "--cflags", "--libs", "libmicrohttpd"],
                               capture_output=True, text=True).stdout.split()
        subprocess.run(["cc", "-O2", "-o", ref_bin, a.ref_source, *flags, "-lpthread"], check=True)

    def emulator(extra, port=None):
        port = port or free_port()
        return Server("emulator", [a.binary, "--port", str(port), *extra], port)

    configs = [("default", []), ("load-model", LOAD_FLAGS)]
    results = {"date": time.strftime("%Y-%m-%d %H:%M"), "cores": os.cpu_count(),
               "duration_s": a.duration, "repeats": a.repeats, "targets": {}}

    def measure(make, path="/v1/chat/completions", stream_path=None):
        """make(stream) -> Server: the non-streaming tests use the default answer, the streaming
        one an answer of 16 tokens."""
        r = {}
        s = make(False).start()
        time.sleep(0.3)
        r["cold_start_ms"] = round(s.cold_start_ms, 1)
        r["idle_rss_kib"] = rss_kib(s.pid)
        for conns in (64, 512):
            r[f"chat_c{conns}"] = run_wrk(s, s.url + path, scripts["chat"], conns, a.duration, a.repeats)
        s.stop()
        s = make(True).start()
        r["stream16_c64"] = run_wrk(s, s.url + (stream_path or path), scripts["stream"], 64, a.duration, a.repeats)
        s.stop()
        return r

    if ref_bin:
        port = free_port()
        results["targets"]["ref-mhd"] = measure(
            lambda _: Server("ref-mhd", [ref_bin, "-p", str(port)], port), stream_path="/v1/chat/completions?k=16")
    elif a.against:
        r = {}
        for conns in (64, 512):
            r[f"chat_c{conns}"] = run_wrk(None, a.against.rstrip("/") + "/v1/chat/completions", scripts["chat"],
                                          conns, a.duration, a.repeats)
        results["targets"]["against"] = r
    for name, flags in configs:
        results["targets"][name] = measure(
            lambda stream: emulator([*flags, "--response-text", TEXT16] if stream else flags))

    # Held paced streams: 40 tokens 50 ms apart, all opened at once, on a fresh server each time.
    for n in stream_counts:
        for name, flags in [("default", [])] + ([("ref-mhd", None)] if ref_bin else []):
            # Ideal durations: ref-mhd waits 50 ms before each of its 40 frames (2.0 s); the emulator
            # sends the first token at once (no --ttft-ms) and 50 ms between tokens (39 × 50 ms).
            if flags is None:
                port = free_port()
                s = Server("ref-mhd", [ref_bin, "-p", str(port), "-m", "8192"], port).start()
                url = s.url + "/v1/chat/completions?k=40&d=50"
                ideal = 2.0
            else:
                s = emulator(["--itl-ms", "50", "--response-text", TEXT40]).start()
                url = s.url + "/v1/chat/completions"
                ideal = 1.95
            time.sleep(0.5)
            results["targets"][name][f"held_{n}"] = held_streams(s, url, n, 60, ideal)
            s.stop()

    with open(a.json, "w") as f:
        json.dump(results, f, indent=1)
    print_table(results)


def print_table(results):
    t = results["targets"]
    ref = t.get("ref-mhd") or t.get("against")
    print(f"\n{results['date']}, {results['cores']} cores, {results['repeats']} x {results['duration_s']} s, medians")
    print(f"{'target':<12} {'test':<14} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'CPU us/req':>10} {'x ref':>6}")
    for name, r in t.items():
        for test in ("chat_c64", "chat_c512", "stream16_c64"):
            if test not in r:
                continue
            m = r[test]["median"]
            ratio = ""
            if ref and ref is not r and test in ref and ref[test]["median"]["rps"]:
                ratio = f"{m['rps'] / ref[test]['median']['rps']:.2f}"
            cpu = f"{m['cpu_us_per_req']:.1f}" if m.get("cpu_us_per_req") else "-"
            print(f"{name:<12} {test:<14} {m['rps']:>9.0f} {m['p50_ms']:>8.2f} {m['p99_ms']:>8.2f} {cpu:>10} {ratio:>6}")
    for name, r in t.items():
        if "cold_start_ms" in r:
            print(f"{name:<12} cold start {r['cold_start_ms']} ms, idle RSS {r['idle_rss_kib'] / 1024:.1f} MB")
        for k, h in r.items():
            if k.startswith("held_"):
                print(f"{name:<12} {k:<11} completed {h['completed']}/{h['n']}, duration p50 {h['dur_p50_s']} s "
                      f"p99 {h['dur_p99_s']} s (ideal {h['ideal_s']}, p99 {h['p99_over_ideal_ms'] or 0:+.0f} ms), RSS peak {h['rss_peak_kib'] / 1024:.0f} MB "
                      f"({h['rss_per_stream_kib']} KiB/stream), server CPU {h['server_cpu_s']} s")


if __name__ == "__main__":
    main()
