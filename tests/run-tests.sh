#!/bin/bash
# `make test` (after it has built fcgi/ctrack and fcgi/ctrack-asan): the unit
# tests and the fuzz regression inputs, then against a private stack in a
# temporary folder the integration tests with the normal build, the browser
# tests (tests/browser/, headless Chromium) and the integration tests again
# with the sanitizer build.
# Runs every step even after a failure, prints a summary, exits non-zero if
# anything failed. Set CTRACK_KEEP_TMP=1 to keep the folder for a post-mortem.
# While working on one area: CTRACK_TESTS="tests/integration/test_x.py -k y"
# runs only those integration tests, and CTRACK_QUICK=1 skips the unit
# tests, the fuzz inputs, the browser tests and the sanitizer pass (make test
# always runs all). CTRACK_BROWSER=1 adds the browser tests to a quick run;
# CTRACK_BROWSER=only runs just them (`make test-browser`). The
# high-availability tests (tests/ha/: kills and restarts of database servers
# on stacks of their own) run at the end; CTRACK_HA=only runs just them
# (`make test-ha`). CTRACK_CHAOS=only runs the chaos checks (tests/chaos/, a
# stack of their own; `make chaos`, never part of make test): a table of
# figures and the verdict line CHAOS: PASS or CHAOS: FAIL (...).
set -eu

REPO=$(cd "$(dirname "$0")/.." && pwd -P)
cd "$REPO"
# Debian's pytest and requests; the PATH python3 may be a pyenv without them.
PY=/usr/bin/python3

TMP=$(mktemp -d "${TMPDIR:-/tmp}/ctrack-test.XXXXXX")
# shellcheck disable=SC2317 # called by the trap
cleanup() {
    [ -z "${test_pid:-}" ] || kill -- "-$test_pid" 2>/dev/null || true
    conf/stack.sh stop "$TMP" || true
    if [ -n "${CTRACK_KEEP_TMP:-}" ]; then echo "Kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM    # so that the EXIT trap runs on Ctrl-C too

# Any free loopback port (a little racy, but nginx reports a clash clearly).
PORT=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

failed=0
summary=()
result() { summary+=("$(printf '%-26s %s' "$1" "$2")"); }

set -o pipefail
TESTS=${CTRACK_TESTS:-tests/integration}
QUICK=${CTRACK_QUICK:-}
BROWSER=${CTRACK_BROWSER:-}
HA=${CTRACK_HA:-}
CHAOS=${CTRACK_CHAOS:-}
case $CHAOS in
    '' | only) ;;
    *) echo "CTRACK_CHAOS must be only, not: $CHAOS" >&2; exit 2 ;;
esac
case $HA in
    '' | only) ;;
    *) echo "CTRACK_HA must be only, not: $HA" >&2; exit 2 ;;
esac
case $BROWSER in
    '' | 1) ;;
    only) QUICK=1 ;;
    *) echo "CTRACK_BROWSER must be 1 or only, not: $BROWSER" >&2; exit 2 ;;
esac

if [ -z "$QUICK" ] && [ -z "$HA" ] && [ -z "$CHAOS" ]; then
echo "== unit tests"
if make --no-print-directory unit 2>&1 | tee "$TMP/unit.log"; then status=ok; else status=FAILED; failed=1; fi
# cmocka ends each program with "[  PASSED  ] N test(s)." / "[  FAILED  ] N test(s)..."
counts=$(awk '/^\[  PASSED  \] [0-9]+ test/ { p += $4 } /^\[  FAILED  \] [0-9]+ test/ { f += $4 }
              END { printf "%d passed, %d failed", p, f }' "$TMP/unit.log")
result "unit:" "$status ($counts)"

echo "== fuzz regression inputs"
if make --no-print-directory fuzz-regress 2>&1 | tee "$TMP/fuzz.log"; then status=ok; else status=FAILED; failed=1; fi
# one line per target: "fuzz_NAME  N inputs  RESULT"
counts=$(awk '$3 == "inputs" { t++; n += $2 } END { printf "%d targets, %d inputs", t, n }' "$TMP/fuzz.log")
result "fuzz regression:" "$status ($counts)"
fi

# pytest_run LABEL: the integration tests against the running stack. Exit
# code 5 (no tests collected) is a failure too.
pytest_run() {
    echo "== integration tests ($1)"
    # shellcheck disable=SC2086 # TESTS is a list of words
    pytest_bg "integration ($1):" -q $TESTS
}

# pytest_bg LABEL ARGS...: pytest in the background and in its own process
# group, so that a signal to this script is handled at once (bash runs traps
# only after a foreground command ends) and the trap can stop pytest together
# with its tee.
# Each run has its temporary folders under TMP (--basetemp): pytest's shared
# /tmp/pytest-of-USER keeps only the last three runs' folders, so another
# pytest on the machine could remove a folder a test is still using.
pytest_runs=0
pytest_bg() {
    local rc=0 label=$1
    shift
    pytest_runs=$((pytest_runs + 1))
    # shellcheck disable=SC2016 # expanded by the inner bash
    setsid bash -c 'set -o pipefail; log=$1; shift; "$0" -m pytest "$@" 2>&1 | tee "$log"' \
        "$PY" "$TMP/pytest.log" --basetemp="$TMP/pytest-run$pytest_runs" "$@" &
    test_pid=$!
    wait "$test_pid" || rc=$?
    test_pid=
    [ $rc -eq 0 ] || failed=1
    result "$label" "$(tail -n 1 "$TMP/pytest.log") [exit $rc]"
}

# ha_run: the high-availability tests; they start and stop stacks of their
# own (under TMP) and print their figures.
ha_run() {
    echo "== high-availability tests (tests/ha)"
    TMPDIR=$TMP pytest_bg "high availability:" -q -s -p no:cacheprovider tests/ha
    grep -E '^(kill -9|standby stopped|rejoin of|database restart)' "$TMP/pytest.log" |
        sed 's/^/  /' >"$TMP/ha-figures.txt" || true
}

# chaos_run: the chaos checks, in this order (the logon burst comes after
# the scenarios that log on; the memory run last), bounded as a whole by
# CHAOS_LIMIT seconds. Their conftest prints the figures and the verdict.
CHAOS_LIMIT=${CTRACK_CHAOS_LIMIT:-1200}
chaos_run() {
    local rc=0
    echo "== chaos checks (tests/chaos), at most $CHAOS_LIMIT s"
    # shellcheck disable=SC2016 # expanded by the inner bash
    TMPDIR=$TMP CTRACK_CHAOS_FIGURES=$TMP/chaos.json setsid bash -c \
        'set -o pipefail; log=$1; limit=$2; shift 2; timeout -k 10 "$limit" "$0" -m pytest "$@" 2>&1 | tee "$log"' \
        "$PY" "$TMP/pytest.log" "$CHAOS_LIMIT" -q -s -p no:cacheprovider \
        tests/chaos/test_kill_workers.py tests/chaos/test_db_restart.py \
        tests/chaos/test_slow_clients.py tests/chaos/test_memory.py &
    test_pid=$!
    wait "$test_pid" || rc=$?
    test_pid=
    [ $rc -ne 124 ] || echo "CHAOS: FAIL (stopped after $CHAOS_LIMIT s)" >>"$TMP/pytest.log"
    grep -q '^CHAOS: PASS' "$TMP/pytest.log" || [ $rc -ne 0 ] || rc=1
    [ $rc -eq 0 ] || failed=1
    result "chaos:" "$(grep -E '^[0-9]+ (passed|failed)|^=+ .*(passed|failed)' "$TMP/pytest.log" | tail -n 1) [exit $rc]"
}

BROWSER_DIR=$REPO/tests/browser
CHROMIUM=${CTRACK_CHROMIUM:-/usr/bin/chromium}

# browser_deps: playwright-core as the lockfile says, installed by `npm ci`
# into tests/browser/node_modules only when that is missing or package.json
# or the lockfile changed since the last install.
browser_deps() {
    local stamp=$BROWSER_DIR/node_modules/.ctrack-installed want
    if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
        echo "node and npm are needed for the browser tests: run make deps"
        return 1
    fi
    want=$(cat "$BROWSER_DIR/package.json" "$BROWSER_DIR/package-lock.json" | sha256sum | cut -d' ' -f1)
    if [ -f "$BROWSER_DIR/node_modules/playwright-core/package.json" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
        return 0
    fi
    echo "== npm ci in tests/browser"
    (cd "$BROWSER_DIR" && npm ci --no-audit --no-fund) || return 1
    echo "$want" >"$stamp"
}

# browser_run: the browser tests against the running stack. A missing
# Chromium or playwright-core is a failure, never a silent skip.
browser_run() {
    local rc=0 counts art
    echo "== browser tests (Chromium)"
    if [ ! -x "$CHROMIUM" ]; then
        failed=1
        result "browser (chromium):" "FAILED: no Chromium at $CHROMIUM (install Debian's chromium package: make deps)"
        return
    fi
    if ! browser_deps 2>&1 | tee "$TMP/npm.log"; then
        failed=1
        result "browser (chromium):" "FAILED: playwright-core could not be installed in tests/browser (npm ci, above)"
        return
    fi
    # Screenshots of a failure go to a folder of their own that outlives $TMP.
    art=$(mktemp -d "${TMPDIR:-/tmp}/ctrack-browser.XXXXXX")
    # In the background and in its own process group, like pytest above.
    # shellcheck disable=SC2016 # expanded by the inner bash
    CTRACK_BROWSER_ARTIFACTS=$art CTRACK_CHROMIUM=$CHROMIUM setsid bash -c \
        'set -o pipefail; cd "$1" && node --test --test-reporter=spec ./*.test.mjs 2>&1 | tee "$2"' \
        bash "$BROWSER_DIR" "$TMP/browser.log" &
    test_pid=$!
    wait "$test_pid" || rc=$?
    test_pid=
    # node's spec reporter ends with "ℹ tests N", "ℹ pass N", "ℹ fail N", ...
    counts=$(awk '$1 == "ℹ" && $2 ~ /^(pass|fail|cancelled|skipped)$/ { n[$2] = $3 }
                  END { printf "%d passed, %d failed, %d skipped", n["pass"], n["fail"] + n["cancelled"], n["skipped"] }' \
             "$TMP/browser.log")
    case $counts in "0 passed, 0 failed"*) [ $rc -ne 0 ] || rc=1; counts="no test ran" ;; esac
    [ $rc -eq 0 ] || failed=1
    if rmdir "$art" 2>/dev/null; then
        result "browser (chromium):" "$counts [exit $rc]"
    else
        result "browser (chromium):" "$counts [exit $rc], screenshots in $art"
    fi
}

if [ -n "$CHAOS" ]; then
    chaos_run
    echo "== summary"; printf '%s\n' "${summary[@]}"
    sed -n '/= chaos figures =/,/^CHAOS: /p' "$TMP/pytest.log" | grep -v '^CHAOS: '
    if [ $failed -eq 0 ]; then echo "CHAOS: PASS"; else grep '^CHAOS: FAIL' "$TMP/pytest.log" | tail -n 1 | grep . || echo "CHAOS: FAIL (see above)"; fi
    exit $failed
fi

if [ -n "$HA" ]; then
    ha_run
    echo "== summary"; printf '%s\n' "${summary[@]}"; cat "$TMP/ha-figures.txt"
    [ $failed -eq 0 ] && echo "ALL PASSED (high availability)" || echo "SOME TESTS FAILED"
    exit $failed
fi

echo "== starting the stack in $TMP on port $PORT"
export ADMIN_PASSWORD
ADMIN_PASSWORD=$(openssl rand -base64 18)
# Logon tests (lockout, two-factor, password changes) post to /login far more
# often than a person does: 300 a minute, the burst as in production.
export CTRACK_LOGIN_RATE=300r/m
if conf/stack.sh start "$TMP" "$PORT" 2; then
    unset ADMIN_PASSWORD
    # "username: NAME" / "password: SECRET" lines written by `ctrack setup-demo`.
    cred() { [ -r "$TMP/initial-credentials" ] || return 0; sed -n "s/^[[:space:]]*$1[[:space:]]*[:=][[:space:]]*//Ip" "$TMP/initial-credentials" | head -n 1; }
    export CTRACK_URL=https://127.0.0.1:$PORT
    export CTRACK_VAR=$TMP
    export CTRACK_ADMIN_USER; CTRACK_ADMIN_USER=$(cred 'user\(name\)\?')
    export CTRACK_ADMIN_PASSWORD; CTRACK_ADMIN_PASSWORD=$(cred password)
    export CTRACK_CONF=$TMP/ctrack.hdf
    export CTRACK_BIN=$REPO/fcgi/ctrack
    export CTRACK_DB_SOCKET=$TMP/run/mysqld.sock
    export CTRACK_DB_ROOT_CNF=$TMP/secrets/root.cnf
    export CTRACK_DB_APP_CNF=$TMP/secrets/app.cnf
    export CTRACK_DB_MAINT_CNF=$TMP/secrets/maint.cnf
    # A proxy from the environment must not capture requests to the test stack.
    export NO_PROXY=127.0.0.1,localhost${NO_PROXY:+,$NO_PROXY}
    export no_proxy=$NO_PROXY
    [ "$BROWSER" = only ] || pytest_run normal
    if [ -z "$QUICK" ] || [ -n "$BROWSER" ]; then
        browser_run
    else
        result "browser (chromium):" "skipped (quick run; CTRACK_BROWSER=1 adds them)"
    fi
    if [ -n "$QUICK" ]; then
        echo "== summary"; printf '%s\n' "${summary[@]}"
        [ $failed -eq 0 ] && echo "ALL PASSED (quick run)" || echo "SOME TESTS FAILED"
        exit $failed
    fi

    # The same tests against the sanitizer build; the command-line calls of
    # the tests use it too. A sanitizer report ends the process (and shows in
    # the log) instead of scrolling by.
    export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1
    export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
    export CTRACK_BIN=$REPO/fcgi/ctrack-asan
    if conf/stack.sh restart-app "$TMP" "$REPO/fcgi/ctrack-asan"; then
        pytest_run sanitizers
    else
        failed=1
        result "integration (sanitizers):" "FAILED: the sanitizer build did not start"
    fi
    if grep -E 'ERROR: AddressSanitizer|runtime error:' "$TMP/log/ctrack.log"; then
        failed=1
        result "sanitizer reports:" "FOUND in ctrack.log (above)"
    else
        result "sanitizer reports:" "none"
    fi
else
    failed=1
    result "integration:" "FAILED: the stack did not start"
fi
conf/stack.sh stop "$TMP" || true
ha_run

if [ $failed -ne 0 ] && [ -s "$TMP/log/ctrack.log" ]; then
    echo "== last lines of ctrack.log"
    tail -n 30 "$TMP/log/ctrack.log"
fi
echo "== summary"
printf '%s\n' "${summary[@]}"
cat "$TMP/ha-figures.txt" 2>/dev/null || true
[ $failed -eq 0 ] && echo "ALL PASSED" || echo "SOME TESTS FAILED"
exit $failed
