#!/bin/bash
# `make fuzz` and `make fuzz-regress` (after they have built build/fuzz/):
#
#   tests/fuzz/run-fuzz.sh fuzz SECONDS NAME...  fuzz each target for SECONDS
#   tests/fuzz/run-fuzz.sh regress NAME...       run each target once over its
#                                                corpus and regression inputs
#
# Fuzzing works on a temporary copy of tests/fuzz/corpus/NAME/ (new inputs go
# there, so the repository corpus is not flooded) with the repository corpus
# and tests/fuzz/regress/NAME/ as read-only seeds. Logs go to
# build/fuzz/log/NAME.log, crashing inputs to build/fuzz/artifacts/NAME/.
# Prints one line per target and exits non-zero if any target crashed,
# leaked, hung or ran out of memory. FUZZ_KEEP=1 keeps the temporary corpora
# (to pick new seeds from).
set -eu

REPO=$(cd "$(dirname "$0")/../.." && pwd -P)
cd "$REPO"

mode=${1:-}
case "$mode" in
fuzz) [ $# -ge 3 ] || { echo "usage: $0 fuzz SECONDS NAME..." >&2; exit 2; }
      seconds=$2; shift 2 ;;
regress) [ $# -ge 2 ] || { echo "usage: $0 regress NAME..." >&2; exit 2; }
      shift ;;
*) echo "usage: $0 fuzz SECONDS NAME... | regress NAME..." >&2; exit 2 ;;
esac

# A sanitizer report names the line it is about; leaks are errors.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}

mkdir -p build/fuzz/log
TMP=
if [ "$mode" = fuzz ]; then
    TMP=$(mktemp -d "${TMPDIR:-/tmp}/ctrack-fuzz.XXXXXX")
    # shellcheck disable=SC2317 # called by the trap
    cleanup() { if [ -n "${FUZZ_KEEP:-}" ]; then echo "Kept $TMP"; else rm -rf "$TMP"; fi; }
    trap cleanup EXIT
    trap 'exit 130' INT TERM
fi

# verdict LOG RC: what a libFuzzer run ended with.
verdict() {
    if [ "$2" -eq 0 ]; then echo ok
    elif grep -q 'ERROR: LeakSanitizer' "$1"; then echo LEAK
    elif grep -q 'ERROR: libFuzzer: timeout' "$1"; then echo TIMEOUT
    elif grep -q 'ERROR: libFuzzer: out-of-memory' "$1"; then echo OOM
    else echo CRASH
    fi
}

failed=0
for name in "$@"; do
    bin=build/fuzz/fuzz_$name
    log=build/fuzz/log/$name.log
    seeds=()
    for d in tests/fuzz/corpus/$name tests/fuzz/regress/$name; do
        [ -d "$d" ] && seeds+=("$d")
    done
    rc=0
    if [ "$mode" = fuzz ]; then
        work=$TMP/$name
        mkdir -p "$work" "build/fuzz/artifacts/$name"
        [ ! -d "tests/fuzz/corpus/$name" ] || cp -R "tests/fuzz/corpus/$name/." "$work/"
        "$bin" -max_total_time="$seconds" -timeout=10 -detect_leaks=1 -print_final_stats=1 \
            -artifact_prefix="build/fuzz/artifacts/$name/" "$work" ${seeds[@]+"${seeds[@]}"} >"$log" 2>&1 || rc=$?
        execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
        # After a crash there are no final stats: take the last status line.
        [ -n "$execs" ] || execs=$(sed -n 's/^#\([0-9][0-9]*\).*/\1/p' "$log" | tail -n 1)
        res=$(verdict "$log" $rc)
        line=$(printf '%-22s %12s execs  %6s corpus  %s' "fuzz_$name" "${execs:-?}" \
               "$(find "$work" -type f | wc -l)" "$res")
    else
        files=()
        for d in ${seeds[@]+"${seeds[@]}"}; do
            while IFS= read -r -d '' f; do files+=("$f"); done < <(find "$d" -type f -print0 | sort -z)
        done
        if [ ${#files[@]} -eq 0 ]; then
            res="FAILED (no inputs in tests/fuzz/corpus/$name)"; rc=1
        else
            mkdir -p "build/fuzz/artifacts/$name"
            "$bin" -detect_leaks=1 -timeout=10 -artifact_prefix="build/fuzz/artifacts/$name/" "${files[@]}" >"$log" 2>&1 || rc=$?
            res=$(verdict "$log" $rc)
        fi
        line=$(printf '%-22s %6d inputs  %s' "fuzz_$name" ${#files[@]} "$res")
    fi
    if [ $rc -ne 0 ]; then
        failed=1
        # The input: the one libFuzzer saved, or the file it was running.
        artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
        [ -n "$artifact" ] || artifact=$(sed -n 's/^Running: //p' "$log" | tail -n 1)
        line="$line: see $log${artifact:+, input $artifact}"
    fi
    echo "$line"
done
exit $failed
