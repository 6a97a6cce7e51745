#!/bin/bash
# `make security` (after it has built fcgi/ctrack and the fuzz targets): the
# security checks, against a private stack in a temporary folder on a free
# loopback port, each judged on the tool's real output:
#
#   tls        testssl.sh --jsonfile: no result of severity LOW or above but
#              the allow-list in tests/security/judge.py (loopback only)
#   sqlmap     every route of the route table with an input, one raw request
#              each (tests/security/targets.py: the demo administrator's
#              session, the CSRF token, the parameters of the real forms and
#              links, the {id}), boolean-based blind, time-based blind and
#              error-based, level 1, risk 1, SQLMAP_ROUTE_SECONDS each (45)
#   wapiti     (before sqlmap) crawl and attack (sql, blindsql, exec, file,
#              xss, crlf) logged
#              in, scope the stack's URL, WAPITI_SCAN_SECONDS to crawl (120),
#              WAPITI_ATTACK_SECONDS per module (60)
#   fuzz       every libFuzzer target for FUZZ_SECONDS (60), leaks on, in the
#              background meanwhile; a crashing input is copied to
#              tests/fuzz/regress/NAME/
#   secrets    tests/integration/test_zz_secrets_never_recorded.py, then the
#              scan's own session token, CSRF token and password searched in
#              every log and the whole audit table
#   access     tests/integration/test_matrix.py (the generated security
#              matrix test)
#
# Prints a summary with figures and ends with "SECURITY: PASS" or
# "SECURITY: FAIL (parts)"; exits 0 or 1. Reports go to build/security/.
# SECURITY_PARTS="tls sqlmap ..." runs only those parts; CTRACK_KEEP_TMP=1
# keeps the stack's folder.
set -eu

REPO=$(cd "$(dirname "$0")/../.." && pwd -P)
cd "$REPO"
PY=/usr/bin/python3
PARTS=${SECURITY_PARTS:-tls access secrets sqlmap wapiti fuzz}
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
SQLMAP_ROUTE_SECONDS=${SQLMAP_ROUTE_SECONDS:-45}
WAPITI_SCAN_SECONDS=${WAPITI_SCAN_SECONDS:-120}
WAPITI_ATTACK_SECONDS=${WAPITI_ATTACK_SECONDS:-60}
OUT=$REPO/build/security
rm -rf "$OUT"
mkdir -p "$OUT"

for tool in testssl sqlmap wapiti; do
    command -v $tool >/dev/null || { echo "run-security.sh: $tool is missing: make security-deps"; exit 1; }
done

TMP=$(mktemp -d "${TMPDIR:-/tmp}/ctrack-security.XXXXXX")
fuzz_pid=
# shellcheck disable=SC2317 # called by the trap
cleanup() {
    [ -z "$fuzz_pid" ] || kill -- "-$fuzz_pid" 2>/dev/null || true
    conf/stack.sh stop "$TMP" >/dev/null 2>&1 || true
    if [ -n "${CTRACK_KEEP_TMP:-}" ]; then echo "Kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

want() { case " $PARTS " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }
failed=()
summary=()
# result PART VERDICT FIGURES
result() {
    summary+=("$(printf '%-9s %-5s %s' "$1" "$2" "$3")")
    [ "$2" = pass ] || failed+=("$1")
}
elapsed() { echo "$(( $(date +%s) - $1 ))s"; }
started=$(date +%s)

# Fuzzing needs no stack: it runs in its own process group in the
# background (one core) while the stack is scanned.
if want fuzz; then
    echo "== fuzz: every target for ${FUZZ_SECONDS}s, in the background (log: $OUT/fuzz.log)"
    rm -rf build/fuzz/artifacts
    setsid bash -c 'tests/fuzz/run-fuzz.sh fuzz "$@" >"'"$OUT"'/fuzz.log" 2>&1' bash "$FUZZ_SECONDS" \
        $(cd tests/fuzz && ls fuzz_*.c | sed 's/^fuzz_//; s/\.c$//') &
    fuzz_pid=$!
fi

PORT=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
echo "== starting the stack in $TMP on port $PORT"
export ADMIN_PASSWORD
ADMIN_PASSWORD=Sentinel$(openssl rand -hex 16)
# The integration tests and the scanners post to /login more than a person.
export CTRACK_LOGIN_RATE=300r/m
if ! conf/stack.sh start "$TMP" "$PORT" 2 >"$OUT/stack.log" 2>&1; then
    cat "$OUT/stack.log"
    echo "SECURITY: FAIL (the stack did not start)"
    exit 1
fi
unset ADMIN_PASSWORD
cred() { sed -n "s/^[[:space:]]*$1[[:space:]]*[:=][[:space:]]*//Ip" "$TMP/initial-credentials" | head -n 1; }
# What tests/run-tests.sh exports for the integration tests.
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
export NO_PROXY=127.0.0.1,localhost${NO_PROXY:+,$NO_PROXY}
export no_proxy=$NO_PROXY
CA=$TMP/tls/cert.pem

if want tls; then
    t=$(date +%s)
    echo "== tls: testssl.sh against $CTRACK_URL"
    rc=0
    timeout 900 testssl --jsonfile "$OUT/testssl.json" --quiet --color 0 --warnings off \
        "$CTRACK_URL/" >"$OUT/testssl.log" 2>&1 || rc=$?
    if [ $rc -eq 124 ]; then
        result tls FAIL "testssl.sh did not end within 900s"
    elif "$PY" tests/security/judge.py tls "$OUT/testssl.json" >"$OUT/tls-verdict.txt" 2>&1; then
        result tls pass "$(tail -n 1 "$OUT/tls-verdict.txt"), $(elapsed "$t")"
    else
        result tls FAIL "$(tail -n 1 "$OUT/tls-verdict.txt"), $(elapsed "$t"): see $OUT/tls-verdict.txt"
    fi
    sed 's/^/  /' "$OUT/tls-verdict.txt"
fi

# pytest_part PART TEST: one integration test file against this stack.
pytest_part() {
    local t rc=0
    t=$(date +%s)
    echo "== $1: $2"
    "$PY" -m pytest -q -p no:cacheprovider "$2" >"$OUT/$1-pytest.log" 2>&1 || rc=$?
    tail -n 1 "$OUT/$1-pytest.log"
    if [ $rc -eq 0 ]; then
        result "$1" pass "$(basename "$2"): $(tail -n 1 "$OUT/$1-pytest.log" | tr -d '=' | sed 's/^ *//; s/ *$//'), $(elapsed "$t")"
    else
        result "$1" FAIL "$(basename "$2"): $(tail -n 1 "$OUT/$1-pytest.log" | tr -d '='): see $OUT/$1-pytest.log"
    fi
}
# Before the scanners, which change the demo data at random.
want access && pytest_part access tests/integration/test_matrix.py
want secrets && pytest_part secrets tests/integration/test_zz_secrets_never_recorded.py

if want sqlmap || want wapiti; then
    fcgi/ctrack check-routes --list >"$OUT/routes.tsv"
    if ! "$PY" tests/security/targets.py "$CTRACK_URL" "$CA" "$OUT/routes.tsv" "$OUT/targets" >"$OUT/targets.log" 2>&1; then
        cat "$OUT/targets.log"
        want sqlmap && result sqlmap FAIL "the targets could not be made: see $OUT/targets.log"
        want wapiti && result wapiti FAIL "the targets could not be made: see $OUT/targets.log"
        PARTS=$(echo " $PARTS " | sed 's/ sqlmap / /; s/ wapiti / /')
    fi
    cat "$OUT/targets.log"
fi

if want wapiti; then
    t=$(date +%s)
    echo "== wapiti: crawl ${WAPITI_SCAN_SECONDS}s, ${WAPITI_ATTACK_SECONDS}s per module (log: $OUT/wapiti.log)"
    # Before sqlmap: its runs of POST /login block this address's logons
    # for a while, and its last routes end the other sessions.
    rc=0
    "$PY" tests/security/targets.py --session "$CTRACK_URL" "$CA" >"$OUT/wapiti-cookie" 2>"$OUT/wapiti.log" || rc=$?
    # Never the routes that end the scanner's session.
    # (tests/security/wapiti.py: wapiti with its -x fixed for Python 3.11.)
    timeout $((WAPITI_SCAN_SECONDS + 8 * WAPITI_ATTACK_SECONDS + 300)) "$PY" tests/security/wapiti.py -u "$CTRACK_URL/" --scope folder \
        -H "Cookie: $(cat "$OUT/wapiti-cookie")" -H "Origin: $CTRACK_URL" \
        -x "$CTRACK_URL/logout" -x "$CTRACK_URL/account/sessions/*" -x "$CTRACK_URL/account/password" \
        -x "$CTRACK_URL/account/two-factor*" -x "$CTRACK_URL/login*" \
        -m sql,blindsql,exec,file,xss,crlf --skip csrf -d 3 --max-links-per-page 40 --max-files-per-dir 30 \
        --max-scan-time "$WAPITI_SCAN_SECONDS" --max-attack-time "$WAPITI_ATTACK_SECONDS" -t 30 \
        --flush-session --store-session "$OUT/wapiti-session" --store-config "$OUT/wapiti-config" \
        -f json -o "$OUT/wapiti.json" -v 1 --no-bugreport >>"$OUT/wapiti.log" 2>&1 || rc=$?
    requests=$(grep -c '^\[+\] \(GET\|POST\) ' "$OUT/wapiti.log" || true)
    found=$(sed -n 's/.*Wapiti found \([0-9]*\) URLs and forms.*/\1/p' "$OUT/wapiti.log" | tail -n 1)
    if [ ! -s "$OUT/wapiti-cookie" ]; then
        result wapiti FAIL "no session to scan with: see $OUT/wapiti.log"
    elif [ "${found:-0}" -lt 20 ]; then
        result wapiti FAIL "it found only ${found:-0} URLs and forms (not logged in?): see $OUT/wapiti.log"
    elif [ ! -s "$OUT/wapiti.json" ]; then
        result wapiti FAIL "no report (exit $rc): see $OUT/wapiti.log"
    elif "$PY" tests/security/judge.py wapiti "$OUT/wapiti.json" >"$OUT/wapiti-verdict.txt" 2>&1; then
        result wapiti pass "$(tail -n 1 "$OUT/wapiti-verdict.txt"), $found URLs and forms, $requests requests logged, $(elapsed "$t")"
    else
        result wapiti FAIL "$(tail -n 1 "$OUT/wapiti-verdict.txt"): see $OUT/wapiti-verdict.txt"
    fi
    sed 's/^/  /' "$OUT/wapiti-verdict.txt" 2>/dev/null | head -n 20
fi

if want sqlmap; then
    t=$(date +%s)
    echo "== sqlmap: each route with an input, at most ${SQLMAP_ROUTE_SECONDS}s each (log: $OUT/sqlmap/)"
    mkdir -p "$OUT/sqlmap"
    routes=0 injectable=0 bounded=0 requests=0 broken=0
    : >"$OUT/sqlmap/findings.txt"
    while IFS=$'\t' read -r req method pattern params _source has_input; do
        [ "$has_input" = yes ] || continue
        routes=$((routes + 1))
        base=$OUT/sqlmap/${req%.req}
        rc=0
        timeout "$SQLMAP_ROUTE_SECONDS" sqlmap -r "$OUT/targets/$req" --ignore-stdin --force-ssl --batch \
            --level 1 --risk 1 --technique BET --time-sec 2 --threads 2 --skip csrf --disable-coloring --answers="quit=N" \
            --output-dir "$base.out" -t "$base.traffic" >"$base.log" 2>&1 || rc=$?
        n=$(grep -c '^HTTP request \[' "$base.traffic" 2>/dev/null || true)
        requests=$((requests + ${n:-0}))
        # Injection found: sqlmap says so and writes it to OUTPUT/HOST/log.
        # ("appears to be injectable" alone is a candidate that sqlmap then
        # confirms or calls a false positive.)
        if grep -q 'identified the following injection point\|is vulnerable' "$base.log" ||
           find "$base.out" -name log -size +0 2>/dev/null | grep -q .; then
            injectable=$((injectable + 1))
            echo "$method $pattern ($params): see $base.log" | tee -a "$OUT/sqlmap/findings.txt"
        elif [ $rc -eq 124 ]; then
            bounded=$((bounded + 1))
        elif ! grep -q 'do not appear to be injectable\|does not seem to be injectable' "$base.log"; then
            broken=$((broken + 1))
            echo "  $method $pattern: sqlmap ended without a verdict: see $base.log"
        fi
    done <"$OUT/targets/targets.tsv"
    figures="$routes routes, $requests requests, $injectable injectable, $bounded stopped at ${SQLMAP_ROUTE_SECONDS}s, $broken without verdict, $(elapsed "$t")"
    if [ $injectable -eq 0 ] && [ $broken -eq 0 ] && [ $routes -gt 0 ]; then
        result sqlmap pass "$figures"
    else
        result sqlmap FAIL "$figures"
    fi
fi

# After every scan: the secrets the scanners and the integration tests held
# are nowhere in the logs or the audit trail.
if want secrets; then
    export SECRET_admin_password=$CTRACK_ADMIN_PASSWORD
    [ ! -f "$OUT/targets/secrets" ] || while IFS=$'\t' read -r k v; do export "SECRET_$k=$v"; done <"$OUT/targets/secrets"
    if "$PY" tests/security/judge.py secrets "$TMP" >"$OUT/secrets-verdict.txt" 2>&1; then
        result "secrets" pass "after the scans: $(tail -n 1 "$OUT/secrets-verdict.txt")"
    else
        result "secrets" FAIL "after the scans: $(tail -n 1 "$OUT/secrets-verdict.txt")"
    fi
    cat "$OUT/secrets-verdict.txt"
fi

if want fuzz; then
    echo "== fuzz: waiting for the targets (log: $OUT/fuzz.log)"
    rc=0
    wait "$fuzz_pid" || rc=$?
    fuzz_pid=
    cat "$OUT/fuzz.log"
    # Every crashing input becomes a regression input of its target.
    copied=0
    for d in build/fuzz/artifacts/*/; do
        [ -d "$d" ] || continue
        name=$(basename "$d")
        for f in "$d"*; do
            [ -f "$f" ] || continue
            mkdir -p "tests/fuzz/regress/$name"
            cp "$f" "tests/fuzz/regress/$name/" && copied=$((copied + 1))
        done
    done
    targets=$(grep -c ' execs ' "$OUT/fuzz.log" || true)
    execs=$(awk '$3 == "execs" { n += $2 } END { print n + 0 }' "$OUT/fuzz.log")
    bad=$(awk '$3 == "execs" && $6 != "ok" { n++ } END { print n + 0 }' "$OUT/fuzz.log")
    figures="$targets targets x ${FUZZ_SECONDS}s, $execs executions, $bad crashed or leaked, $copied new regression inputs"
    if [ $rc -eq 0 ] && [ "$targets" -gt 0 ]; then
        result fuzz pass "$figures"
    else
        result fuzz FAIL "$figures"
    fi
fi

if grep -E 'ERROR: AddressSanitizer|runtime error:' "$TMP/log/ctrack.log" >/dev/null 2>&1; then
    result stack FAIL "sanitizer reports in ctrack.log"
fi
if grep -E '\[(crit|alert|emerg)\]' "$TMP/log/nginx-error.log" >/dev/null 2>&1; then
    grep -E '\[(crit|alert|emerg)\]' "$TMP/log/nginx-error.log" | tail -n 5
fi

echo "== summary ($(elapsed "$started") in all; reports in $OUT)"
printf '%s\n' "${summary[@]}"
if [ ${#failed[@]} -eq 0 ]; then
    echo "SECURITY: PASS"
    exit 0
fi
echo "SECURITY: FAIL (${failed[*]})"
exit 1
