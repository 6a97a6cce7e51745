#!/bin/bash
# `make bench`: starts a private stack (with the demo data) in a temporary
# folder on a free loopback port, adds the 1,000,000-contact client
# (tests/bench/bench_data.py, about a minute), runs tests/bench/bench.py
# against it, and stops everything.
#
#   BENCH_SECONDS, BENCH_CONNECTIONS, BENCH_WORKERS  change the load
#   BENCH_VAR=DIR      use (and keep) the stack in DIR instead of a temporary
#                      folder: the data is made on the first run and reused
#   BENCH_MILLION=0    only the demo client's figures (no 1,000,000 contacts)
#   BENCH_DB_BUFFER_POOL  MariaDB's buffer pool (default 1G: the data and
#                      indexes of 1,000,000 contacts take about 750 MB)
set -eu
REPO=$(cd "$(dirname "$0")/../.." && pwd -P)
cd "$REPO"
PY=/usr/bin/python3
if [ -n "${BENCH_VAR:-}" ]; then
    TMP=${BENCH_VAR%/}
    KEEP=1
    mkdir -p "$TMP"
else
    TMP=$(mktemp -d "${TMPDIR:-/tmp}/ctrack-bench.XXXXXX")
    KEEP=
fi
cleanup() {
    conf/stack.sh stop "$TMP" >/dev/null 2>&1 || true
    [ -n "$KEEP" ] || rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
PORT=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
WORKERS=${BENCH_WORKERS:-4}
# A kept folder keeps its nginx configuration (and port) unless told
# otherwise: start it on the port it was made with.
if [ -n "$KEEP" ] && [ -s "$TMP/nginx/nginx.conf" ]; then
    PORT=$(sed -n 's/^ *listen 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$TMP/nginx/nginx.conf" | head -n1)
fi
ADMIN_PASSWORD=$(openssl rand -base64 18) CTRACK_DB_BUFFER_POOL=${BENCH_DB_BUFFER_POOL:-1G} conf/stack.sh start "$TMP" "$PORT" "$WORKERS" >"$TMP/start.log" 2>&1 ||
    { cat "$TMP/start.log"; exit 1; }
MILLION=()
if [ "${BENCH_MILLION:-1}" != 0 ]; then
    "$PY" tests/bench/bench_data.py --var "$TMP"
    # Fresh workers, as after a deployment: prepared statements of
    # connections that lived through the bulk load ran some plans several
    # times slower (seen after FLUSH TABLES too) until they reconnected.
    conf/stack.sh restart-app "$TMP" >/dev/null
    MILLION=(--million)
fi
"$PY" tests/bench/bench.py --url "https://127.0.0.1:$PORT" --var "$TMP" \
    --seconds "${BENCH_SECONDS:-10}" --connections "${BENCH_CONNECTIONS:-8}" "${MILLION[@]}"
