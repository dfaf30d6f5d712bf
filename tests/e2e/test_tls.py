"""HTTPS through libmicrohttpd's own TLS support, with a self-signed certificate and the official SDK."""

from __future__ import annotations

import re
import subprocess
import time

import httpx
import openai
import pytest

from support import CHAT, DEFAULT_TEXT, MODEL


@pytest.fixture
def certificate(tmp_path):
    key, cert = tmp_path / "tls.key", tmp_path / "tls.crt"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
                   check=True, capture_output=True, timeout=60)
    return cert, key


def test_https_with_a_self_signed_certificate(launch, certificate):
    cert, key = certificate
    emu = launch("--tls-cert", str(cert), "--tls-key", str(key))
    out = emu.wait_for_output(lambda text: "listening on https://" in text)
    port = int(re.search(r"https://127\.0\.0\.1:(\d+)", out).group(1))
    base = f"https://127.0.0.1:{port}"
    deadline = time.monotonic() + 10
    while True:
        try:
            assert httpx.get(base + "/health", verify=str(cert), timeout=5).json() == {"status": "ok"}
            break
        except httpx.HTTPError:
            assert time.monotonic() < deadline, "no HTTPS answer"
            time.sleep(0.1)
    client = openai.OpenAI(base_url=base + "/v1", api_key="x", max_retries=0,
                           http_client=httpx.Client(verify=str(cert), timeout=10))
    assert client.chat.completions.create(model=MODEL, messages=CHAT["messages"]).choices[0].message.content == DEFAULT_TEXT
    streamed = "".join(c.choices[0].delta.content or ""
                       for c in client.chat.completions.create(model=MODEL, messages=CHAT["messages"], stream=True)
                       if c.choices)
    assert streamed == DEFAULT_TEXT
    with pytest.raises(httpx.ConnectError):
        httpx.get(base + "/health", timeout=5)  # the system trust store does not know this certificate


def test_tls_flags_go_together(launch, certificate):
    cert, _ = certificate
    emu = launch("--tls-cert", str(cert))
    assert emu.wait(timeout=20) != 0
    assert "--tls-key" in emu.output()
