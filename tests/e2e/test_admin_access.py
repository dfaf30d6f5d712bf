"""Who may use the admin API: --admin-bind limits it to client addresses or networks."""

from __future__ import annotations

import subprocess

import httpx

from conftest import binary
from support import CHAT, assert_error


def test_admin_api_refuses_addresses_outside_admin_bind(start_server):
    emu = start_server("--admin-bind", "10.0.0.0/8,fd00::/8")
    r = httpx.get(emu.base + "/_emulator/config", timeout=10)
    assert r.status_code == 403
    err = assert_error(r.json(), code="admin_forbidden", words=["127.0.0.1", "--admin-bind"])
    assert err["param"] is None
    assert httpx.post(emu.v1 + "/chat/completions", json=CHAT, timeout=10).status_code == 200, "the API stays open"


def test_admin_api_open_to_loopback_when_bound_there(start_server):
    emu = start_server("--admin-bind", "loopback", "--admin-key", "adm")
    assert httpx.get(emu.base + "/_emulator/config", timeout=10).status_code == 401, "the key is still needed"
    r = httpx.get(emu.base + "/_emulator/config", headers={"X-Admin-Key": "adm"}, timeout=10)
    assert r.status_code == 200 and "defaults" in r.json()


def test_admin_bind_rejects_what_is_not_an_address():
    done = subprocess.run([binary(), "--admin-bind", "somewhere", "--port", "0"], capture_output=True, text=True,
                          timeout=20)
    assert done.returncode != 0
    assert "--admin-bind" in done.stderr + done.stdout
