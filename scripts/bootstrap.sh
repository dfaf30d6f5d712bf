#!/usr/bin/env bash
# Installs what building and testing openai-emulator needs on a Debian machine with Swift.
#
#   scripts/bootstrap.sh            libmicrohttpd-dev and pkg-config (apt, only when missing)
#   scripts/bootstrap.sh --python   also the virtual environment .venv with tests/e2e/requirements.txt
#   scripts/bootstrap.sh --static   accepted for older callers: a static build (--static-swift-stdlib,
#                                   as the image does) needs nothing more
#
# Idempotent: apt runs only when a package is missing, pip only when the requirements file
# changed since the last install (a hash stamp in .venv). Needs root or password-less sudo for apt.
# Messages go to standard error.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WITH_PYTHON=0
for arg in "$@"; do
  case "$arg" in
    --python) WITH_PYTHON=1 ;;
    --static) ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "bootstrap: unknown argument: $arg" >&2; exit 2 ;;
  esac
done

note() { printf 'bootstrap: %s\n' "$*" >&2; }

SUDO=()
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=(sudo -n); fi
fi

APT_UPDATED=0
apt_install() {
  if ! command -v apt-get >/dev/null 2>&1; then
    note "apt-get is not available; install these yourself: $*"
    return 1
  fi
  if [ "$APT_UPDATED" = 0 ]; then
    note "apt-get update"
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null
    APT_UPDATED=1
  fi
  note "apt-get install $*"
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >/dev/null
}

# --- system packages ---------------------------------------------------------------------
missing=()
command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
if ! { command -v pkg-config >/dev/null 2>&1 && pkg-config --exists libmicrohttpd; }; then
  dpkg -s libmicrohttpd-dev >/dev/null 2>&1 || missing+=(libmicrohttpd-dev)
fi
# The TLS tests make a self-signed certificate with the openssl command.
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
# The upstream proxy (--proxy-to) loads libcurl at run time (dlopen), only when it is configured.
if ! ldconfig -p 2>/dev/null | grep -q 'libcurl\.so\.4'; then
  dpkg -s libcurl4 >/dev/null 2>&1 || missing+=(libcurl4)
fi
if [ "${#missing[@]}" -gt 0 ]; then
  apt_install "${missing[@]}"
fi

[ "$WITH_PYTHON" = 1 ] || exit 0

# --- the Python virtual environment ------------------------------------------------------
VENV="$ROOT/.venv"
REQ="$ROOT/tests/e2e/requirements.txt"
STAMP="$VENV/.requirements.sha256"
PY="${PYTHON:-python3}"
want="$(sha256sum "$REQ" | cut -d' ' -f1)"

if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import sys' >/dev/null 2>&1; then
  note "creating the virtual environment $VENV"
  if ! "$PY" -m venv --clear "$VENV" >/dev/null 2>&1; then
    note "$PY -m venv failed; installing python3-venv"
    apt_install python3-venv
    "$PY" -m venv --clear "$VENV"
  fi
  rm -f "$STAMP"
fi

if [ "$(cat "$STAMP" 2>/dev/null || true)" != "$want" ]; then
  note "installing $REQ into $VENV"
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check -r "$REQ" >&2
  echo "$want" >"$STAMP"
fi
# instructor caps jiter below the version openai needs, though it runs fine with it: install it
# without its dependencies (they are pinned in the requirements file).
"$VENV/bin/python" -c 'import instructor' 2>/dev/null \
  || "$VENV/bin/python" -m pip install -q --disable-pip-version-check --no-deps instructor==1.17.0 >&2
# The pytest helper package of this repository (editable, so changes apply at once).
"$VENV/bin/python" -c 'import openai_emulator_testing' 2>/dev/null \
  || "$VENV/bin/python" -m pip install -q --disable-pip-version-check -e "$ROOT/clients/python" >&2
