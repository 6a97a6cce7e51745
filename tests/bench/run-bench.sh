#!/bin/bash
# `make bench`: starts a private stack (with the demo data) in a temporary
# folder on a free loopback port, runs tests/bench/bench.py against it, and
# stops everything. Set BENCH_SECONDS, BENCH_CONNECTIONS to change the load.
set -eu
REPO=$(cd "$(dirname "$0")/../.." && pwd -P)
cd "$REPO"
PY=/usr/bin/python3
TMP=$(mktemp -d "${TMPDIR:-/tmp}/ctrack-bench.XXXXXX")
cleanup() {
    conf/stack.sh stop "$TMP" >/dev/null 2>&1 || true
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
PORT=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
WORKERS=${BENCH_WORKERS:-4}
ADMIN_PASSWORD=$(openssl rand -base64 18) conf/stack.sh start "$TMP" "$PORT" "$WORKERS" >"$TMP/start.log" 2>&1 ||
    { cat "$TMP/start.log"; exit 1; }
"$PY" tests/bench/bench.py --url "https://127.0.0.1:$PORT" --var "$TMP" \
    --seconds "${BENCH_SECONDS:-10}" --connections "${BENCH_CONNECTIONS:-8}"
